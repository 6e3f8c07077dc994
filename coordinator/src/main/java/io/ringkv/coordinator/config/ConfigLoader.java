package io.ringkv.coordinator.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ringkv.coordinator.handoff.HintSettings;
import io.ringkv.coordinator.keyspace.ConflictMode;
import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.priority.LargeValueSettings;
import io.ringkv.coordinator.transport.ReplicaChannelSettings;
import io.ringkv.observability.TelemetrySettings;
import io.ringkv.coordinator.repair.RepairSettings;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link NodeConfig} from, in increasing precedence: defaults, a YAML file, environment
 * variables named {@code RINGKV_<KEY>} (upper case), and flags. Keys:
 *
 * <pre>
 * id: n1                      # default: node-&lt;port&gt;
 * listen: 127.0.0.1:7001      # gRPC/HTTP port of the node
 * advertise: 127.0.0.1:7001   # what peers and clients dial; default: listen
 * rack: rack1
 * data_dir: ./data/n1
 * chunks_dir: /mnt/bulk/n1    # large values' chunks (default: &lt;data_dir&gt;/chunks); paired with data_dir at first start
 * backend: rocks              # or memory
 * sync: batch                 # always | batch | never
 * sync_delay_millis: 0        # batch: how long a group commit gathers writers before its fsync (0..10000)
 * rocks_block_cache_bytes: 67108864    # RocksDB (backend rocks only): the rocks.* engine options
 * rocks_write_buffer_bytes: 33554432   # per namespace
 * rocks_max_background_jobs: 2
 * rocks_background_priority: low       # low (nice 19 flushes and compactions) or normal
 * rocks_background_write_bytes_per_sec: 0   # cap on flush and compaction writes (0: none; else >= 1 MiB)
 * rocks_recycle_log_files: 4  # write-ahead log files written over instead of created (0..64)
 * rocks_max_total_wal_bytes: 268435456   # live write-ahead logs before the oldest one's namespaces flush (0: RocksDB's)
 * rocks_blob_min_bytes: 0     # values at least this large in blob files (0: off; 65536+: the chunk engine only)
 * rocks_delete_bytes_per_sec: 0   # pace of deleting obsolete files (0: at once; else >= 1 MiB)
 * rocks_delete_chunk_bytes: 4194304   # larger files are truncated a piece this size at a time
 * rocks_delete_trash_percent: 100     # deleted files waiting, as % of live tables, before deleting at once
 * seeds: 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003   # static members (list or comma string)
 * vnodes: 1024
 * replicas: 3                 # per vnode; default: largest keyspace N
 * keyspaces:                  # 'default' (N=3 R=2 W=2 lww) always exists
 *   - {name: carts, n: 3, r: 2, w: 2, mode: causal}
 *   - {name: sessions, n: 3, w: 2, sloppy: true}   # sloppy quorum (default false: strict)
 * max_key_bytes: 1024
 * max_value_bytes: 16777216
 * request_timeout_millis: 2000
 * replica_timeout_millis: 2000
 * read_repair_chance: 0.1
 * ping_interval_millis: 1000
 * membership: static          # or consul
 * consul_url: http://127.0.0.1:8500
 * cluster: ringkv             # Consul keys under ringkv/&lt;cluster&gt;/
 * min_nodes: 3                # Consul: the leader forms the first ring once this many pass
 * hints_max_bytes_per_target: 1073741824   # hinted handoff: bytes kept per down node
 * hints_max_bytes_total: 4294967296        # and for all of them together
 * max_hint_window: 3h         # a node down longer gets no new hints (ms, or 500ms, 90s, 30m, 3h)
 * hint_replay_bytes_per_second: 16777216
 * hint_replay_interval: 1s    # how often replay looks for nodes that are back
 * hint_replay_max_in_flight: 32  # hints unacknowledged at once per target during replay (1..1024)
 * hint_max_attempts: 10      # refusals (INVALID_ARGUMENT) before a hint is dropped (1..1000000)
 * replica_channel: true       # small replica calls share one stream per peer (off: one RPC per call)
 * replica_channel_max_record_bytes: 65536       # larger records use the unary/streaming RPCs
 * replica_channel_max_in_flight: 4096           # calls waiting on one peer's stream; more go unary
 * replica_channel_reconnect_backoff_millis: 200 # after a stream fails, calls go unary this long
 * large_value_threads: 2     # threads reading, checking and writing records stored in chunks (1..64)
 * large_value_nice: 10       # their Linux nice value (0..19): small requests get the CPU first; 0: same priority
 * large_value_queue: 1024    # large-value tasks waiting for those threads (1..65536); past it: RESOURCE_EXHAUSTED
 * bulk_port: 0               # the bulk lane: large values on event loops at large_value_nice (0: a free port; off: none)
 * bulk_event_loops: 1        # its event loops (1..16)
 * otel_traces_exporter: otlp  # and every other OTEL_* variable as a lower-case key (TelemetrySettings);
 *                             # their environment variables are the standard OTEL_* names
 * repair_interval: 24h        # every vnode repaired at least this often (ms, s, m, h, d); off: no background repair
 * repair_bytes_per_second: 16777216
 * repair_concurrent_vnodes: 2
 * repair_keys_in_flight: 64   # differing keys one exchange reconciles at once (1..1024); ~3 records held per key
 * repair_pause_p99_ms: 50     # background repair waits while the client-request p99 is above this; 0: never
 * repair_pause_window: 60s    # that p99 is over the requests of the last 60 s (1s..1h); none: no pause
 * gc_grace: 10d               # tombstones are kept at least this long, and until a full repair since
 * merkle_depth: 3             # 16^depth leaves per vnode tree
 * repair_rpc_timeout_millis: 60000
 * </pre>
 *
 * Unknown keys are an error, so a typo never silently falls back to a default.
 */
public final class ConfigLoader {
    static final Set<String> KEYS = Set.of("id", "listen", "advertise", "rack", "data_dir", "chunks_dir", "backend", "sync", "seeds",
            "vnodes", "replicas", "keyspaces", "max_key_bytes", "max_value_bytes", "request_timeout_millis",
            "replica_timeout_millis", "read_repair_chance", "ping_interval_millis", "membership", "consul_url", "cluster",
            "min_nodes", "hints_max_bytes_per_target", "hints_max_bytes_total", "max_hint_window",
            "hint_replay_bytes_per_second", "hint_replay_interval", "hint_replay_max_in_flight", "hint_max_attempts",
            "repair_interval", "repair_bytes_per_second", "repair_concurrent_vnodes", "repair_keys_in_flight",
            "repair_pause_p99_ms", "repair_pause_window", "gc_grace", "merkle_depth", "repair_rpc_timeout_millis",
            // The multiplexed replica channel (transport.ReplicaChannelSettings).
            "replica_channel", "replica_channel_max_record_bytes", "replica_channel_max_in_flight",
            "replica_channel_reconnect_backoff_millis",
            // The storage engine (EngineConfig): group commit. RocksDB's own options are rocks_<option>
            // keys, not listed here: the engine knows its options and refuses the others (engineOptions).
            "sync_delay_millis",
            // The large-value threads (priority.LargeValueSettings).
            "large_value_threads", "large_value_nice", "large_value_queue", "bulk_port", "bulk_event_loops");

    /** A key with this prefix is the RocksDB engine's option of the same name after it ({@code rocks_x} is {@code rocks.x}). */
    static final String ROCKS_PREFIX = "rocks_";
    private static final String ROCKS_ENV = "RINGKV_ROCKS_";

    private ConfigLoader() {
    }

    /** Loads the YAML file (if any), then the environment, then the flags given as key/value. */
    public static NodeConfig load(Path file, Map<String, String> env, Map<String, Object> flags) {
        Map<String, Object> merged = new LinkedHashMap<>();
        if (file != null) {
            merged.putAll(readYaml(file));
        }
        for (String key : KEYS) {
            String value = env.get("RINGKV_" + key.toUpperCase(Locale.ROOT));
            if (value != null && !value.isBlank()) {
                merged.put(key, value);
            }
        }
        env.forEach((name, value) -> {
            if (name.startsWith(ROCKS_ENV) && value != null && !value.isBlank()) {
                merged.put(ROCKS_PREFIX + name.substring(ROCKS_ENV.length()).toLowerCase(Locale.ROOT), value);
            }
        });
        // Telemetry keys are the standard OTEL_* variables themselves, not RINGKV_OTEL_*.
        for (String key : TelemetrySettings.KEYS) {
            String value = env.get(key.toUpperCase(Locale.ROOT));
            if (value != null && !value.isBlank()) {
                merged.put(key, value);
            }
        }
        flags.forEach((k, v) -> {
            if (v != null) {
                merged.put(k, v);
            }
        });
        return build(merged);
    }

    static Map<String, Object> readYaml(Path file) {
        try {
            Object parsed = new ObjectMapper(new YAMLFactory()).readValue(Files.readAllBytes(file), Object.class);
            if (parsed == null) {
                return Map.of();
            }
            if (!(parsed instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("config file " + file + " must be a YAML mapping");
            }
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), v));
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    static NodeConfig build(Map<String, Object> m) {
        for (String key : m.keySet()) {
            if (!KEYS.contains(key) && !TelemetrySettings.KEYS.contains(key) && !key.startsWith(ROCKS_PREFIX)) {
                throw new IllegalArgumentException("unknown config key '" + key + "'; known: " + new java.util.TreeSet<>(KEYS));
            }
        }
        HostPort listen = HostPort.parse(str(m, "listen", "127.0.0.1:7001"));
        HostPort advertise = m.containsKey("advertise") ? HostPort.parse(str(m, "advertise", null)) : listen;
        String id = str(m, "id", "node-" + listen.port());
        Keyspaces keyspaces = Keyspaces.of(keyspaces(m.get("keyspaces")));
        int replicas = (int) num(m, "replicas", keyspaces.maxReplicationFactor());
        List<HostPort> seeds = new ArrayList<>();
        for (String s : list(m.get("seeds"))) {
            seeds.add(HostPort.parse(s));
        }
        StorageLimits limits = new StorageLimits((int) num(m, "max_key_bytes", StorageLimits.DEFAULT_MAX_KEY_BYTES),
                (int) num(m, "max_value_bytes", StorageLimits.DEFAULT_MAX_VALUE_BYTES));
        double readRepair = Double.parseDouble(str(m, "read_repair_chance", "0.1"));
        if (!(readRepair >= 0 && readRepair <= 1)) {
            throw new IllegalArgumentException("read_repair_chance must be in [0, 1], was " + readRepair);
        }
        Path dataDir = Path.of(str(m, "data_dir", "./data/" + id));
        String chunksDir = str(m, "chunks_dir", null);
        return new NodeConfig(id, listen, advertise, str(m, "rack", "rack1"), dataDir,
                chunksDir == null || chunksDir.isBlank() ? dataDir.resolve("chunks") : Path.of(chunksDir),
                str(m, "backend", "rocks"),
                SyncMode.parse(str(m, "sync", "batch")), seeds, (int) num(m, "vnodes", 1024), replicas, keyspaces,
                limits, num(m, "request_timeout_millis", 2000), readRepair, num(m, "replica_timeout_millis", 2000),
                num(m, "ping_interval_millis", 1000), str(m, "membership", "static"),
                consulAddress(str(m, "consul_url", "http://127.0.0.1:8500")), str(m, "cluster", "ringkv"),
                (int) num(m, "min_nodes", 3), hints(m, num(m, "replica_timeout_millis", 2000)),
                TelemetrySettings.from(m), repair(m), replicaChannel(m), syncDelay(m), engineOptions(m), largeValues(m));
    }

    static LargeValueSettings largeValues(Map<String, Object> m) {
        return new LargeValueSettings(intNum(m, "large_value_threads", LargeValueSettings.DEFAULT_THREADS),
                intNum(m, "large_value_nice", LargeValueSettings.DEFAULT_NICE),
                intNum(m, "large_value_queue", LargeValueSettings.DEFAULT_QUEUE), bulkPort(m),
                intNum(m, "bulk_event_loops", LargeValueSettings.DEFAULT_BULK_EVENT_LOOPS));
    }

    /** {@code bulk_port}: a number, or off (YAML reads an unquoted off as false). */
    static int bulkPort(Map<String, Object> m) {
        Object raw = m.get("bulk_port");
        if (Boolean.FALSE.equals(raw) || (raw instanceof String s && s.trim().equalsIgnoreCase("off"))) {
            return LargeValueSettings.BULK_OFF;
        }
        int port = intNum(m, "bulk_port", LargeValueSettings.DEFAULT_BULK_PORT);
        if (port < 0) {
            // Only the word turns the lane off; a negative number is a mistake.
            throw new IllegalArgumentException("bulk_port must be off, 0 (any free port) or in [1, 65535], was " + port);
        }
        return port;
    }

    static long syncDelay(Map<String, Object> m) {
        // 0: no thread waits for an fsync, so a gathering delay buys no throughput (B 16 threads: 14.1-14.7k ops/s
        // with 0 or 1) and costs each write about 1 ms (A update p50 0.88 against 1.7-2.0 ms). docs/benchmarks.md.
        return num(m, "sync_delay_millis", 0);
    }

    /**
     * The rocks_<option> keys as the engine's rocks.<option> options, checked by the engine itself (its
     * list of options is the only one), so a bad key or value fails here, before anything opens.
     */
    static Map<String, String> engineOptions(Map<String, Object> m) {
        Map<String, String> options = new java.util.TreeMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (e.getKey().startsWith(ROCKS_PREFIX) && e.getValue() != null) {
                options.put("rocks." + e.getKey().substring(ROCKS_PREFIX.length()), String.valueOf(e.getValue()).trim());
            }
        }
        String backend = str(m, "backend", "rocks");
        if (options.isEmpty()) {
            return options;
        }
        if (!backend.equals("rocks")) {
            String keys = String.join(", ", options.keySet()).replace("rocks.", ROCKS_PREFIX);
            throw new IllegalArgumentException("rocks_* keys (" + keys + ") need backend rocks, not " + backend);
        }
        try {
            StorageEngines.check(backend, EngineConfig.at(Path.of("."), SyncMode.NEVER).withOptions(options));
        } catch (IllegalArgumentException e) {
            // In the engine's words, with its option names spelled as this file's keys.
            throw new IllegalArgumentException(e.getMessage().replace("rocks.", ROCKS_PREFIX), e);
        }
        return options;
    }

    static ReplicaChannelSettings replicaChannel(Map<String, Object> m) {
        String enabled = str(m, "replica_channel", "true").trim().toLowerCase(Locale.ROOT);
        if (!enabled.equals("true") && !enabled.equals("false")) {
            throw new IllegalArgumentException("replica_channel must be true or false, was '" + enabled + "'");
        }
        long maxRecord = num(m, "replica_channel_max_record_bytes", ReplicaChannelSettings.DEFAULT_MAX_RECORD_BYTES);
        long maxInFlight = num(m, "replica_channel_max_in_flight", ReplicaChannelSettings.DEFAULT_MAX_IN_FLIGHT);
        if (maxRecord > Integer.MAX_VALUE || maxInFlight > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("replica_channel_max_record_bytes and replica_channel_max_in_flight must fit an int");
        }
        return new ReplicaChannelSettings(enabled.equals("true"), (int) maxRecord, (int) maxInFlight,
                num(m, "replica_channel_reconnect_backoff_millis", ReplicaChannelSettings.DEFAULT_RECONNECT_BACKOFF_MILLIS));
    }

    static HintSettings hints(Map<String, Object> m, long deliveryTimeoutMillis) {
        long perTarget = num(m, "hints_max_bytes_per_target", HintSettings.DEFAULT_MAX_BYTES_PER_TARGET);
        long total = num(m, "hints_max_bytes_total", HintSettings.DEFAULT_MAX_BYTES_TOTAL);
        if (perTarget < 0 || total < 0) {
            throw new IllegalArgumentException("hints_max_bytes_per_target and hints_max_bytes_total must not be negative");
        }
        long window = millis(m, "max_hint_window", HintSettings.DEFAULT_MAX_HINT_WINDOW_MILLIS);
        long rate = num(m, "hint_replay_bytes_per_second", HintSettings.DEFAULT_REPLAY_BYTES_PER_SECOND);
        long interval = millis(m, "hint_replay_interval", HintSettings.DEFAULT_REPLAY_INTERVAL_MILLIS);
        if (interval < 1) {
            throw new IllegalArgumentException("hint_replay_interval must be at least 1ms, was " + interval + "ms");
        }
        long inFlight = num(m, "hint_replay_max_in_flight", HintSettings.DEFAULT_REPLAY_MAX_IN_FLIGHT);
        if (inFlight < 1 || inFlight > HintSettings.MAX_REPLAY_IN_FLIGHT) {
            throw new IllegalArgumentException("hint_replay_max_in_flight must be in [1, "
                    + HintSettings.MAX_REPLAY_IN_FLIGHT + "], was " + inFlight);
        }
        long attempts = num(m, "hint_max_attempts", HintSettings.DEFAULT_MAX_ATTEMPTS);
        if (attempts < 1 || attempts > HintSettings.MAX_MAX_ATTEMPTS) {
            throw new IllegalArgumentException("hint_max_attempts must be in [1, " + HintSettings.MAX_MAX_ATTEMPTS
                    + "], was " + attempts);
        }
        return new HintSettings(perTarget, total, window, rate, interval, deliveryTimeoutMillis,
                HintSettings.DEFAULT_STATS_INTERVAL_MILLIS, (int) inFlight, (int) attempts);
    }

    /** A duration: whole milliseconds, or a whole number with a unit ({@code 500ms}, {@code 90s}, {@code 3h}, {@code 10d}). */
    static long millis(Map<String, Object> m, String key, long dflt) {
        Object v = m.get(key);
        return v == null ? dflt : parseDuration(key, String.valueOf(v), false);
    }

    private static RepairSettings repair(Map<String, Object> m) {
        RepairSettings d = RepairSettings.DEFAULTS;
        // YAML 1.1 reads a bare `off` as the boolean false: the documented spelling must work unquoted.
        Object rawInterval = m.get("repair_interval");
        String interval = Boolean.FALSE.equals(rawInterval) ? "off" : str(m, "repair_interval", null);
        long intervalMillis = interval == null ? d.intervalMillis()
                : interval.equalsIgnoreCase("off") ? 0 : durationMillis("repair_interval", interval);
        String grace = str(m, "gc_grace", null);
        String pauseWindow = str(m, "repair_pause_window", null);
        return new RepairSettings(intervalMillis, num(m, "repair_bytes_per_second", d.bytesPerSecond()),
                (int) num(m, "repair_concurrent_vnodes", d.concurrentVnodes()),
                intNum(m, "repair_keys_in_flight", d.keysInFlight()),
                num(m, "repair_pause_p99_ms", d.pauseP99Millis()),
                pauseWindow == null ? d.pauseWindowMillis() : durationMillis("repair_pause_window", pauseWindow),
                grace == null ? d.gcGraceMillis() : durationMillis("gc_grace", grace),
                (int) num(m, "merkle_depth", d.merkleDepth()),
                num(m, "repair_rpc_timeout_millis", d.rpcTimeoutMillis()));
    }

    /**
     * A duration with its unit: {@code 500ms}, {@code 30s}, {@code 15m}, {@code 24h}, {@code 10d}. Keys
     * such as {@code gc_grace} require the unit, so that "10" is never silently read as 10 ms.
     */
    static long durationMillis(String key, String text) {
        return parseDuration(key, text, true);
    }

    /** The one duration syntax of the config: units ms, s, m, h, d; bare numbers are ms where allowed. */
    private static long parseDuration(String key, String text, boolean unitRequired) {
        java.util.regex.Matcher mt = java.util.regex.Pattern.compile("(\\d{1,15})\\s*(ms|s|m|h|d)?")
                .matcher(text.trim().toLowerCase(Locale.ROOT));
        String expected = unitRequired
                ? key + " must be a whole number with a unit (ms, s, m, h, d), e.g. 24h; was '" + text + "'"
                : key + " must be a duration like 500ms, 90s, 30m, 3h, 10d (or whole ms), was '" + text + "'";
        if (!mt.matches() || (unitRequired && mt.group(2) == null)) {
            throw new IllegalArgumentException(expected);
        }
        long unit = mt.group(2) == null ? 1 : switch (mt.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 86_400_000;
        };
        try {
            return Math.multiplyExact(Long.parseLong(mt.group(1)), unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(expected);
        }
    }

    /** {@code http://host:port} or {@code host:port}. */
    static HostPort consulAddress(String url) {
        String u = url.trim();
        if (u.startsWith("https://")) {
            throw new IllegalArgumentException("consul_url: https is not supported yet; use the local agent's http address");
        }
        if (u.startsWith("http://")) {
            u = u.substring("http://".length());
        }
        if (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return HostPort.parse(u);
    }

    private static List<Keyspace> keyspaces(Object raw) {
        List<Keyspace> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        if (!(raw instanceof List<?> items)) {
            throw new IllegalArgumentException("keyspaces must be a list of {name, n, r, w, mode, sloppy}");
        }
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> k)) {
                throw new IllegalArgumentException("each keyspace must be a mapping {name, n, r, w, mode, sloppy}");
            }
            for (Object key : k.keySet()) {
                if (!Set.of("name", "n", "r", "w", "mode", "sloppy").contains(String.valueOf(key))) {
                    throw new IllegalArgumentException("unknown keyspace key '" + key
                            + "'; known: name, n, r, w, mode, sloppy");
                }
            }
            int n = toInt(k.get("n"), 3, "n");
            out.add(new Keyspace(String.valueOf(k.get("name")), n, toInt(k.get("r"), n / 2 + 1, "r"),
                    toInt(k.get("w"), n / 2 + 1, "w"),
                    ConflictMode.parse(k.get("mode") == null ? "lww" : String.valueOf(k.get("mode"))),
                    bool(k.get("sloppy"), "sloppy")));
        }
        return out;
    }

    private static boolean bool(Object raw, String what) {
        if (raw == null) {
            return false;
        }
        return switch (String.valueOf(raw).trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(what + " must be true or false, was '" + raw + "'");
        };
    }

    private static int toInt(Object raw, int dflt, String what) {
        if (raw == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(String.valueOf(raw).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, was '" + raw + "'");
        }
    }

    private static String str(Map<String, Object> m, String key, String dflt) {
        Object v = m.get(key);
        return v == null ? dflt : String.valueOf(v).trim();
    }

    private static long num(Map<String, Object> m, String key, long dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, was '" + v + "'");
        }
    }

    /** A whole number that must fit an int: a larger one is out of any int limit's range, not silently wrapped. */
    private static int intNum(Map<String, Object> m, String key, int dflt) {
        long v = num(m, key, dflt);
        return (int) Math.clamp(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    private static List<String> list(Object raw) {
        List<String> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        if (raw instanceof List<?> items) {
            items.forEach(i -> out.add(String.valueOf(i)));
        } else {
            for (String part : String.valueOf(raw).split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }
}
