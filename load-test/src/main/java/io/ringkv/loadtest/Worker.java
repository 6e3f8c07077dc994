package io.ringkv.loadtest;

import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One worker of a closed loop: it starts an operation, and when its outcome is in, the next, so
 * latency is service time and throughput is what the cluster sustains at this concurrency. An
 * operation belongs to the measured phase if it started at or after {@code measureStart}; warmup
 * operations only feed the progress lines and the timeline.
 *
 * <p>The next operation starts where the last one completed (usually the client's event loop), not
 * on a thread of the worker's own that blocks on each reply: a blocked thread costs a park and a
 * wake-up, with their system calls and context switches, per operation, which on a small machine
 * the tester takes from the cluster it measures. The thread that runs the worker waits only for the
 * end of the run.
 */
final class Worker implements Runnable {
    private final Schedule schedule;
    private final Operations operations;
    private final SplittableRandom random;
    private final long quota;
    final Tally tally;
    /** Measured operations started; touched by one operation's thread at a time (each start happens after the last end). */
    private long issued;

    Worker(Schedule schedule, Operations operations, SplittableRandom random, long quota, Tally tally) {
        this.schedule = schedule;
        this.operations = operations;
        this.random = random;
        this.quota = quota;
        this.tally = tally;
    }

    @Override
    public void run() {
        CompletableFuture<Void> finished = new CompletableFuture<>();
        continueFrom(finished);
        try {
            finished.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Starts operations until one is still running (its completion continues here) or the run is over. */
    private void continueFrom(CompletableFuture<Void> finished) {
        try {
            while (true) {
                long start = System.nanoTime();
                if (start - schedule.measureEnd() >= 0 || issued >= quota) {
                    finished.complete(null);
                    return;
                }
                boolean measuring = start - schedule.measureStart() >= 0;
                if (measuring) {
                    issued++;
                }
                CompletableFuture<Void> outcome = operations.start(random, start, measuring, tally);
                if (!outcome.isDone()) {
                    outcome.whenComplete((ignored, error) -> continueFrom(finished));
                    return;
                }
                // Done already (a failure before any call): go on here rather than nest a frame per operation.
            }
        } catch (Throwable t) {
            finished.completeExceptionally(t);
        }
    }
}
