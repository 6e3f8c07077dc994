package io.ringkv.loadtest;

import java.util.Locale;

/** How the benchmark spreads requests over the keys that exist. */
public enum KeyDistribution {
    /** Every key equally likely. */
    UNIFORM,
    /** YCSB's scrambled zipfian, theta 0.99: a few hot keys, scattered over the key space. */
    ZIPFIAN,
    /** YCSB's hotspot: a fraction of the operations goes to a fraction of the keys (the lowest indexes), uniformly. */
    HOTSPOT,
    /** YCSB's skewed-latest: zipfian over recency, the most recently inserted key the most popular. */
    LATEST;

    /** The name in reports and on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static KeyDistribution parse(String text) {
        for (KeyDistribution d : values()) {
            if (d.label().equalsIgnoreCase(text.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException(
                "--key-distribution must be uniform, zipfian, hotspot or latest, was '" + text + "'");
    }
}
