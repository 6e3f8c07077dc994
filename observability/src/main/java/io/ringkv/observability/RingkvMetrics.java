package io.ringkv.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.ringkv.storage.EngineStats;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The instruments of one {@link Telemetry}, named in {@link MetricNames}. Recording is cheap and
 * never throws; with metrics off the instruments are no-ops. Gauges are fed by callbacks the
 * owner of the numbers registers once (the callback runs at each collection, on the collector's
 * thread, and must not block).
 */
public final class RingkvMetrics {
    static final String SCOPE = "io.ringkv";

    public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("operation");
    public static final AttributeKey<String> KEYSPACE = AttributeKey.stringKey("keyspace");
    public static final AttributeKey<String> CONSISTENCY = AttributeKey.stringKey("consistency");
    public static final AttributeKey<String> CODE = AttributeKey.stringKey("code");
    public static final AttributeKey<String> PEER = AttributeKey.stringKey("peer");
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
    public static final AttributeKey<String> TARGET = AttributeKey.stringKey("target");
    public static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");
    public static final AttributeKey<String> KIND = AttributeKey.stringKey("kind");
    public static final AttributeKey<String> DIRECTION = AttributeKey.stringKey("direction");
    public static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("namespace");
    public static final AttributeKey<String> ENGINE = AttributeKey.stringKey("engine");
    /** {@code small} or {@code large} (see {@link #valueClass}), so small values' latency shows apart from megabytes'. */
    public static final AttributeKey<String> VALUE_CLASS = AttributeKey.stringKey("value_class");
    public static final String SMALL = "small";
    public static final String LARGE = "large";

    /**
     * Seconds; fine below a millisecond, where local and same-rack reads land, and up to the
     * longest request timeout. Prometheus text has no exponential histograms, so /metrics keeps
     * these; OTLP may use base-2 exponential buckets instead (see {@link TelemetrySettings}).
     */
    public static final List<Double> LATENCY_BUCKETS_SECONDS = List.of(0.00005, 0.0001, 0.0002, 0.0003, 0.0005,
            0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            5.0, 10.0);

    private final Meter meter;
    private final DoubleHistogram requestDuration;
    private final LongCounter requestErrors;
    private final LongCounter forwarded;
    private final DoubleHistogram replicaDuration;
    private final DoubleHistogram syncDuration;
    private final LongCounter readRepairs;
    private final LongCounter speculativeReads;
    final LongCounter hintsDelivered;
    final LongCounter hintsDropped;
    final LongCounter hintsStored;
    final LongCounter repairKeysCompared;
    final LongCounter repairKeysRepaired;
    final LongCounter repairBytes;
    final LongCounter transferBytes;
    final LongCounter transferKeys;
    /** Attribute sets reused per (operation, keyspace, consistency, code): no allocation per request once warm. */
    private final Map<List<String>, Attributes> requestAttributes = new ConcurrentHashMap<>();
    private final Map<List<String>, Attributes> replicaAttributes = new ConcurrentHashMap<>();

    RingkvMetrics(Meter meter) {
        this.meter = meter;
        requestDuration = meter.histogramBuilder(MetricNames.REQUEST_DURATION).setUnit("s")
                .setDescription("Time to coordinate a client request on this node, to its outcome")
                .setExplicitBucketBoundariesAdvice(LATENCY_BUCKETS_SECONDS).build();
        requestErrors = meter.counterBuilder(MetricNames.REQUEST_ERRORS).setUnit("{request}")
                .setDescription("Client requests this node failed, by gRPC status code").build();
        forwarded = meter.counterBuilder(MetricNames.REQUESTS_FORWARDED).setUnit("{request}")
                .setDescription("Requests forwarded to a replica because this node is not one").build();
        replicaDuration = meter.histogramBuilder(MetricNames.REPLICA_CALL_DURATION).setUnit("s")
                .setDescription("Time of one replica read or write as the coordinator saw it, by peer")
                .setExplicitBucketBoundariesAdvice(LATENCY_BUCKETS_SECONDS).build();
        syncDuration = meter.histogramBuilder(MetricNames.STORAGE_SYNC_DURATION).setUnit("s")
                .setDescription("Time of one group-commit fsync of a storage engine, its thread's wake-up included")
                .setExplicitBucketBoundariesAdvice(LATENCY_BUCKETS_SECONDS).build();
        readRepairs = meter.counterBuilder(MetricNames.READ_REPAIRS).setUnit("{write}")
                .setDescription("Stale replicas a read wrote the newest version to").build();
        speculativeReads = meter.counterBuilder(MetricNames.SPECULATIVE_READS).setUnit("{read}")
                .setDescription("Extra replicas asked because one was slower than the recent p95").build();
        hintsDelivered = meter.counterBuilder(MetricNames.HINTS_DELIVERED).setUnit("{hint}")
                .setDescription("Hints replayed to and acknowledged by their target").build();
        hintsDropped = meter.counterBuilder(MetricNames.HINTS_DROPPED).setUnit("{hint}")
                .setDescription("Hints given up (store full, too old, target removed); repair covers them").build();
        hintsStored = meter.counterBuilder(MetricNames.HINTS_STORED).setUnit("{hint}")
                .setDescription("Hints stored for a replica that failed or timed out").build();
        repairKeysCompared = meter.counterBuilder(MetricNames.REPAIR_KEYS_COMPARED).setUnit("{key}")
                .setDescription("Keys anti-entropy compared with a peer").build();
        repairKeysRepaired = meter.counterBuilder(MetricNames.REPAIR_KEYS_REPAIRED).setUnit("{key}")
                .setDescription("Keys anti-entropy found different and exchanged").build();
        repairBytes = meter.counterBuilder(MetricNames.REPAIR_BYTES).setUnit("By")
                .setDescription("Bytes of records anti-entropy exchanged").build();
        transferBytes = meter.counterBuilder(MetricNames.TRANSFER_BYTES).setUnit("By")
                .setDescription("Bytes of records streamed for rebalancing").build();
        transferKeys = meter.counterBuilder(MetricNames.TRANSFER_KEYS).setUnit("{key}")
                .setDescription("Records streamed for rebalancing").build();
    }

    /**
     * {@code large} for a value of more than the chunking threshold (64 KiB: stored in chunks, moved on
     * the large-value threads and the bulk lane), else {@code small}.
     */
    public static String valueClass(long bytes) {
        return bytes > io.ringkv.storage.chunk.ChunkingConfig.DEFAULT_THRESHOLD_BYTES ? LARGE : SMALL;
    }

    /**
     * One finished client request. {@code code} is the gRPC status code name of a failure, null
     * on success.
     */
    public void request(String operation, String keyspace, String consistency, String code, String valueClass, long nanos) {
        String outcome = code == null ? "OK" : code;
        Attributes a = requestAttributes.computeIfAbsent(List.of(operation, keyspace, consistency, outcome, valueClass),
                k -> Attributes.builder().put(OPERATION, operation).put(KEYSPACE, keyspace).put(CONSISTENCY, consistency)
                        .put(CODE, outcome).put(VALUE_CLASS, valueClass).build());
        requestDuration.record(nanos / 1e9, a);
        if (code != null) {
            requestErrors.add(1, Attributes.of(OPERATION, operation, KEYSPACE, keyspace, CODE, code));
        }
    }

    public void forwarded(String operation) {
        forwarded.add(1, Attributes.of(OPERATION, operation));
    }

    /** One replica call's latency; {@code outcome} is {@code ok}, {@code timeout} or {@code error}. */
    public void replicaCall(String peer, String operation, String outcome, String valueClass, long nanos) {
        Attributes a = replicaAttributes.computeIfAbsent(List.of(peer, operation, outcome, valueClass),
                k -> Attributes.of(PEER, peer, OPERATION, operation, OUTCOME, outcome, VALUE_CLASS, valueClass));
        replicaDuration.record(nanos / 1e9, a);
    }

    public void readRepair(String keyspace) {
        readRepairs.add(1, Attributes.of(KEYSPACE, keyspace));
    }

    public void speculativeRead() {
        speculativeReads.add(1);
    }

    /** What records the fsyncs of the engine named {@code engine} (data, chunks) in {@code ringkv.storage.sync.duration}. */
    public io.ringkv.storage.SyncObserver syncObserver(String engine) {
        Attributes a = Attributes.of(ENGINE, engine);
        return (nanos, writers) -> syncDuration.record(nanos / 1e9, a);
    }

    /** Storage size per namespace, read from {@code stats} at each collection. */
    public void registerStorage(Supplier<EngineStats> stats) {
        Consumer<ObservableLongMeasurement> keys = m -> stats.get().namespaces()
                .forEach((ns, s) -> m.record(s.keys(), Attributes.of(NAMESPACE, ns)));
        Consumer<ObservableLongMeasurement> bytes = m -> stats.get().namespaces()
                .forEach((ns, s) -> m.record(s.bytes(), Attributes.of(NAMESPACE, ns)));
        meter.gaugeBuilder(MetricNames.STORAGE_KEYS).ofLongs().setUnit("{key}")
                .setDescription("Keys per storage namespace (an estimate on RocksDB)").buildWithCallback(keys);
        meter.gaugeBuilder(MetricNames.STORAGE_SIZE).ofLongs().setUnit("By")
                .setDescription("Bytes per storage namespace (an estimate on RocksDB)").buildWithCallback(bytes);
    }

    /** The replica-channel calls this node left unserved past their caller's timeout, read from {@code count} at each collection. */
    public void registerExpiredReplicaCalls(java.util.function.LongSupplier count) {
        meter.counterBuilder(MetricNames.REPLICA_CALLS_EXPIRED).setUnit("{call}")
                .setDescription("Replica-channel calls not served: their caller's timeout ran out while they waited"
                        + " for a large-value thread")
                .buildWithCallback(m -> m.record(count.getAsLong()));
    }

    /** A long gauge per attribute value, from {@code values} at each collection. */
    <T> void gauge(String name, String unit, String description, Supplier<? extends Collection<T>> values,
                   java.util.function.BiConsumer<T, ObservableLongMeasurement> record) {
        meter.gaugeBuilder(name).ofLongs().setUnit(unit).setDescription(description)
                .buildWithCallback(m -> {
                    for (T v : values.get()) {
                        record.accept(v, m);
                    }
                });
    }

}
