package io.ringkv.observability;

import io.opentelemetry.api.common.Attributes;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * What hinted handoff reports: hint spans and the hint metrics ({@code ringkv.hints.*}). Get it
 * from {@link Telemetry#handoff()}; every method is cheap and never throws, and with telemetry
 * off does nothing.
 *
 * <pre>{@code
 * HandoffTelemetry t = telemetry.handoff();
 * t.registerBacklog(() -> store.backlogByTarget());          // once: pending hints per target
 * try (SpanScope s = t.storeSpan(target, vnode)) { ... }      // in the write path: child of the request
 * t.stored(target, 1);
 * try (SpanScope s = t.replaySpan(target)) { ...; t.delivered(target, n); }   // a new trace per replay run
 * t.dropped(target, "expired", n);
 * }</pre>
 */
public final class HandoffTelemetry {
    /** The hints a node holds for one target, as the gauges report them. */
    public record Backlog(String target, long hints, long bytes) {
    }

    private final Spans spans;
    private final RingkvMetrics metrics;

    HandoffTelemetry(Spans spans, RingkvMetrics metrics) {
        this.spans = spans;
        this.metrics = metrics;
    }

    /**
     * Registers the gauges {@code ringkv.hints.pending} and {@code ringkv.hints.pending.size}, read
     * from {@code backlog} at each collection (it must not block). Call once per node.
     */
    public void registerBacklog(Supplier<? extends Collection<Backlog>> backlog) {
        metrics.gauge(MetricNames.HINTS_PENDING, "{hint}", "Hints held for a target, waiting for replay", backlog,
                (b, m) -> m.record(b.hints(), Attributes.of(RingkvMetrics.TARGET, b.target())));
        metrics.gauge(MetricNames.HINTS_PENDING_BYTES, "By", "Bytes of hints held for a target", backlog,
                (b, m) -> m.record(b.bytes(), Attributes.of(RingkvMetrics.TARGET, b.target())));
    }

    public void stored(String target, long hints) {
        metrics.hintsStored.add(hints, Attributes.of(RingkvMetrics.TARGET, target));
    }

    public void delivered(String target, long hints) {
        metrics.hintsDelivered.add(hints, Attributes.of(RingkvMetrics.TARGET, target));
    }

    /**
     * {@code reason}: {@code full} (a byte cap reached), {@code expired} (the target down longer than
     * the hint window), {@code rejected} (refused by the target too often), {@code target_removed}
     * (the target left the ring).
     */
    public void dropped(String target, String reason, long hints) {
        metrics.hintsDropped.add(hints, Attributes.of(RingkvMetrics.TARGET, target, RingkvMetrics.REASON, reason));
    }

    /** {@code hint.store}: storing a hint for {@code target}, linked to the write that caused it. */
    public SpanScope storeSpan(String target, long vnode) {
        return spans.linked("hint.store", Attributes.builder().put(RingkvMetrics.TARGET, target).put("vnode", vnode).build());
    }

    /** {@code hint.replay}: one replay run to {@code target}, a trace of its own. */
    public SpanScope replaySpan(String target) {
        return spans.root("hint.replay", Attributes.of(RingkvMetrics.TARGET, target));
    }
}
