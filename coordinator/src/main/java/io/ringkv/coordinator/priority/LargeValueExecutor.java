package io.ringkv.coordinator.priority;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the work of large values (reading, checksumming and writing megabytes) on a few platform
 * threads at a lower CPU priority. That work is all CPU and memory bandwidth: at the same priority
 * a few large values in flight take the machine's cores from the small requests behind them, at a
 * lower one they use what small requests leave, and all of it when there are none. Tasks must not
 * wait for I/O other than storage reads and writes (no fsync: use the durability futures), and must
 * not start threads: Linux gives a new thread its creator's priority, and a pool that grew a thread
 * from here (the virtual-thread scheduler, an event loop starting lazily) would serve small requests
 * at the lower priority for good. {@link #supply} hands a result to dependents on normal-priority
 * threads that were started with the executor.
 */
public final class LargeValueExecutor implements Executor, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LargeValueExecutor.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ThreadPoolExecutor pool;
    private final ThreadPoolExecutor handoff;
    private final LargeValueSettings settings;

    public LargeValueExecutor(LargeValueSettings settings) {
        this.settings = settings;
        int poolNumber = POOLS.incrementAndGet();
        this.pool = fixedPool(settings.threads(), "ringkv-large-value-" + poolNumber + "-",
                () -> lowerPriority(settings.nice()));
        this.handoff = fixedPool(settings.threads(), "ringkv-large-done-" + poolNumber + "-", () -> { });
        // Started now, by the thread building the node, at its priority: submitting never creates them.
        handoff.prestartAllCoreThreads();
    }

    /** {@code threads} daemon threads named {@code prefix<n>}, each running {@code atStart} first. */
    private static ThreadPoolExecutor fixedPool(int threads, String prefix, Runnable atStart) {
        AtomicInteger number = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread t = new Thread(() -> {
                atStart.run();
                task.run();
            }, prefix + number.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code work} on a large-value thread and completes the returned future, with its result
     * or what it threw, on a normal-priority thread, where the future's dependents then run.
     */
    public <T> CompletableFuture<T> supply(Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(() -> {
            T value = null;
            Throwable error = null;
            try {
                value = work.get();
            } catch (RuntimeException | Error e) {
                error = e;
            }
            T v = value;
            Throwable e = error;
            try {
                handoff.execute(() -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(v);
                    }
                });
            } catch (RejectedExecutionException stopped) {
                result.completeExceptionally(stopped);
            }
        });
        return result;
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
        for (ThreadPoolExecutor p : List.of(pool, handoff)) {
            p.shutdown();
            try {
                if (!p.awaitTermination(10, TimeUnit.SECONDS)) {
                    p.shutdownNow();
                }
            } catch (InterruptedException e) {
                p.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
