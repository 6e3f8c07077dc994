package io.ringkv.loadtest;

import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The open loop: one thread has operation {@code k} due at {@code runStart + k * period}, sleeps
 * until then if early, starts it at once if late, and never waits for a reply; latency is measured
 * from the due time, so a stall shows up in the latency of every operation it delayed (no
 * coordinated omission). At most {@code maxInFlight} operations are in flight: at the bound the
 * loop waits, and the operations due meanwhile start late and say so in their latencies.
 *
 * <p>One issuing thread instead of a thread per outstanding call: a blocked thread per call costs
 * the client machine a sleep and a wakeup per operation, which on a small machine shared with the
 * cluster is load the cluster then has to compete with.
 */
final class OpenLoop implements Runnable {
    private final Schedule schedule;
    private final Operations operations;
    private final SplittableRandom random;
    private final int maxInFlight;
    private final long quota;
    private final Semaphore inFlight;
    final Tally tally;

    OpenLoop(Schedule schedule, Operations operations, SplittableRandom random, int maxInFlight, long quota,
             Tally tally) {
        this.schedule = schedule;
        this.operations = operations;
        this.random = random;
        this.maxInFlight = maxInFlight;
        this.quota = quota;
        this.inFlight = new Semaphore(maxInFlight);
        this.tally = tally;
    }

    @Override
    public void run() {
        long first = schedule.runStart();
        long measureStart = schedule.measureStart();
        long measureEnd = schedule.measureEnd();
        double period = schedule.periodNanos();
        long issued = 0;
        try {
            for (long k = 0; ; k++) {
                long due = first + Math.round(k * period);
                if (due - measureEnd >= 0 || issued >= quota) {
                    return;
                }
                long now = System.nanoTime();
                while (due - now > 0) {
                    LockSupport.parkNanos(due - now);
                    now = System.nanoTime();
                }
                if (!acquireBefore(schedule.hardStop())) {
                    tally.unissued = Math.min(quota - issued,
                            remainingMeasuredSlots(first, k, period, measureStart, measureEnd));
                    return;
                }
                boolean measuring = due - measureStart >= 0;
                if (measuring) {
                    issued++;
                    // The tester's own lateness (a sleep that overran, a CPU it waited for, a full
                    // in-flight bound): already inside every latency, reported apart so a reader
                    // can tell the tester's delays from the cluster's.
                    tally.issueLag.recordValue(Math.max(0, System.nanoTime() - due) / 1000);
                }
                operations.start(random, due, measuring, tally).whenComplete((ignored, error) -> inFlight.release());
            }
        } finally {
            // The run ends when the last reply is in: each call ends by its deadline.
            inFlight.acquireUninterruptibly(maxInFlight);
        }
    }

    /** Takes an in-flight slot; false if it is {@code hardStop} already, or none freed up before it. */
    private boolean acquireBefore(long hardStop) {
        long left = hardStop - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        if (inFlight.tryAcquire()) {
            return true;
        }
        try {
            return inFlight.tryAcquire(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** How many of slots {@code k, k+1, ...} fall in [measureStart, measureEnd). */
    static long remainingMeasuredSlots(long first, long k, double period, long measureStart, long measureEnd) {
        long count = 0;
        for (long j = k; ; j++) {
            long due = first + Math.round(j * period);
            if (due - measureEnd >= 0) {
                return count;
            }
            if (due - measureStart >= 0) {
                count++;
            }
        }
    }
}
