package io.ringkv.loadtest;

import io.ringkv.client.RingkvClient;
import io.ringkv.loadtest.telemetry.BenchMetrics;
import io.ringkv.loadtest.telemetry.OperationTracer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/** The run: warmup, then --duration seconds of the workload's mix on --threads threads. */
final class Benchmark {
    private final BenchConfig config;
    private final RingkvClient client;
    private final SplittableRandom random;
    private final PrintStream err;
    private final ErrorLog errorLog;
    private final OperationTracer tracer;
    private final BenchMetrics metrics;

    /**
     * @param tracer  a span per operation, or null (tracing off)
     * @param metrics fed at each progress line, or null (metrics off)
     */
    Benchmark(BenchConfig config, RingkvClient client, SplittableRandom random, PrintStream err, ErrorLog errorLog,
              OperationTracer tracer, BenchMetrics metrics) {
        this.config = config;
        this.client = client;
        this.random = random;
        this.err = err;
        this.errorLog = errorLog;
        this.tracer = tracer;
        this.metrics = metrics;
    }

    /**
     * Runs the workload; {@code atRunStart} gets the run's time 0 (System.nanoTime) just before the
     * workers start, for a fault scenario to count from. {@code failedLoads}: the keys whose load
     * failed ({@link LoadResult#failedKeys()}), which a validated read may find missing.
     */
    RunResult run(byte[] pool, long[] failedLoads, java.util.function.LongConsumer atRunStart)
            throws InterruptedException {
        KeyChooser keys = KeyChooser.of(config.keyDistribution(), config.records(), config.hotspotSetFraction(),
                config.hotspotOpFraction());
        InsertSequence inserts = new InsertSequence(config.records(), failedLoads);
        int threads = config.threads();
        // An open loop that fell behind gets this long after the end to issue its backlog.
        long drain = Math.max(TimeUnit.SECONDS.toNanos(5), 2 * config.requestTimeout().toNanos());

        long runStart = System.nanoTime();
        Timeline timeline = new Timeline(runStart, config.timelineIntervalSeconds(), config.warmupSeconds(),
                config.durationSeconds());
        Operations operations = new Operations(client,
                new Operations.Shared(keys, inserts, pool, timeline, errorLog, tracer), config);
        long measureStart = runStart + config.warmupNanos();
        long measureEnd = measureStart + config.durationNanos();
        Schedule schedule = new Schedule(runStart, measureStart, measureEnd, measureEnd + drain,
                config.openLoop() ? 1e9 / config.targetOps() : 0);
        int sizeClasses = config.valueSizes().classes().size();
        List<Tally> tallies = new ArrayList<>();
        List<Runnable> loops = new ArrayList<>();
        if (config.openLoop()) {
            // One issuing thread; --threads bounds the operations in flight.
            Tally tally = new Tally(sizeClasses, timeline);
            long quota = config.maxOps() == 0 ? Long.MAX_VALUE : config.maxOps();
            tallies.add(tally);
            loops.add(new OpenLoop(schedule, operations, random.split(), threads, quota, tally));
        } else {
            for (int i = 0; i < threads; i++) {
                long quota = config.maxOps() == 0 ? Long.MAX_VALUE
                        : config.maxOps() / threads + (i < config.maxOps() % threads ? 1 : 0);
                Tally tally = new Tally(sizeClasses, timeline);
                tallies.add(tally);
                loops.add(new Worker(schedule, operations, random.split(), quota, tally));
            }
        }
        atRunStart.accept(runStart);

        CountDownLatch done = new CountDownLatch(loops.size());
        AtomicReference<Throwable> crash = new AtomicReference<>();
        Thread.Builder builder = config.virtualThreads() && !config.openLoop() ? Thread.ofVirtual().name("bench-", 0)
                : Thread.ofPlatform().daemon(true).name("bench-", 0);
        for (Runnable loop : loops) {
            builder.start(() -> {
                try {
                    loop.run();
                } catch (Throwable t) {
                    crash.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            });
        }

        Histogram[][] totals = new Histogram[OpType.ALL.length][];
        for (int op = 0; op < totals.length; op++) {
            totals[op] = newHistograms(config.valueSizes().classes().size());
        }
        long interval = Math.round(config.progressIntervalSeconds() * 1e9);
        long lastTick = runStart;
        long nextTick = runStart + interval;
        long[] failuresSeen = new long[OpType.ALL.length];
        while (!done.await(Math.max(0, nextTick - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            long now = System.nanoTime();
            Histogram[] tick = newHistograms(OpType.ALL.length);
            drain(tallies, totals, tick);
            long[] failures = failures(tallies);
            progress(now - runStart, now - lastTick, lastTick - measureStart >= 0, tick, failures);
            record(tick, failures, failuresSeen);
            lastTick = now;
            nextTick += interval;
        }
        Histogram[] last = newHistograms(OpType.ALL.length);
        drain(tallies, totals, last);
        record(last, failures(tallies), failuresSeen);
        if (crash.get() != null) {
            throw new IllegalStateException("a benchmark thread failed", crash.get());
        }

        long[][] errors = new long[OpType.ALL.length][ErrorKind.ALL.length];
        long notFound = 0;
        long validated = 0;
        long unissued = 0;
        long lastEnd = measureStart;
        Histogram issueLag = new Histogram(3);
        for (Tally t : tallies) {
            issueLag.add(t.issueLag);
            for (int op = 0; op < errors.length; op++) {
                for (int k = 0; k < errors[op].length; k++) {
                    errors[op][k] += t.errors(op, k);
                }
            }
            notFound += t.notFound.sum();
            validated += t.validatedReads.sum();
            unissued += t.unissued;
            if (t.lastMeasuredEnd() != 0 && t.lastMeasuredEnd() - lastEnd > 0) {
                lastEnd = t.lastMeasuredEnd();
            }
        }
        double seconds = (lastEnd - measureStart) / 1e9;
        return new RunResult(seconds, totals, errors, notFound, validated, unissued, timeline.points(),
                timeline.intervalSeconds(), inserts.claimed(config.records()), issueLag);
    }

    private static Histogram[] newHistograms(int n) {
        Histogram[] h = new Histogram[n];
        for (int i = 0; i < h.length; i++) {
            h[i] = new Histogram(3);
        }
        return h;
    }

    /** Moves what the workers recorded since the last call into the totals (measured) and the tick (all). */
    private static void drain(List<Tally> tallies, Histogram[][] totals, Histogram[] tick) {
        for (Tally w : tallies) {
            for (int op = 0; op < totals.length; op++) {
                for (int c = 0; c < totals[op].length; c++) {
                    Histogram measured = w.measured[op][c].getIntervalHistogram();
                    totals[op][c].add(measured);
                    tick[op].add(measured);
                }
                tick[op].add(w.warmup[op].getIntervalHistogram());
            }
        }
    }

    /** Every worker's failures so far, per op (any phase). */
    private static long[] failures(List<Tally> tallies) {
        long[] failures = new long[OpType.ALL.length];
        for (Tally w : tallies) {
            for (int op = 0; op < failures.length; op++) {
                failures[op] += w.failures.getAcquire(op);
            }
        }
        return failures;
    }

    /** Hands one progress interval to the metrics, if they are on: the successes and the new failures. */
    private void record(Histogram[] tick, long[] failures, long[] failuresSeen) {
        if (metrics == null) {
            return;
        }
        long[] fresh = new long[failures.length];
        for (int op = 0; op < fresh.length; op++) {
            fresh[op] = failures[op] - failuresSeen[op];
            failuresSeen[op] = failures[op];
        }
        metrics.record(tick, fresh);
    }

    private void progress(long elapsed, long tickNanos, boolean measuring, Histogram[] tick, long[] failuresByOp) {
        long ops = 0;
        for (Histogram h : tick) {
            ops += h.getTotalCount();
        }
        long failures = 0;
        for (long f : failuresByOp) {
            failures += f;
        }
        StringBuilder line = new StringBuilder(160);
        line.append(String.format("[%7.1fs] %-7s %9.0f ops/s", elapsed / 1e9, measuring ? "measure" : "warmup",
                ops * 1e9 / Math.max(1, tickNanos)));
        for (OpType op : OpType.ALL) {
            if (config.workload().proportion(op) == 0) {
                continue;
            }
            Histogram h = tick[op.ordinal()];
            line.append(String.format("  %s p50 %s p99 %s ms", op.label(), Report.millis(h.getValueAtPercentile(50)),
                    Report.millis(h.getValueAtPercentile(99))));
        }
        line.append("  errors ").append(failures);
        err.println(line);
    }
}
