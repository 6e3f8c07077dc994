package io.ringkv.coordinator.keyspace;

/**
 * How many replicas a request needs: a named level, or an explicit count when {@code count > 0}.
 * {@link Level#DEFAULT} means the keyspace's own R or W.
 */
public record Consistency(Level level, int count) {
    /** Named consistency levels. */
    public enum Level { DEFAULT, ONE, QUORUM, ALL }

    public static final Consistency DEFAULT = new Consistency(Level.DEFAULT, 0);

    public Consistency {
        if (count < 0) {
            throw new IllegalArgumentException("replica count must not be negative, was " + count);
        }
    }

    public static Consistency of(Level level) {
        return new Consistency(level, 0);
    }

    public static Consistency count(int n) {
        return new Consistency(Level.DEFAULT, n);
    }

    /**
     * The number of replicas this consistency asks for in a keyspace of {@code n} replicas whose
     * default is {@code keyspaceDefault}; fails when it is more than {@code n}.
     */
    public int required(int n, int keyspaceDefault, char what) {
        int required = count > 0 ? count : switch (level) {
            case DEFAULT -> keyspaceDefault;
            case ONE -> 1;
            case QUORUM -> n / 2 + 1;
            case ALL -> n;
        };
        if (required > n) {
            throw new IllegalArgumentException(what + "=" + required + " is more than the keyspace's N=" + n);
        }
        return required;
    }
}
