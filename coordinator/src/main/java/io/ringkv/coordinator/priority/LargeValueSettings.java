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
 * @param bulkPort the bulk lane's port ({@value #BULK_OFF}: no bulk lane; 0: a free port chosen at start;
 *                 else 1..65535): a second endpoint serving the same services on event loops at nice
 *                 {@code nice}, which clients and peers use for requests that carry large values
 * @param bulkEventLoops the bulk lane's server event loops, and its client event loops toward peers
 *                 ({@value #MIN_BULK_EVENT_LOOPS}..{@value #MAX_BULK_EVENT_LOOPS})
 */
public record LargeValueSettings(int threads, int nice, int queue, int bulkPort, int bulkEventLoops) {
    public static final int MIN_THREADS = 1;
    public static final int MAX_THREADS = 64;
    public static final int MIN_NICE = 0;
    public static final int MAX_NICE = 19;
    public static final int DEFAULT_THREADS = 2;
    public static final int DEFAULT_NICE = 10;
    public static final int MIN_QUEUE = 1;
    public static final int MAX_QUEUE = 65_536;
    public static final int DEFAULT_QUEUE = 1_024;
    public static final int BULK_OFF = -1;
    public static final int DEFAULT_BULK_PORT = 0;
    public static final int MIN_BULK_EVENT_LOOPS = 1;
    public static final int MAX_BULK_EVENT_LOOPS = 16;
    public static final int DEFAULT_BULK_EVENT_LOOPS = 1;
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
        if (bulkPort < BULK_OFF || bulkPort > 65_535) {
            throw new IllegalArgumentException("bulk_port must be off, 0 (any free port) or in [1, 65535], was " + bulkPort);
        }
        if (bulkEventLoops < MIN_BULK_EVENT_LOOPS || bulkEventLoops > MAX_BULK_EVENT_LOOPS) {
            throw new IllegalArgumentException("bulk_event_loops must be in [" + MIN_BULK_EVENT_LOOPS + ", "
                    + MAX_BULK_EVENT_LOOPS + "], was " + bulkEventLoops);
        }
    }

    /** {@code threads} at {@code nice} with {@code queue}, and the default bulk lane (a free port, one event loop). */
    public LargeValueSettings(int threads, int nice, int queue) {
        this(threads, nice, queue, DEFAULT_BULK_PORT, DEFAULT_BULK_EVENT_LOOPS);
    }

    /** Whether the node serves a bulk lane. */
    public boolean bulkLane() {
        return bulkPort != BULK_OFF;
    }

    /** {@code threads} at {@code nice}, with the default queue. */
    public LargeValueSettings(int threads, int nice) {
        this(threads, nice, DEFAULT_QUEUE);
    }
}
