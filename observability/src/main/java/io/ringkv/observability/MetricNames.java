package io.ringkv.observability;

/**
 * Every metric ringkv records, by its OpenTelemetry name; {@code observability/README.md} lists
 * them with their Prometheus names (dots become underscores, the unit and {@code _total} for
 * counters are appended) and attributes. Dashboards use the Prometheus names.
 */
public final class MetricNames {
    /** Histogram, seconds; operation, keyspace, consistency, code. */
    public static final String REQUEST_DURATION = "ringkv.request.duration";
    /** Counter; operation, keyspace, code (the gRPC status code of each failed request). */
    public static final String REQUEST_ERRORS = "ringkv.request.errors";
    /** Counter; operation: requests this node forwarded to a replica. */
    public static final String REQUESTS_FORWARDED = "ringkv.request.forwarded";
    /** Histogram, seconds; peer, operation (read, write), outcome (ok, timeout, error). */
    public static final String REPLICA_CALL_DURATION = "ringkv.replica.call.duration";
    /** Counter: replica-channel calls this node did not serve, their caller's timeout having run out while they waited for a large-value thread. */
    public static final String REPLICA_CALLS_EXPIRED = "ringkv.replica.calls.expired";
    /** Counter; keyspace: replicas a read repaired (blocking and background). */
    public static final String READ_REPAIRS = "ringkv.read_repair.writes";
    /** Counter: extra replicas a read asked because one was slower than the recent p95. */
    public static final String SPECULATIVE_READS = "ringkv.speculative_retry.reads";
    /** Gauge, hints; target. */
    public static final String HINTS_PENDING = "ringkv.hints.pending";
    /** Gauge, bytes; target. */
    public static final String HINTS_PENDING_BYTES = "ringkv.hints.pending.size";
    /** Counter, hints; target. */
    public static final String HINTS_DELIVERED = "ringkv.hints.delivered";
    /** Counter, hints; target, reason (full, expired, rejected, target_removed: see README). */
    public static final String HINTS_DROPPED = "ringkv.hints.dropped";
    /** Counter, hints; target. */
    public static final String HINTS_STORED = "ringkv.hints.stored";
    /** Gauge, vnodes; kind (on_demand, background). */
    public static final String REPAIR_VNODES_DONE = "ringkv.repair.vnodes.done";
    /** Gauge, vnodes; kind. */
    public static final String REPAIR_VNODES_PLANNED = "ringkv.repair.vnodes.planned";
    /** Counter, keys; kind. */
    public static final String REPAIR_KEYS_COMPARED = "ringkv.repair.keys.compared";
    /** Counter, keys; kind: keys found different and written to the replica that lacked them. */
    public static final String REPAIR_KEYS_REPAIRED = "ringkv.repair.keys.repaired";
    /** Counter, bytes; kind: encoded size of the records repair exchanged. */
    public static final String REPAIR_BYTES = "ringkv.repair.size";
    /** Gauge, vnodes; direction (in, out). */
    public static final String TRANSFER_VNODES_PENDING = "ringkv.transfer.vnodes.pending";
    /** Gauge, vnodes; direction. */
    public static final String TRANSFER_VNODES_DONE = "ringkv.transfer.vnodes.done";
    /** Counter, bytes; direction. */
    public static final String TRANSFER_BYTES = "ringkv.transfer.size";
    /** Counter, keys; direction. */
    public static final String TRANSFER_KEYS = "ringkv.transfer.keys";
    /** Gauge, bytes; namespace. */
    public static final String STORAGE_SIZE = "ringkv.storage.size";
    /** Gauge, keys; namespace. */
    public static final String STORAGE_KEYS = "ringkv.storage.keys";
    /** Histogram, seconds: each group-commit fsync of a node's engines, by {@code engine} (data, chunks). */
    public static final String STORAGE_SYNC_DURATION = "ringkv.storage.sync.duration";

    /** Gauge, bytes; jvm.memory.type (heap, non_heap). */
    public static final String JVM_MEMORY_USED = "jvm.memory.used";
    /** Gauge, bytes; jvm.memory.type. */
    public static final String JVM_MEMORY_COMMITTED = "jvm.memory.committed";
    /** Gauge, bytes; jvm.memory.type (-1 pools are left out). */
    public static final String JVM_MEMORY_LIMIT = "jvm.memory.limit";
    /** Gauge, threads. */
    public static final String JVM_THREADS = "jvm.thread.count";
    /** Gauge, classes. */
    public static final String JVM_CLASSES = "jvm.class.count";
    /** Counter, collections; jvm.gc.name. */
    public static final String JVM_GC_COLLECTIONS = "jvm.gc.collections";
    /** Counter, seconds; jvm.gc.name. */
    public static final String JVM_GC_TIME = "jvm.gc.time";
    /** Gauge, ratio of all CPUs, as the JVM reports it. */
    public static final String JVM_CPU_UTILIZATION = "jvm.cpu.recent_utilization";
    /** Gauge, processors. */
    public static final String JVM_CPUS = "jvm.cpu.count";

    private MetricNames() {
    }
}
