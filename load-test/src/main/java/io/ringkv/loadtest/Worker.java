package io.ringkv.loadtest;

import io.ringkv.client.GetResult;
import io.ringkv.client.PutOptions;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.Versioned;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One thread of the measured phase. It issues blocking operations one after another and records
 * each latency, in microseconds, into recorders only it writes (wait-free: the progress reporter
 * swaps their interval histograms out without stopping it), so threads never contend.
 *
 * <p>Closed loop: the next operation starts when the last one ends; latency is its service time.
 * Open loop: operation {@code k} of this thread is due at {@code start + k * period}; the thread
 * sleeps until then if early, starts at once if late, and measures latency from the due time, so
 * a stall shows up in the latency of every operation it delayed (no coordinated omission).
 *
 * <p>An operation belongs to the measured phase if it started (closed loop) or was due (open loop)
 * at or after {@code measureStart}; warmup operations only feed the progress lines.
 */
final class Worker implements Runnable {
    /** The shared schedule of a run, in System.nanoTime() units. */
    record Schedule(long runStart, long measureStart, long measureEnd, long hardStop, double periodNanos,
                    int threads) {
    }

    private final int id;
    private final Schedule schedule;
    private final RingkvClient client;
    private final KeyChooser keys;
    private final SplittableRandom random;
    private final double readProportion;
    private final boolean validate;
    private final ReadOptions readOptions;
    private final PutOptions putOptions;
    private final long quota;
    private final ErrorLog errorLog;

    private final ValueCodec codec = new ValueCodec();
    private final byte[] key = Keys.newBuffer();
    private final byte[] value;
    private final byte[] pool;

    // Written by this thread only; the recorders are safe to drain from another thread.
    final SingleWriterRecorder[] measured = recorders();
    final SingleWriterRecorder[] warmup = recorders();
    /** Failures in the measured phase, [op][kind]; read after the thread ends. */
    final long[][] errors = new long[OpType.ALL.length][ErrorKind.ALL.length];
    /** Reads that found no value (counted as successes when not validating); read after the thread ends. */
    long notFound;
    long validatedReads;
    /** Open loop: measured-phase operations that were due but never issued before the hard stop. */
    long unissued;
    /** When the last measured operation ended (0 if none). */
    long lastMeasuredEnd;
    /** Failures in any phase, for the progress lines (written with release semantics by this thread only). */
    final AtomicLong failures = new AtomicLong();

    Worker(int id, Schedule schedule, RingkvClient client, KeyChooser keys, SplittableRandom random,
           BenchConfig config, long quota, ErrorLog errorLog) {
        this.id = id;
        this.schedule = schedule;
        this.client = client;
        this.keys = keys;
        this.random = random;
        this.readProportion = config.readProportion();
        this.validate = config.validate();
        this.readOptions = ReadOptions.defaults().withKeyspace(config.keyspace())
                .withConsistency(config.readConsistency());
        this.putOptions = PutOptions.defaults().withKeyspace(config.keyspace())
                .withConsistency(config.writeConsistency());
        this.quota = quota;
        this.errorLog = errorLog;
        this.value = new byte[config.valueSize()];
        this.pool = ValueCodec.payloadPool(random, config.valueSize());
    }

    private static SingleWriterRecorder[] recorders() {
        SingleWriterRecorder[] r = new SingleWriterRecorder[OpType.ALL.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = new SingleWriterRecorder(3); // auto-resizing, 3 significant digits
        }
        return r;
    }

    @Override
    public void run() {
        if (schedule.periodNanos() > 0) {
            openLoop();
        } else {
            closedLoop();
        }
    }

    private void closedLoop() {
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
            operate(start, measuring);
        }
    }

    private void openLoop() {
        long measureStart = schedule.measureStart();
        long measureEnd = schedule.measureEnd();
        double period = schedule.periodNanos();
        // Threads are staggered evenly within one period so the total rate is smooth.
        long first = schedule.runStart() + Math.round(period * id / schedule.threads());
        long issued = 0;
        for (long k = 0; ; k++) {
            long due = first + Math.round(k * period);
            if (due - measureEnd >= 0 || issued >= quota) {
                return;
            }
            long now = System.nanoTime();
            if (now - schedule.hardStop() >= 0) {
                unissued = Math.min(quota - issued, remainingMeasuredSlots(first, k, period, measureStart, measureEnd));
                return;
            }
            while (due - now > 0) {
                LockSupport.parkNanos(due - now);
                now = System.nanoTime();
            }
            boolean measuring = due - measureStart >= 0;
            if (measuring) {
                issued++;
            }
            operate(due, measuring);
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

    /** One operation; {@code start} is when it started (closed loop) or was due (open loop). */
    private void operate(long start, boolean measuring) {
        Keys.write(keys.next(random), key);
        String name = Keys.toKey(key);
        int op = random.nextDouble() < readProportion ? 0 : 1;
        ErrorKind failure;
        try {
            failure = op == 0 ? read(name, measuring) : update(name);
        } catch (RuntimeException e) {
            failure = ErrorKind.of(e);
            errorLog.first(failure, OpType.ALL[op], name, e);
        }
        long end = System.nanoTime();
        if (failure == null) {
            (measuring ? measured : warmup)[op].recordValue((end - start + 500) / 1000);
        } else {
            failures.setRelease(failures.getPlain() + 1);
            if (measuring) {
                errors[op][failure.ordinal()]++;
            }
        }
        if (measuring) {
            lastMeasuredEnd = end;
        }
    }

    private ErrorKind read(String name, boolean measuring) {
        GetResult result = client.get(name, readOptions);
        if (!validate) {
            if (!result.found() && measuring) {
                notFound++;
            }
            return null;
        }
        if (measuring) {
            validatedReads++;
        }
        ErrorKind failure = check(result);
        if (failure != null) {
            errorLog.first(failure, OpType.READ, name, null);
        }
        return failure;
    }

    /** A read of a sealed key is right only if it found at least one value and every value verifies. */
    private ErrorKind check(GetResult result) {
        List<Versioned> values = result.values();
        if (!result.found() || values.isEmpty()) {
            return ErrorKind.VALIDATION_MISSING;
        }
        for (int i = 0; i < values.size(); i++) {
            if (!codec.verify(key, Keys.LENGTH, values.get(i).value())) {
                return ErrorKind.VALIDATION_MISMATCH;
            }
        }
        return null;
    }

    private ErrorKind update(String name) {
        codec.fill(random, pool, value, key, Keys.LENGTH);
        // The blocking put returns only when the call is over, so reusing the buffer is safe.
        client.put(name, value, putOptions);
        return null;
    }
}
