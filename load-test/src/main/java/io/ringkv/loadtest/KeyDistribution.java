package io.ringkv.loadtest;

import java.util.Locale;

/** How the benchmark spreads requests over the loaded keys. */
public enum KeyDistribution {
    /** Every key equally likely. */
    UNIFORM,
    /** YCSB's scrambled zipfian, theta 0.99: a few hot keys, scattered over the key space. */
    ZIPFIAN;

    /** The name in reports and on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
