package io.ringkv.loadtest;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
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
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Issues the operations of the workload's mix without blocking and records each outcome in a
 * {@link Tally} when its last reply arrives. The random choices (operation, key, value size and
 * payload) are made on the issuing thread; the checks of what a read returned run where the reply
 * completes (the client's event loop), or on a checker thread for values over 64 KiB, so a
 * closed-loop worker waits for the future and the open loop never waits at all.
 */
final class Operations {
    /**
     * What every load source of a run shares: the key choice, the insert sequence, the payload pool,
     * the timeline, the first-error log, and the span per operation (null when tracing is off).
     */
    record Shared(KeyChooser keys, InsertSequence inserts, byte[] pool, Timeline timeline, ErrorLog errorLog,
                  OperationTracer tracer) {
    }

    // One per thread: a ValueCodec reuses its CRC state, and checks run on event loops.
    private static final ThreadLocal<ValueCodec> CODECS = ThreadLocal.withInitial(ValueCodec::new);
    private static final ThreadLocal<byte[]> KEYS = ThreadLocal.withInitial(Keys::newBuffer);
    /** Reads whose values total more than this are checked on {@link #CHECKER}. */
    static final int INLINE_CHECK_BYTES = 64 << 10;
    private static final Executor CHECKER = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon(true).name("bench-check-", 0).factory());

    private final RingkvClient client;
    private final Shared shared;
    private final Workload workload;
    private final ValueSizes sizes;
    private final int multiReadMax;
    private final boolean validate;
    private final ReadOptions[] readOptions = new ReadOptions[OpType.ALL.length];
    private final PutOptions[] putOptions = new PutOptions[OpType.ALL.length];

    Operations(RingkvClient client, Shared shared, BenchConfig config) {
        this.client = client;
        this.shared = shared;
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
    }

    /** One operation in flight: what it touched, for its outcome and its span. */
    private static final class Op {
        final OpType type;
        final long start;
        final boolean measuring;
        final Span span;
        final Tally tally;
        String key = "";
        int keys = 1;
        /** The value-size class: of the value written, or of the largest value read. */
        int sizeClass;

        Op(OpType type, long start, boolean measuring, Span span, Tally tally) {
            this.type = type;
            this.start = start;
            this.measuring = measuring;
            this.span = span;
            this.tally = tally;
        }
    }

    /**
     * Picks an operation with {@code random} (the caller's, used on this thread only) and starts it;
     * {@code start} is when it started (closed loop) or was due (open loop). The future completes,
     * never exceptionally, once the outcome is in {@code tally}.
     */
    CompletableFuture<Void> start(SplittableRandom random, long start, boolean measuring, Tally tally) {
        OpType type = workload.pick(random);
        OperationTracer tracer = shared.tracer();
        Op op = new Op(type, start, measuring, tracer == null ? null : tracer.start(type, measuring), tally);
        CompletableFuture<ErrorKind> outcome;
        // The span is current while the client starts its calls, so the client's spans are its children.
        try (Scope ignored = op.span == null ? null : op.span.makeCurrent()) {
            outcome = issue(op, random);
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        return outcome.handle((failure, error) -> {
            finish(op, failure, error);
            return null;
        });
    }

    private void finish(Op op, ErrorKind failure, Throwable error) {
        long end = System.nanoTime();
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            failure = ErrorKind.of(cause);
            shared.errorLog().first(failure, op.type, op.key, cause);
        }
        if (op.span != null) {
            shared.tracer().end(op.span, op.key, op.keys, failure);
        }
        op.tally.outcome(op.type, op.sizeClass, op.start, end, op.measuring, failure);
    }

    private CompletableFuture<ErrorKind> issue(Op op, SplittableRandom random) {
        InsertSequence inserts = shared.inserts();
        return switch (op.type) {
            case READ -> {
                long index = shared.keys().next(random, inserts.limit());
                op.key = Keys.name(index);
                yield client.getAsync(op.key, readOptions[op.type.ordinal()])
                        .thenCompose(result -> checked(op, result, index));
            }
            case UPDATE -> {
                long index = shared.keys().next(random, inserts.limit());
                op.key = Keys.name(index);
                yield value(op, index, random).thenCompose(value -> {
                    try (Scope ignored = op.span == null ? null : op.span.makeCurrent()) {
                        return client.putAsync(op.key, value, putOptions[op.type.ordinal()]);
                    }
                }).thenApply(ignored -> null);
            }
            case INSERT -> insert(op, random);
            case READ_MODIFY_WRITE -> readModifyWrite(op, random);
            case MULTI_READ -> multiRead(op, random);
        };
    }

    private CompletableFuture<ErrorKind> insert(Op op, SplittableRandom random) {
        InsertSequence inserts = shared.inserts();
        long index = inserts.claim();
        CompletableFuture<?> put;
        try {
            op.key = Keys.name(index);
            put = value(op, index, random).thenCompose(value -> {
                try (Scope ignored = op.span == null ? null : op.span.makeCurrent()) {
                    return client.putAsync(op.key, value, putOptions[op.type.ordinal()]);
                }
            });
        } catch (RuntimeException e) {
            inserts.finish(index, false);
            throw e;
        }
        return put.handle((ignored, error) -> {
            inserts.finish(index, error == null);
            if (error != null) {
                throw error instanceof CompletionException c ? c : new CompletionException(error);
            }
            return null;
        });
    }

    private CompletableFuture<ErrorKind> readModifyWrite(Op op, SplittableRandom random) {
        long index = shared.keys().next(random, shared.inserts().limit());
        op.key = Keys.name(index);
        // The new value is drawn here: the random source belongs to the issuing thread.
        CompletableFuture<byte[]> newValue = value(op, index, random);
        int writtenClass = op.sizeClass;
        return client.getAsync(op.key, readOptions[OpType.READ_MODIFY_WRITE.ordinal()]).thenCombine(newValue,
                ReadThenWrite::new).thenCompose(pair ->
                checked(op, pair.read(), index).thenCompose(failure -> {
                    if (failure != null) {
                        return CompletableFuture.completedFuture(failure);
                    }
                    op.sizeClass = writtenClass;
                    // The new value supersedes exactly what was read (causal keyspaces; LWW ignores the context).
                    PutOptions options = putOptions[OpType.READ_MODIFY_WRITE.ordinal()]
                            .withContext(pair.read().context());
                    try (Scope ignored = op.span == null ? null : op.span.makeCurrent()) {
                        return client.putAsync(op.key, pair.value(), options).thenApply(written -> null);
                    }
                }));
    }

    /** Reads 1..multiReadMax consecutive existing indexes, all requests in flight at once. */
    private CompletableFuture<ErrorKind> multiRead(Op op, SplittableRandom random) {
        long limit = shared.inserts().limit();
        int length = (int) Math.min(limit, 1 + random.nextInt(multiReadMax));
        long first = Math.min(shared.keys().next(random, limit), limit - length);
        ReadOptions options = readOptions[OpType.MULTI_READ.ordinal()];
        @SuppressWarnings("unchecked")
        CompletableFuture<GetResult>[] reads = new CompletableFuture[length];
        op.key = Keys.name(first);
        op.keys = length;
        for (int i = 0; i < length; i++) {
            reads[i] = client.getAsync(i == 0 ? op.key : Keys.name(first + i), options);
        }
        return CompletableFuture.allOf(reads).handle((ignored, error) -> null).thenCompose(ignored -> {
            long bytes = 0;
            for (CompletableFuture<GetResult> read : reads) {
                bytes += read.isCompletedExceptionally() ? 0 : valueBytes(read.join());
            }
            return bytes <= INLINE_CHECK_BYTES ? CompletableFuture.completedFuture(checkAll(op, reads, first))
                    : CompletableFuture.supplyAsync(() -> checkAll(op, reads, first), CHECKER);
        });
    }

    private ErrorKind checkAll(Op op, CompletableFuture<GetResult>[] reads, long first) {
        ErrorKind failure = null;
        int largestClass = 0;
        Throwable thrown = null;
        for (int i = 0; i < reads.length; i++) {
            GetResult result;
            try {
                result = reads[i].join();
            } catch (RuntimeException e) {
                thrown = thrown == null ? e : thrown;
                continue;
            }
            ErrorKind f = check(op, result, first + i);
            failure = failure == null ? f : failure;
            largestClass = Math.max(largestClass, op.sizeClass);
        }
        if (thrown != null) {
            throw thrown instanceof CompletionException c ? c : new CompletionException(thrown);
        }
        op.sizeClass = largestClass;
        return failure;
    }

    /**
     * {@link #check}, where the reply completed when its values are small; on a checker thread when
     * they are large, so checksumming megabytes does not hold up the event loop that delivers the
     * other operations' replies (and inflate their latencies).
     */
    private CompletableFuture<ErrorKind> checked(Op op, GetResult result, long index) {
        if (valueBytes(result) <= INLINE_CHECK_BYTES) {
            return CompletableFuture.completedFuture(check(op, result, index));
        }
        return CompletableFuture.supplyAsync(() -> check(op, result, index), CHECKER);
    }

    private static long valueBytes(GetResult result) {
        long bytes = 0;
        List<Versioned> values = result.values();
        for (int i = 0; i < values.size(); i++) {
            bytes += values.get(i).value().length;
        }
        return bytes;
    }

    /**
     * Checks a read of key {@code index}. Without --validate only counts a miss. With it, a read is
     * right only if it found at least one value and every value verifies, or if it found nothing for
     * a key whose insert failed (that key may not exist).
     */
    private ErrorKind check(Op op, GetResult result, long index) {
        List<Versioned> values = result.values();
        int largest = 0;
        for (int i = 0; i < values.size(); i++) {
            largest = Math.max(largest, values.get(i).value().length);
        }
        op.sizeClass = sizes.classOf(largest);
        boolean missing = !result.found() || values.isEmpty();
        if (!validate) {
            return missing ? notFound(op) : null;
        }
        if (op.measuring) {
            validated(op);
        }
        if (missing) {
            return shared.inserts().failed(index) ? notFound(op) : logged(op, ErrorKind.VALIDATION_MISSING, index);
        }
        byte[] key = KEYS.get();
        Keys.write(index, key);
        ValueCodec codec = CODECS.get();
        for (int i = 0; i < values.size(); i++) {
            if (!codec.verify(key, Keys.LENGTH, values.get(i).value())) {
                return logged(op, ErrorKind.VALIDATION_MISMATCH, index);
            }
        }
        return null;
    }

    private static ErrorKind notFound(Op op) {
        if (op.measuring) {
            op.tally.notFound.increment();
        }
        return null;
    }

    private static void validated(Op op) {
        op.tally.validatedReads.increment();
    }

    private ErrorKind logged(Op op, ErrorKind failure, long index) {
        shared.errorLog().first(failure, op.type, Keys.name(index), null);
        return failure;
    }

    /** A fresh sealed value for key {@code index}: never reused, as it must not change while its put is in flight. */
    /**
     * A new value for key {@code index}, drawn with {@code random} here. One over {@link #INLINE_CHECK_BYTES}
     * is copied and checksummed on a checker thread, as large reads are checked there: a closed loop
     * continues on the client's event loop, whose other replies would wait behind megabytes of work.
     */
    private CompletableFuture<byte[]> value(Op op, long index, SplittableRandom random) {
        int size = sizes.next(random);
        op.sizeClass = sizes.classOf(size);
        byte[] pool = shared.pool();
        int offset = ValueCodec.poolOffset(random, pool, size);
        if (size <= INLINE_CHECK_BYTES) {
            return CompletableFuture.completedFuture(sealed(index, size, pool, offset));
        }
        return CompletableFuture.supplyAsync(() -> sealed(index, size, pool, offset), CHECKER);
    }

    /** A read-modify-write's read and the value it writes next. */
    private record ReadThenWrite(GetResult read, byte[] value) { }

    private static byte[] sealed(long index, int size, byte[] pool, int offset) {
        byte[] value = new byte[size];
        byte[] key = KEYS.get();
        Keys.write(index, key);
        CODECS.get().fill(offset, pool, value, key, Keys.LENGTH);
        return value;
    }
}
