package io.ringkv.coordinator.telemetry;

import io.opentelemetry.context.Scope;
import io.ringkv.coordinator.concurrent.Failures;
import io.ringkv.coordinator.transport.PeerException;
import io.ringkv.coordinator.transport.ReadReply;
import io.ringkv.coordinator.transport.ReplicaRead;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.coordinator.transport.Transport;
import io.ringkv.observability.ReplicaCall;
import io.ringkv.observability.Telemetry;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * A {@link Transport} that reports every replica read and write: latency by peer and outcome
 * always, and with tracing on a span per call (see {@link ReplicaCall}: read repairs and
 * speculative reads get spans of their own). Pings pass through untouched.
 */
public final class TracingTransport implements Transport {
    private static final Predicate<Throwable> TIMED_OUT = e -> {
        Throwable cause = Failures.cause(e);
        return cause instanceof PeerException p && p.timedOut();
    };

    private final Transport inner;
    private final Telemetry telemetry;

    public TracingTransport(Transport inner, Telemetry telemetry) {
        this.inner = inner;
        this.telemetry = telemetry;
    }

    @Override
    public CompletableFuture<Void> write(String nodeId, ReplicaWrite write, long timeoutMillis) {
        ReplicaCall call = telemetry.replicaCall(nodeId, "write");
        byte[] value = write.record().value();
        call.valueBytes(value == null ? 0 : value.length);
        CompletableFuture<Void> reply;
        try (Scope ignored = call.makeCurrent()) {
            reply = inner.write(nodeId, write, timeoutMillis);
        }
        return call.complete(reply, TIMED_OUT);
    }

    @Override
    public CompletableFuture<ReadReply> read(String nodeId, ReplicaRead read, long timeoutMillis) {
        ReplicaCall call = telemetry.replicaCall(nodeId, "read");
        CompletableFuture<ReadReply> reply;
        try (Scope ignored = call.makeCurrent()) {
            reply = inner.read(nodeId, read, timeoutMillis);
        }
        return call.complete(reply, TIMED_OUT,
                r -> r.record() == null || r.record().value() == null ? 0 : r.record().value().length);
    }

    @Override
    public CompletableFuture<Void> ping(String nodeId, long timeoutMillis) {
        return inner.ping(nodeId, timeoutMillis);
    }
}
