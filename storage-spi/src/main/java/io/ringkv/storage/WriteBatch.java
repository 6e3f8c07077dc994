package io.ringkv.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * Mutations applied atomically, across namespaces: after a crash either all are visible or none.
 *
 * <p>Not thread-safe; build it on one thread and hand it to {@link StorageEngine#write}.
 */
public final class WriteBatch {
    private final List<Mutation> mutations = new ArrayList<>();

    public WriteBatch put(Namespace ns, byte[] key, byte[] value) {
        mutations.add(new Mutation.Put(ns, key, value));
        return this;
    }

    public WriteBatch delete(Namespace ns, byte[] key) {
        mutations.add(new Mutation.Delete(ns, key));
        return this;
    }

    /** The mutations in order, as a read-only view. */
    public List<Mutation> mutations() {
        return java.util.Collections.unmodifiableList(mutations);
    }

    public int size() {
        return mutations.size();
    }

    public boolean isEmpty() {
        return mutations.isEmpty();
    }
}
