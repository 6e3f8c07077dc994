package io.ringkv.observability;

import io.opentelemetry.api.common.Attributes;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * What anti-entropy repair and rebalancing transfers report: their spans and the
 * {@code ringkv.repair.*} and {@code ringkv.transfer.*} metrics. Get it from
 * {@link Telemetry#repair()}; cheap, never throws, a no-op with telemetry off.
 *
 * <pre>{@code
 * RepairTelemetry t = telemetry.repair();
 * t.registerRepairProgress(() -> sessions.progress());       // once: vnodes done / total per kind
 * try (SpanScope s = t.sessionSpan("on_demand", vnodes)) {   // a trace per session
 *   try (var v = s.makeCurrent(); SpanScope one = t.vnodeSpan(vnode, replicas)) {
 *     ...; t.compared("on_demand", n); t.repaired("on_demand", k, bytes);
 *   }
 * }
 * t.registerTransferProgress(() -> transfers.progress());
 * try (SpanScope s = t.transferSpan(vnode, peer, "in")) { ...; t.streamed("in", keys, bytes); }
 * }</pre>
 */
public final class RepairTelemetry {
    /** Repair progress of one kind ({@code on_demand} or {@code background}). */
    public record RepairProgress(String kind, long vnodesDone, long vnodesTotal) {
    }

    /** Transfer progress in one direction ({@code in}: vnodes this node gains; {@code out}). */
    public record TransferProgress(String direction, long vnodesPending, long vnodesDone) {
    }

    /** The replicas a {@code repair.vnode} span compared. */
    public static final String PEERS = "peers";

    private final Spans spans;
    private final RingkvMetrics metrics;

    RepairTelemetry(Spans spans, RingkvMetrics metrics) {
        this.spans = spans;
        this.metrics = metrics;
    }

    /** Registers {@code ringkv.repair.vnodes.done} and {@code .planned}; call once per node. */
    public void registerRepairProgress(Supplier<? extends Collection<RepairProgress>> progress) {
        metrics.gauge(MetricNames.REPAIR_VNODES_DONE, "{vnode}", "Vnodes repaired in the running sessions", progress,
                (p, m) -> m.record(p.vnodesDone(), Attributes.of(RingkvMetrics.KIND, p.kind())));
        metrics.gauge(MetricNames.REPAIR_VNODES_PLANNED, "{vnode}", "Vnodes the running sessions cover", progress,
                (p, m) -> m.record(p.vnodesTotal(), Attributes.of(RingkvMetrics.KIND, p.kind())));
    }

    /** Registers {@code ringkv.transfer.vnodes.pending} and {@code .done}; call once per node. */
    public void registerTransferProgress(Supplier<? extends Collection<TransferProgress>> progress) {
        metrics.gauge(MetricNames.TRANSFER_VNODES_PENDING, "{vnode}", "Vnodes still to stream", progress,
                (p, m) -> m.record(p.vnodesPending(), Attributes.of(RingkvMetrics.DIRECTION, p.direction())));
        metrics.gauge(MetricNames.TRANSFER_VNODES_DONE, "{vnode}", "Vnodes streamed", progress,
                (p, m) -> m.record(p.vnodesDone(), Attributes.of(RingkvMetrics.DIRECTION, p.direction())));
    }

    public void compared(String kind, long keys) {
        metrics.repairKeysCompared.add(keys, Attributes.of(RingkvMetrics.KIND, kind));
    }

    /** {@code keys} records, {@code bytes} of them encoded, written to replicas that lacked them or held older versions. */
    public void repaired(String kind, long keys, long bytes) {
        Attributes a = Attributes.of(RingkvMetrics.KIND, kind);
        metrics.repairKeysRepaired.add(keys, a);
        metrics.repairBytes.add(bytes, a);
    }

    public void streamed(String direction, long keys, long bytes) {
        Attributes a = Attributes.of(RingkvMetrics.DIRECTION, direction);
        metrics.transferKeys.add(keys, a);
        metrics.transferBytes.add(bytes, a);
    }

    /** {@code repair.session}: one repair session, a trace of its own. */
    public SpanScope sessionSpan(String kind, long vnodes) {
        return spans.root("repair.session", Attributes.builder().put(RingkvMetrics.KIND, kind).put("vnodes", vnodes).build());
    }

    /**
     * {@code repair.vnode}: comparing one vnode across {@code peers} (its replicas, this node among
     * them when it is one), under the current span (the session).
     */
    public SpanScope vnodeSpan(long vnode, List<String> peers) {
        return spans.child("repair.vnode", Attributes.builder().put("vnode", vnode)
                .put(PEERS, peers.toArray(String[]::new)).build());
    }

    /** {@code transfer.vnode}: streaming one vnode from or to {@code peer}, a trace of its own. */
    public SpanScope transferSpan(long vnode, String peer, String direction) {
        return spans.root("transfer.vnode", Attributes.builder().put("vnode", vnode).put(RingkvMetrics.PEER, peer)
                .put(RingkvMetrics.DIRECTION, direction).build());
    }
}
