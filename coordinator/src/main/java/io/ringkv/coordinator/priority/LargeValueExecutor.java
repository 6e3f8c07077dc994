package io.ringkv.coordinator.priority;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the work of large values (reading, checksumming and writing megabytes) on a few platform
 * threads at a lower CPU priority. That work is all CPU and memory bandwidth: at the same priority
 * a few large values in flight take the machine's cores from the small requests behind them, at a
 * lower one they use what small requests leave, and all of it when there are none. Tasks must not
 * wait for I/O other than storage reads and writes (no fsync: use the durability futures).
 */
public final class LargeValueExecutor implements Executor, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LargeValueExecutor.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ThreadPoolExecutor pool;
    private final LargeValueSettings settings;

    public LargeValueExecutor(LargeValueSettings settings) {
        this.settings = settings;
        int poolNumber = POOLS.incrementAndGet();
        AtomicInteger threadNumber = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread t = new Thread(() -> {
                        lowerPriority(settings.nice());
                        task.run();
                    }, "ringkv-large-value-" + poolNumber + "-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    private static void lowerPriority(int nice) {
        if (nice > 0 && !ThreadNice.set(nice)) {
            log.warn("large-value thread {} runs at its inherited priority: nice {} not supported or refused here",
                    Thread.currentThread().getName(), nice);
        }
    }

    public LargeValueSettings settings() {
        return settings;
    }

    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /** Stops the threads once the tasks already given have run (they are bounded by requests in flight). */
    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
