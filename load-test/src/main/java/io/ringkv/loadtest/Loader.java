package io.ringkv.loadtest;

import io.ringkv.client.PutOptions;
import io.ringkv.client.RingkvClient;
import java.io.PrintStream;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.HdrHistogram.Histogram;

/**
 * The loading phase: writes keys {@code 0 .. records-1}, sealed values of --value-size sizes, on
 * --load-threads threads (thread {@code t} takes indexes {@code t, t + threads, ...}). A key is
 * tried {@value #ATTEMPTS} times before it counts as failed; the run is told which keys failed.
 */
final class Loader {
    static final int ATTEMPTS = 3;

    private final BenchConfig config;
    private final RingkvClient client;
    private final SplittableRandom random;
    private final PrintStream err;
    private final ErrorLog errorLog;

    private final byte[] pool;

    Loader(BenchConfig config, RingkvClient client, SplittableRandom random, byte[] pool, PrintStream err,
           ErrorLog errorLog) {
        this.config = config;
        this.pool = pool;
        this.client = client;
        this.random = random;
        this.err = err;
        this.errorLog = errorLog;
    }

    private final class Task implements Runnable {
        final int id;
        final int threads;
        final SplittableRandom random;
        final Histogram latencies = new Histogram(3);
        final long[] failedAttempts = new long[ErrorKind.ALL.length];
        final AtomicLong done = new AtomicLong();
        final LongStream.Builder failed = LongStream.builder();
        long loaded;

        Task(int id, int threads, SplittableRandom random) {
            this.id = id;
            this.threads = threads;
            this.random = random;
        }

        @Override
        public void run() {
            PutOptions options = PutOptions.defaults().withKeyspace(config.keyspace())
                    .withConsistency(config.consistency(OpType.INSERT));
            ValueCodec codec = new ValueCodec();
            byte[] key = Keys.newBuffer();
            ValueSizes sizes = config.valueSizes();
            byte[] fixed = sizes.isFixed() ? new byte[sizes.min()] : null;
            for (long i = id; i < config.records(); i += threads) {
                Keys.write(i, key);
                String name = Keys.toKey(key);
                byte[] value = fixed != null ? fixed : new byte[sizes.next(random)];
                codec.fill(random, pool, value, key, Keys.LENGTH);
                boolean ok = false;
                for (int attempt = 1; attempt <= ATTEMPTS && !ok; attempt++) {
                    long start = System.nanoTime();
                    try {
                        client.put(name, value, options);
                        latencies.recordValue((System.nanoTime() - start + 500) / 1000);
                        ok = true;
                    } catch (RuntimeException e) {
                        ErrorKind kind = ErrorKind.of(e);
                        failedAttempts[kind.ordinal()]++;
                        errorLog.first(kind, OpType.INSERT, name, e);
                    }
                }
                if (ok) {
                    loaded++;
                } else {
                    failed.add(i);
                }
                done.setRelease(done.getPlain() + 1);
            }
        }
    }

    LoadResult run() throws InterruptedException {
        int threads = (int) Math.min(config.loadThreads(), config.records());
        Task[] tasks = new Task[threads];
        for (int i = 0; i < threads; i++) {
            tasks[i] = new Task(i, threads, random.split());
        }
        CountDownLatch finished = new CountDownLatch(threads);
        AtomicReference<Throwable> crash = new AtomicReference<>();
        Thread.Builder builder = config.virtualThreads() ? Thread.ofVirtual().name("bench-load-", 0)
                : Thread.ofPlatform().daemon(true).name("bench-load-", 0);
        long start = System.nanoTime();
        for (Task task : tasks) {
            builder.start(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    crash.compareAndSet(null, t);
                } finally {
                    finished.countDown();
                }
            });
        }
        long interval = Math.round(config.progressIntervalSeconds() * 1e9);
        long nextTick = start + interval;
        long lastDone = 0;
        long lastTick = start;
        while (!finished.await(Math.max(0, nextTick - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            long now = System.nanoTime();
            long doneSoFar = 0;
            for (Task t : tasks) {
                doneSoFar += t.done.getAcquire();
            }
            err.printf("[load %6.1fs] %d/%d keys  %.0f ops/s%n", (now - start) / 1e9, doneSoFar, config.records(),
                    (doneSoFar - lastDone) * 1e9 / Math.max(1, now - lastTick));
            lastDone = doneSoFar;
            lastTick = now;
            nextTick += interval;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (crash.get() != null) {
            throw new IllegalStateException("a loading thread failed", crash.get());
        }
        Histogram latencies = new Histogram(3);
        long[] failedAttempts = new long[ErrorKind.ALL.length];
        long loaded = 0;
        LongStream.Builder failed = LongStream.builder();
        for (Task t : tasks) {
            latencies.add(t.latencies);
            for (int k = 0; k < failedAttempts.length; k++) {
                failedAttempts[k] += t.failedAttempts[k];
            }
            loaded += t.loaded;
            t.failed.build().forEach(failed);
        }
        return new LoadResult(config.records(), loaded, failed.build().sorted().toArray(), seconds, failedAttempts, latencies);
    }
}
