package io.ringkv.storage;

import java.util.Locale;

/** When a write reaches stable storage before it is acknowledged. */
public enum SyncMode {
    /**
     * fsync before every acknowledgement, with no delay to gather writers: survives power loss. An
     * engine may still let writers that arrive while one fsync runs share the next.
     */
    ALWAYS,
    /**
     * Group commit: a writer waits until a background fsync covers its write; concurrent writers
     * share one fsync, and a lone writer waits at most one fsync plus {@code syncDelayMillis}.
     */
    BATCH,
    /** The write-ahead log reaches the OS but is never forced: survives a process crash, not power loss. */
    NEVER;

    public static SyncMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad sync mode '" + text + "': expected always, batch or never");
        }
    }
}
