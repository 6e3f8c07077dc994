package io.ringkv.loadtest;

/** The operations of a workload mix, by their YCSB names (multi_read is ringkv's scan-free stand-in for scan). */
public enum OpType {
    /** One get of an existing key. */
    READ("read", true, false),
    /** A blind put of a fresh value to an existing key. */
    UPDATE("update", false, true),
    /** A put of a new key, the next index after the loaded and already inserted ones. */
    INSERT("insert", false, true),
    /** A get, then a put of a fresh value with the causal context of what was read; one latency for both. */
    READ_MODIFY_WRITE("read_modify_write", true, true),
    /** Gets of 1..--multi-read-max consecutive key indexes issued together; one latency for all of them. */
    MULTI_READ("multi_read", true, false);

    static final OpType[] ALL = values();

    private final String label;
    private final boolean reads;
    private final boolean writes;

    OpType(String label, boolean reads, boolean writes) {
        this.label = label;
        this.reads = reads;
        this.writes = writes;
    }

    /** The name in reports and on the command line. */
    public String label() {
        return label;
    }

    public boolean reads() {
        return reads;
    }

    public boolean writes() {
        return writes;
    }

    static OpType parse(String text) {
        for (OpType op : ALL) {
            if (op.label.equalsIgnoreCase(text.trim()) || op.name().equalsIgnoreCase(text.trim())) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown operation '" + text + "' (expected read, update, insert, "
                + "read_modify_write or multi_read)");
    }
}
