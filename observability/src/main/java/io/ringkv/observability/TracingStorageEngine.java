package io.ringkv.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.EntryIterator;
import io.ringkv.storage.Mutation;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.WriteBatch;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link StorageEngine} decorator that records a span per single-key operation and batch
 * ({@code storage.get}, {@code storage.put}, {@code storage.delete}, {@code storage.write}) under
 * the current span. Scans are not traced: they are long-running and belong to repair and transfer
 * spans. Use {@link #wrap}, which leaves the engine undecorated when tracing is off.
 */
public final class TracingStorageEngine implements StorageEngine {
    private static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("db.namespace");
    private static final AttributeKey<Long> BATCH = AttributeKey.longKey("db.operation.batch.size");

    private final StorageEngine inner;
    private final Spans spans;

    private TracingStorageEngine(StorageEngine inner, Spans spans) {
        this.inner = inner;
        this.spans = spans;
    }

    /** {@code engine} traced by {@code telemetry}, or {@code engine} itself when tracing is off. */
    public static StorageEngine wrap(StorageEngine engine, Telemetry telemetry) {
        return telemetry.tracingEnabled() ? new TracingStorageEngine(engine, telemetry.spans()) : engine;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public byte[] get(Namespace ns, byte[] key) {
        if (!spans.startsUnderCurrent()) {
            return inner.get(ns, key);
        }
        try (SpanScope s = spans.child("storage.get", Attributes.of(NAMESPACE, ns.name()))) {
            byte[] v = inner.get(ns, key);
            s.set("found", v == null ? 0 : 1);
            return v;
        }
    }

    @Override
    public int getInto(Namespace ns, byte[] key, byte[] dest, int offset, int length) {
        if (!spans.startsUnderCurrent()) {
            return inner.getInto(ns, key, dest, offset, length);
        }
        try (SpanScope s = spans.child("storage.get", Attributes.of(NAMESPACE, ns.name()))) {
            int n = inner.getInto(ns, key, dest, offset, length);
            s.set("found", n < 0 ? 0 : 1);
            return n;
        }
    }

    @Override
    public void put(Namespace ns, byte[] key, byte[] value) {
        if (!spans.startsUnderCurrent()) {
            inner.put(ns, key, value);
            return;
        }
        try (SpanScope s = spans.child("storage.put", Attributes.of(NAMESPACE, ns.name()))) {
            s.set("value.size", value.length);
            inner.put(ns, key, value);
        }
    }

    @Override
    public void delete(Namespace ns, byte[] key) {
        if (!spans.startsUnderCurrent()) {
            inner.delete(ns, key);
            return;
        }
        try (SpanScope ignored = spans.child("storage.delete", Attributes.of(NAMESPACE, ns.name()))) {
            inner.delete(ns, key);
        }
    }

    @Override
    public void write(WriteBatch batch) {
        if (!spans.startsUnderCurrent()) {
            inner.write(batch);
            return;
        }
        try (SpanScope ignored = spans.child("storage.write", Attributes.of(BATCH, (long) batch.size()))) {
            inner.write(batch);
        }
    }

    /** The span (named for a single mutation as its plain call would be) lasts until the batch is durable. */
    @Override
    public CompletableFuture<Void> writeAsync(WriteBatch batch) {
        if (!spans.startsUnderCurrent()) {
            return inner.writeAsync(batch);
        }
        SpanScope s = batch.size() == 1
                ? spans.child(batch.mutations().getFirst() instanceof Mutation.Put ? "storage.put" : "storage.delete",
                        Attributes.of(NAMESPACE, batch.mutations().getFirst().namespace().name()))
                : spans.child("storage.write", Attributes.of(BATCH, (long) batch.size()));
        if (batch.size() == 1 && batch.mutations().getFirst() instanceof Mutation.Put p) {
            s.set("value.size", p.value().length);
        }
        CompletableFuture<Void> durable;
        try {
            durable = inner.writeAsync(batch);
        } catch (RuntimeException e) {
            s.fail(e.toString()).end();
            throw e;
        }
        return durable.whenComplete((ok, e) -> {
            if (e != null) {
                s.fail(e.toString());
            }
            s.end();
        });
    }

    @Override
    public EntryIterator scan(Namespace ns, byte[] startInclusive, byte[] endExclusive) {
        return inner.scan(ns, startInclusive, endExclusive);
    }

    @Override
    public void flush() {
        inner.flush();
    }

    @Override
    public EngineStats stats() {
        return inner.stats();
    }

    @Override
    public void close() {
        inner.close();
    }
}
