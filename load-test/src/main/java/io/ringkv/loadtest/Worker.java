package io.ringkv.loadtest;

import io.ringkv.client.GetResult;
import io.ringkv.client.PutOptions;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.Versioned;
import io.ringkv.loadtest.telemetry.OperationTracer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One thread of the measured phase. It issues blocking operations one after another and records
 * each latency, in microseconds, into recorders only it writes (wait-free: the progress reporter
 * swaps their interval histograms out without stopping it), so threads never contend; the shared
 * {@link Timeline} gets each outcome too.
 *
 * <p>Closed loop: the next operation starts when the last one ends; latency is its service time.
 * Open loop: operation {@code k} of this thread is due at {@code start + k * period}; the thread
 * sleeps until then if early, starts at once if late, and measures latency from the due time, so
 * a stall shows up in the latency of every operation it delayed (no coordinated omission).
 *
 * <p>An operation belongs to the measured phase if it started (closed loop) or was due (open loop)
 * at or after {@code measureStart}; warmup operations only feed the progress lines and the timeline.
 */
final class Worker implements Runnable {
    /** The shared schedule of a run, in System.nanoTime() units. */
    record Schedule(long runStart, long measureStart, long measureEnd, long hardStop, double periodNanos,
                    int threads) {
    }

    /**
     * What every worker shares: the key choice, the insert sequence, the payload pool, the timeline,
     * and the span per operation (null when tracing is off).
     */
    record Shared(KeyChooser keys, InsertSequence inserts, byte[] pool, Timeline timeline, ErrorLog errorLog,
                  OperationTracer tracer) {
    }

    private final int id;
    private final Schedule schedule;
    private final RingkvClient client;
    private final Shared shared;
    private final SplittableRandom random;
    private final Workload workload;
    private final ValueSizes sizes;
    private final int multiReadMax;
    private final boolean validate;
    private final ReadOptions[] readOptions = new ReadOptions[OpType.ALL.length];
    private final PutOptions[] putOptions = new PutOptions[OpType.ALL.length];
    private final long quota;

    private final ValueCodec codec = new ValueCodec();
    private final byte[] key = Keys.newBuffer();
    /** Reused for every write when all values have one size; null otherwise. */
    private final byte[] fixedValue;

    // Written by this thread only; the recorders are safe to drain from another thread.
    /** [op][value-size class]: measured latencies of successes. */
    final SingleWriterRecorder[][] measured;
    final SingleWriterRecorder[] warmup = recorders(OpType.ALL.length);
    /** Failures in the measured phase, [op][kind]; read after the thread ends. */
    final long[][] errors = new long[OpType.ALL.length][ErrorKind.ALL.length];
    /** Reads that found no value where none was wrong (without --validate, or a failed insert's key). */
    long notFound;
    long validatedReads;
    /** Open loop: measured-phase operations that were due but never issued before the hard stop. */
    long unissued;
    /** When the last measured operation ended (0 if none). */
    long lastMeasuredEnd;
    /**
     * Failures in any phase per op, for the progress lines and the metrics (written with release
     * semantics by this thread only).
     */
    final AtomicLongArray failures = new AtomicLongArray(OpType.ALL.length);

    /** The size class of the operation in progress (the value written, or the largest value read). */
    private int sizeClass;
    /** Null when tracing is off: then no operation touches OpenTelemetry. */
    private final OperationTracer tracer;
    /** The (first) key and the number of keys of the operation in progress, for its span. */
    private String opKey = "";
    private int opKeys;

    Worker(int id, Schedule schedule, RingkvClient client, Shared shared, SplittableRandom random, BenchConfig config,
           long quota) {
        this.id = id;
        this.schedule = schedule;
        this.client = client;
        this.shared = shared;
        this.tracer = shared.tracer();
        this.random = random;
        this.workload = config.workload();
        this.sizes = config.valueSizes();
        this.multiReadMax = config.multiReadMax();
        this.validate = config.validate();
        for (OpType op : OpType.ALL) {
            readOptions[op.ordinal()] = ReadOptions.defaults().withKeyspace(config.keyspace())
                    .withConsistency(config.consistency(op));
            putOptions[op.ordinal()] = PutOptions.defaults().withKeyspace(config.keyspace())
                    .withConsistency(config.consistency(op));
        }
        this.quota = quota;
        this.fixedValue = sizes.isFixed() ? new byte[sizes.min()] : null;
        this.measured = new SingleWriterRecorder[OpType.ALL.length][];
        for (int op = 0; op < measured.length; op++) {
            measured[op] = recorders(sizes.classes().size());
        }
    }

    private static SingleWriterRecorder[] recorders(int n) {
        SingleWriterRecorder[] r = new SingleWriterRecorder[n];
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
        OpType op = workload.pick(random);
        sizeClass = 0;
        ErrorKind failure = tracer == null ? perform(op, measuring) : traced(op, measuring);
        long end = System.nanoTime();
        if (failure == null) {
            long micros = (end - start + 500) / 1000;
            if (measuring) {
                measured[op.ordinal()][sizeClass].recordValue(micros);
            } else {
                warmup[op.ordinal()].recordValue(micros);
            }
            shared.timeline().success(op, start, micros);
        } else {
            failures.setRelease(op.ordinal(), failures.getPlain(op.ordinal()) + 1);
            if (measuring) {
                errors[op.ordinal()][failure.ordinal()]++;
            }
            shared.timeline().failure(op, start);
        }
        if (measuring) {
            lastMeasuredEnd = end;
        }
    }

    /** {@link #perform} inside its span, which is current meanwhile so the client's spans are its children. */
    private ErrorKind traced(OpType op, boolean measuring) {
        Span span = tracer.start(op, measuring);
        ErrorKind failure = null;
        try (Scope ignored = span.makeCurrent()) {
            failure = perform(op, measuring);
            return failure;
        } finally {
            tracer.end(span, opKey, opKeys, failure);
        }
    }

    /** Runs one operation of type {@code op}; returns null, or why it failed. */
    private ErrorKind perform(OpType op, boolean measuring) {
        ErrorKind failure;
        String name = "";
        opKeys = 1;
        try {
            failure = switch (op) {
                case READ -> {
                    long index = shared.keys().next(random, shared.inserts().limit());
                    name = keyName(index);
                    yield read(name, index, readOptions[op.ordinal()], measuring, op);
                }
                case UPDATE -> {
                    name = keyName(shared.keys().next(random, shared.inserts().limit()));
                    yield write(name, putOptions[op.ordinal()]);
                }
                case INSERT -> {
                    long index = shared.inserts().claim();
                    name = keyName(index);
                    boolean ok = false;
                    try {
                        write(name, putOptions[op.ordinal()]);
                        ok = true;
                    } finally {
                        shared.inserts().finish(index, ok);
                    }
                    yield null;
                }
                case READ_MODIFY_WRITE -> {
                    long index = shared.keys().next(random, shared.inserts().limit());
                    name = keyName(index);
                    yield readModifyWrite(name, index, measuring);
                }
                case MULTI_READ -> multiRead(measuring);
            };
        } catch (RuntimeException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            failure = ErrorKind.of(cause);
            shared.errorLog().first(failure, op, name, cause);
        }
        opKey = name;
        return failure;
    }

    /** Writes the key's digits into {@link #key} and returns its name. */
    private String keyName(long index) {
        Keys.write(index, key);
        return Keys.toKey(key);
    }

    private ErrorKind read(String name, long index, ReadOptions options, boolean measuring, OpType op) {
        GetResult result = client.get(name, options);
        return check(result, index, measuring, op);
    }

    private ErrorKind readModifyWrite(String name, long index, boolean measuring) {
        GetResult result = client.get(name, readOptions[OpType.READ_MODIFY_WRITE.ordinal()]);
        ErrorKind failure = check(result, index, measuring, OpType.READ_MODIFY_WRITE);
        if (failure != null) {
            return failure;
        }
        // The new value supersedes exactly what was read (causal keyspaces; LWW ignores the context).
        Keys.write(index, key);
        return write(name, putOptions[OpType.READ_MODIFY_WRITE.ordinal()].withContext(result.context()));
    }

    /** Reads 1..multiReadMax consecutive existing indexes, all requests in flight at once. */
    private ErrorKind multiRead(boolean measuring) {
        long limit = shared.inserts().limit();
        int length = (int) Math.min(limit, 1 + random.nextInt(multiReadMax));
        long first = Math.min(shared.keys().next(random, limit), limit - length);
        ReadOptions options = readOptions[OpType.MULTI_READ.ordinal()];
        @SuppressWarnings("unchecked")
        CompletableFuture<GetResult>[] reads = new CompletableFuture[length];
        for (int i = 0; i < length; i++) {
            reads[i] = client.getAsync(keyName(first + i), options);
        }
        opKeys = length;
        ErrorKind failure = null;
        int largestClass = 0;
        RuntimeException thrown = null;
        for (int i = 0; i < length; i++) {
            GetResult result;
            try {
                result = reads[i].join();
            } catch (RuntimeException e) {
                thrown = thrown == null ? e : thrown;
                continue;
            }
            Keys.write(first + i, key);
            ErrorKind f = check(result, first + i, measuring, OpType.MULTI_READ);
            failure = failure == null ? f : failure;
            largestClass = Math.max(largestClass, sizeClass);
        }
        if (thrown != null) {
            throw thrown;
        }
        sizeClass = largestClass;
        return failure;
    }

    /**
     * Checks a read of the key in {@link #key} (index {@code index}). Without --validate only counts
     * a miss. With it, a read is right only if it found at least one value and every value verifies,
     * or if it found nothing for a key whose insert failed (that key may not exist).
     */
    private ErrorKind check(GetResult result, long index, boolean measuring, OpType op) {
        List<Versioned> values = result.values();
        int largest = 0;
        for (int i = 0; i < values.size(); i++) {
            largest = Math.max(largest, values.get(i).value().length);
        }
        sizeClass = sizes.classOf(largest);
        boolean missing = !result.found() || values.isEmpty();
        if (!validate) {
            if (missing && measuring) {
                notFound++;
            }
            return null;
        }
        if (measuring) {
            validatedReads++;
        }
        ErrorKind failure = null;
        if (missing) {
            if (shared.inserts().failed(index)) {
                if (measuring) {
                    notFound++;
                }
                return null;
            }
            failure = ErrorKind.VALIDATION_MISSING;
        } else {
            for (int i = 0; i < values.size(); i++) {
                if (!codec.verify(key, Keys.LENGTH, values.get(i).value())) {
                    failure = ErrorKind.VALIDATION_MISMATCH;
                    break;
                }
            }
        }
        if (failure != null) {
            shared.errorLog().first(failure, op, Keys.toKey(key), null);
        }
        return failure;
    }

    /** Puts a fresh sealed value for the key in {@link #key}. */
    private ErrorKind write(String name, PutOptions options) {
        int size = sizes.next(random);
        byte[] value = fixedValue != null ? fixedValue : new byte[size];
        codec.fill(random, shared.pool(), value, key, Keys.LENGTH);
        sizeClass = sizes.classOf(size);
        // The blocking put returns only when the call is over, so reusing the buffer is safe.
        client.put(name, value, options);
        return null;
    }
}
