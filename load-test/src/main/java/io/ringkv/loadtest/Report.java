package io.ringkv.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The benchmark's results as the JSON report (schema in load-test/README.md; bump
 * {@link #SCHEMA_VERSION} on any change that is not a pure addition) and as the console summary.
 */
public final class Report {
    public static final int SCHEMA_VERSION = 1;

    private final BenchConfig config;
    private final Instant startedAt;
    private final LoadResult load;
    private final RunResult run;

    public Report(BenchConfig config, Instant startedAt, LoadResult load, RunResult run) {
        this.config = config;
        this.startedAt = startedAt;
        this.load = load;
        this.run = run;
    }

    /** 0 when the run is usable; 1 when a read returned a wrong value or nothing succeeded. */
    public int exitCode() {
        return run.validationErrors() > 0 || run.totalOps() == 0 ? 1 : 0;
    }

    public double throughput() {
        return run.durationSeconds() > 0 ? run.totalOps() / run.durationSeconds() : 0;
    }

    /** The report as ordered maps (key order is part of the documented schema's presentation). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema_version", SCHEMA_VERSION);
        m.put("tool", "ringkv-bench");
        m.put("started_at", startedAt.toString());
        m.put("config", configMap());
        m.put("load", load == null ? null : loadMap());
        m.put("duration_seconds", round3(run.durationSeconds()));
        m.put("total_ops", run.totalOps());
        m.put("total_errors", run.totalErrors());
        m.put("throughput_ops_per_sec", round3(throughput()));
        Map<String, Object> ops = new LinkedHashMap<>();
        for (OpType op : OpType.ALL) {
            ops.put(op.label(), opMap(op));
        }
        m.put("operations", ops);
        Map<String, Object> byType = new LinkedHashMap<>();
        for (ErrorKind kind : ErrorKind.ALL) {
            byType.put(kind.label(), run.errors(kind));
        }
        m.put("errors_by_type", byType);
        m.put("validation_errors", run.validationErrors());
        m.put("validated_reads", run.validatedReads());
        if (config.openLoop()) {
            Map<String, Object> open = new LinkedHashMap<>();
            open.put("target_ops_per_sec", config.targetOps());
            open.put("unissued_ops", run.unissued());
            m.put("open_loop", open);
        } else {
            m.put("open_loop", null);
        }
        return m;
    }

    private Map<String, Object> configMap() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("seeds", config.seeds());
        c.put("mode", config.openLoop() ? "open" : "closed");
        c.put("threads", config.threads());
        c.put("virtual_threads", config.virtualThreads());
        c.put("duration_seconds", config.durationSeconds());
        c.put("warmup_seconds", config.warmupSeconds());
        c.put("records", config.records());
        c.put("load", config.load());
        c.put("load_threads", config.loadThreads());
        c.put("read_proportion", config.readProportion());
        c.put("value_size", config.valueSize());
        c.put("key_distribution", config.keyDistribution().label());
        c.put("zipfian_theta", config.keyDistribution() == KeyDistribution.ZIPFIAN ? ZipfianGenerator.THETA : null);
        c.put("read_consistency", config.readConsistency().name());
        c.put("write_consistency", config.writeConsistency().name());
        c.put("keyspace", config.keyspace());
        c.put("request_timeout_ms", config.requestTimeout().toMillis());
        c.put("seed", config.seed());
        c.put("target_ops_per_sec", config.targetOps());
        c.put("max_ops", config.maxOps());
        c.put("validate", config.validate());
        return c;
    }

    private Map<String, Object> loadMap() {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("records", load.records());
        l.put("loaded", load.loaded());
        l.put("failed", load.failed());
        l.put("duration_seconds", round3(load.durationSeconds()));
        l.put("throughput_ops_per_sec", round3(load.throughput()));
        Histogram h = load.latencies();
        l.put("p50_us", h.getValueAtPercentile(50));
        l.put("p99_us", h.getValueAtPercentile(99));
        l.put("max_us", h.getMaxValue());
        Map<String, Object> attempts = new LinkedHashMap<>();
        for (ErrorKind kind : ErrorKind.ALL) {
            attempts.put(kind.label(), load.failedAttempts()[kind.ordinal()]);
        }
        l.put("failed_attempts_by_type", attempts);
        return l;
    }

    private Map<String, Object> opMap(OpType op) {
        Histogram h = run.latencies()[op.ordinal()];
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("count", h.getTotalCount());
        o.put("errors", run.errors(op));
        o.put("not_found", op == OpType.READ ? run.notFound() : 0L);
        o.put("throughput_ops_per_sec", round3(run.durationSeconds() > 0 ? h.getTotalCount() / run.durationSeconds() : 0));
        o.put("p50_us", h.getValueAtPercentile(50));
        o.put("p90_us", h.getValueAtPercentile(90));
        o.put("p99_us", h.getValueAtPercentile(99));
        o.put("p999_us", h.getValueAtPercentile(99.9));
        o.put("max_us", h.getMaxValue());
        o.put("mean_us", round3(h.getTotalCount() == 0 ? 0 : h.getMean()));
        return o;
    }

    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), toMap());
    }

    /** The console summary: one row per operation and a total, then errors and validation. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%nringkv bench: %.2f s measured, %s loop, %d threads, %s keys, %d records%n",
                run.durationSeconds(), config.openLoop() ? "open" : "closed", config.threads(),
                config.keyDistribution().label(), config.records()));
        s.append(String.format(Locale.ROOT, "%-7s %11s %11s %9s %9s %9s %9s %9s %9s%n", "op", "count", "ops/s",
                "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "errors"));
        for (OpType op : OpType.ALL) {
            Histogram h = run.latencies()[op.ordinal()];
            s.append(String.format(Locale.ROOT, "%-7s %11d %11.1f %9s %9s %9s %9s %9s %9d%n", op.label(),
                    h.getTotalCount(), run.durationSeconds() > 0 ? h.getTotalCount() / run.durationSeconds() : 0,
                    millis(h.getValueAtPercentile(50)), millis(h.getValueAtPercentile(90)),
                    millis(h.getValueAtPercentile(99)), millis(h.getValueAtPercentile(99.9)),
                    millis(h.getMaxValue()), run.errors(op)));
        }
        s.append(String.format(Locale.ROOT, "%-7s %11d %11.1f %59d%n", "total", run.totalOps(), throughput(),
                run.totalErrors()));
        StringBuilder errors = new StringBuilder();
        for (ErrorKind kind : ErrorKind.ALL) {
            long n = run.errors(kind);
            if (n > 0) {
                errors.append(errors.isEmpty() ? "" : ", ").append(kind.label()).append(' ').append(n);
            }
        }
        s.append("errors by type: ").append(errors.isEmpty() ? "none" : errors).append('\n');
        if (run.notFound() > 0) {
            s.append("reads that found no value: ").append(run.notFound()).append('\n');
        }
        if (config.validate()) {
            s.append("validation: ").append(run.validatedReads()).append(" reads checked, ")
                    .append(run.validationErrors()).append(run.validationErrors() > 0 ? " WRONG OR MISSING VALUES" : " errors")
                    .append('\n');
        } else {
            s.append("validation: off (--validate checks every value read)\n");
        }
        if (config.openLoop()) {
            s.append(String.format(Locale.ROOT, "open loop: target %.1f ops/s, achieved %.1f ops/s", config.targetOps(),
                    (run.totalOps() + run.totalErrors()) / Math.max(1e-9, run.durationSeconds())));
            if (run.unissued() > 0) {
                s.append(", ").append(run.unissued())
                        .append(" due operations never issued (the cluster could not keep up; latencies understate)");
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** A one-line summary of the loading phase. */
    static String loadSummary(LoadResult load) {
        Histogram h = load.latencies();
        return String.format(Locale.ROOT, "load: %d/%d keys in %.1f s (%.0f ops/s), %d failed, write p50 %s p99 %s ms",
                load.loaded(), load.records(), load.durationSeconds(), load.throughput(), load.failed(),
                millis(h.getValueAtPercentile(50)), millis(h.getValueAtPercentile(99)));
    }

    /** Microseconds as milliseconds with three decimals. */
    static String millis(long micros) {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
