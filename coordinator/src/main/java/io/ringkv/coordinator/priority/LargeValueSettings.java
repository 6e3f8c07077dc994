package io.ringkv.coordinator.priority;

/**
 * How a node runs the work of large values (records stored in chunks): on {@code threads} platform
 * threads at nice {@code nice}, so on a busy machine small requests get the CPU first, with at most
 * {@code queue} tasks waiting for them.
 *
 * @param threads threads reading, checking and writing large records ({@value #MIN_THREADS}..{@value #MAX_THREADS})
 * @param nice    their Linux nice value ({@value #MIN_NICE}..{@value #MAX_NICE}); 0: the same priority as requests
 * @param queue   tasks that may wait for a thread ({@value #MIN_QUEUE}..{@value #MAX_QUEUE}); a waiting write
 *                holds its value, so this bounds the memory a burst of large values takes; past it a
 *                peer's large-value call is refused with RESOURCE_EXHAUSTED, this node's own read of a
 *                large record fails over to another replica, and its own write runs on a virtual thread
 */
public record LargeValueSettings(int threads, int nice, int queue) {
    public static final int MIN_THREADS = 1;
    public static final int MAX_THREADS = 64;
    public static final int MIN_NICE = 0;
    public static final int MAX_NICE = 19;
    public static final int DEFAULT_THREADS = 2;
    public static final int DEFAULT_NICE = 10;
    public static final int MIN_QUEUE = 1;
    public static final int MAX_QUEUE = 65_536;
    public static final int DEFAULT_QUEUE = 1_024;
    public static final LargeValueSettings DEFAULTS = new LargeValueSettings(DEFAULT_THREADS, DEFAULT_NICE, DEFAULT_QUEUE);

    public LargeValueSettings {
        if (threads < MIN_THREADS || threads > MAX_THREADS) {
            throw new IllegalArgumentException("large_value_threads must be in [" + MIN_THREADS + ", " + MAX_THREADS
                    + "], was " + threads);
        }
        if (nice < MIN_NICE || nice > MAX_NICE) {
            throw new IllegalArgumentException("large_value_nice must be in [" + MIN_NICE + ", " + MAX_NICE
                    + "], was " + nice);
        }
        if (queue < MIN_QUEUE || queue > MAX_QUEUE) {
            throw new IllegalArgumentException("large_value_queue must be in [" + MIN_QUEUE + ", " + MAX_QUEUE
                    + "], was " + queue);
        }
    }

    /** {@code threads} at {@code nice}, with the default queue. */
    public LargeValueSettings(int threads, int nice) {
        this(threads, nice, DEFAULT_QUEUE);
    }
}
