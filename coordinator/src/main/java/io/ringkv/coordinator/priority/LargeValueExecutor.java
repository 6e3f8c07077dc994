package io.ringkv.coordinator.priority;

import io.ringkv.priority.ThreadNice;
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
 *
 * <p>At most {@code large_value_queue} tasks wait: past that {@link #execute} throws {@link Full}, so a
 * burst of large values is refused with a named limit instead of queueing megabytes without end, and
 * a supplied task still waiting at its deadline is dropped unrun (its caller has given up on it).
 */
public final class LargeValueExecutor implements Executor, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LargeValueExecutor.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ThreadPoolExecutor pool;
    private final ThreadPoolExecutor handoff;
    private final LargeValueSettings settings;

    /** The queue of waiting tasks is full: the caller should refuse its request as overloaded. */
    public static final class Full extends RejectedExecutionException {
        Full(int queue) {
            super("the large-value queue is full: " + queue + " tasks waiting (large_value_queue)");
        }
    }

    /** A task waited past its deadline for a large-value thread and was not run. */
    public static final class Expired extends RuntimeException {
        Expired(long waitedMillis) {
            super("waited " + waitedMillis + " ms for a large-value thread, past its deadline; not run");
        }
    }

    public LargeValueExecutor(LargeValueSettings settings) {
        this.settings = settings;
        int poolNumber = POOLS.incrementAndGet();
        this.pool = fixedPool(settings.threads(), settings.queue(), "ringkv-large-value-" + poolNumber + "-",
                () -> lowerPriority(settings.nice()));
        // Unbounded: each entry is a finished task's result, and there are no more of them than tasks.
        this.handoff = fixedPool(settings.threads(), Integer.MAX_VALUE, "ringkv-large-done-" + poolNumber + "-", () -> { });
        // Started now, by the thread building the node, at its priority: submitting never creates them.
        handoff.prestartAllCoreThreads();
    }

    /**
     * {@code threads} daemon threads named {@code prefix<n>}, each running {@code atStart} first, with
     * at most {@code queue} tasks waiting; past it {@link Full}, and once shut down a plain refusal.
     */
    private static ThreadPoolExecutor fixedPool(int threads, int queue, String prefix, Runnable atStart) {
        AtomicInteger number = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(queue), task -> {
            Thread t = new Thread(() -> {
                atStart.run();
                task.run();
            }, prefix + number.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (task, executor) -> {
            if (executor.isShutdown()) {
                throw new RejectedExecutionException("the large-value threads are stopping");
            }
            throw new Full(queue);
        });
    }

    /**
     * Runs {@code work} on a large-value thread and completes the returned future, with its result
     * or what it threw, on a normal-priority thread, where the future's dependents then run. If no
     * thread took it up by {@code deadlineNanos} ({@link System#nanoTime}), it is not run and the
     * future fails with {@link Expired}. Throws {@link Full} or a plain refusal as {@link #execute}.
     */
    public <T> CompletableFuture<T> supply(Supplier<T> work, long deadlineNanos) {
        return supply(work, true, deadlineNanos);
    }

    /** {@link #supply(Supplier, long)} for work that must run however long it waited (a write of this node's own). */
    public <T> CompletableFuture<T> supply(Supplier<T> work) {
        return supply(work, false, 0);
    }

    private <T> CompletableFuture<T> supply(Supplier<T> work, boolean hasDeadline, long deadlineNanos) {
        CompletableFuture<T> result = new CompletableFuture<>();
        long queuedAt = System.nanoTime();
        execute(() -> {
            T value = null;
            Throwable error = null;
            long now = System.nanoTime();
            try {
                if (hasDeadline && now - deadlineNanos >= 0) {
                    error = new Expired(TimeUnit.NANOSECONDS.toMillis(now - queuedAt));
                } else {
                    value = work.get();
                }
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
