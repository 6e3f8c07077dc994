package io.ringkv.loadtest;

/** The operations of the read/update mix, by their YCSB names. */
public enum OpType {
    READ("read"),
    UPDATE("update");

    static final OpType[] ALL = values();

    private final String label;

    OpType(String label) {
        this.label = label;
    }

    /** The name in reports. */
    public String label() {
        return label;
    }
}
