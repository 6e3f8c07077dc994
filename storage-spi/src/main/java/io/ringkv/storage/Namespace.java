package io.ringkv.storage;

import java.util.regex.Pattern;

/**
 * A named keyspace inside one engine, isolated from every other namespace.
 *
 * <p>Names are lower-case words; a dot marks namespaces that decorators derive for their own
 * use (the chunks of {@code data} live in {@code data.chunks}).
 */
public record Namespace(String name) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}(\\.[a-z][a-z0-9_]{0,30})?");

    /** User records. */
    public static final Namespace DATA = new Namespace("data");
    /** Hints held for other nodes. */
    public static final Namespace HINTS = new Namespace("hints");
    /** Node-local metadata. */
    public static final Namespace META = new Namespace("meta");

    public Namespace {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad namespace name '" + name
                    + "': lower-case letters, digits and '_', starting with a letter, at most one '.' suffix");
        }
    }

    /** The namespace that holds this namespace's value chunks. */
    public Namespace chunks() {
        if (isDerived()) {
            throw new IllegalArgumentException("namespace " + name + " is already derived");
        }
        return new Namespace(name + ".chunks");
    }

    /** True for namespaces a decorator derived from another one. */
    public boolean isDerived() {
        return name.indexOf('.') >= 0;
    }

    @Override
    public String toString() {
        return name;
    }
}
