package io.ringkv.loadtest;

import java.util.SplittableRandom;

/**
 * One thread of a closed loop: it starts an operation, waits for its outcome, and starts the next,
 * so latency is service time and throughput is what the cluster sustains at this concurrency. An
 * operation belongs to the measured phase if it started at or after {@code measureStart}; warmup
 * operations only feed the progress lines and the timeline.
 */
final class Worker implements Runnable {
    private final Schedule schedule;
    private final Operations operations;
    private final SplittableRandom random;
    private final long quota;
    final Tally tally;

    Worker(Schedule schedule, Operations operations, SplittableRandom random, long quota, Tally tally) {
        this.schedule = schedule;
        this.operations = operations;
        this.random = random;
        this.quota = quota;
        this.tally = tally;
    }

    @Override
    public void run() {
        long measureStart = schedule.measureStart();
        long measureEnd = schedule.measureEnd();
        long issued = 0;
        while (true) {
            long start = System.nanoTime();
            if (start - measureEnd >= 0 || issued >= quota) {
                return;
            }
            boolean measuring = start - measureStart >= 0;
            if (measuring) {
                issued++;
            }
            operations.start(random, start, measuring, tally).join();
        }
    }
}
