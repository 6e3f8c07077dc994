package io.ringkv.loadtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ringkv.loadtest.scenario.FaultEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The benchmark's results as the JSON report (schema in load-test/README.md; bump
 * {@link #SCHEMA_VERSION} on any change that is not a pure addition), as the console summary, and
 * (through {@link HtmlReport}) as a self-contained HTML page.
 */
public final class Report {
    public static final int SCHEMA_VERSION = 2;
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final BenchConfig config;
    private final Instant startedAt;
    private final LoadResult load;
    private final RunResult run;
    private final List<FaultEvent> events;
    private final ClusterInfo cluster;
    private final String scenario;

    public Report(BenchConfig config, Instant startedAt, LoadResult load, RunResult run) {
        this(config, startedAt, load, run, List.of(), null, null);
    }

    /**
     * @param events   the fault scenario's steps as applied (empty without --scenario)
     * @param cluster  the cluster the tester started, or null
     * @param scenario the scenario file, or null
     */
    public Report(BenchConfig config, Instant startedAt, LoadResult load, RunResult run, List<FaultEvent> events,
                  ClusterInfo cluster, String scenario) {
        this.config = config;
        this.startedAt = startedAt;
        this.load = load;
        this.run = run;
        this.events = List.copyOf(events);
        this.cluster = cluster;
        this.scenario = scenario;
    }

    /** 0 when the run is usable; 1 when a read returned a wrong value or nothing succeeded. */
    public int exitCode() {
        return run.validationErrors() > 0 || run.totalOps() == 0 ? 1 : 0;
    }

    public double throughput() {
        return run.durationSeconds() > 0 ? run.totalOps() / run.durationSeconds() : 0;
    }

    /** Measured successes over measured attempts (1 when nothing was attempted). */
    public double availability() {
        long attempted = run.totalOps() + run.totalErrors();
        return attempted == 0 ? 1 : (double) run.totalOps() / attempted;
    }

    private List<OpType> mixOps() {
        List<OpType> ops = new ArrayList<>();
        for (OpType op : OpType.ALL) {
            if (config.workload().proportion(op) > 0) {
                ops.add(op);
            }
        }
        return ops;
    }

    /** The report as ordered maps (key order is part of the documented schema's presentation). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema_version", SCHEMA_VERSION);
        m.put("tool", "ringkv-bench");
        m.put("started_at", startedAt.toString());
        m.put("config", configMap());
        m.put("cluster", cluster == null ? null : clusterMap());
        m.put("load", load == null ? null : loadMap());
        m.put("duration_seconds", round3(run.durationSeconds()));
        m.put("total_ops", run.totalOps());
        m.put("total_errors", run.totalErrors());
        m.put("throughput_ops_per_sec", round3(throughput()));
        m.put("availability", round6(availability()));
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
        m.put("not_found", run.notFound());
        m.put("inserted_keys", run.inserted());
        if (config.openLoop()) {
            Map<String, Object> open = new LinkedHashMap<>();
            open.put("target_ops_per_sec", config.targetOps());
            open.put("unissued_ops", run.unissued());
            Histogram lag = run.issueLag();
            Map<String, Object> lagMap = new LinkedHashMap<>();
            lagMap.put("p50_us", lag.getValueAtPercentile(50));
            lagMap.put("p99_us", lag.getValueAtPercentile(99));
            lagMap.put("p999_us", lag.getValueAtPercentile(99.9));
            lagMap.put("max_us", lag.getMaxValue());
            open.put("issue_lag", lagMap);
            m.put("open_loop", open);
        } else {
            m.put("open_loop", null);
        }
        m.put("timeline", timelineMap());
        m.put("scenario", scenario);
        m.put("events", eventsList());
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
        c.put("workload", config.workload().name());
        Map<String, Object> proportions = new LinkedHashMap<>();
        for (OpType op : OpType.ALL) {
            proportions.put(op.label(), config.workload().proportion(op));
        }
        c.put("proportions", proportions);
        c.put("multi_read_max", config.multiReadMax());
        c.put("value_size", config.valueSizes().spec());
        List<Map<String, Object>> classes = new ArrayList<>();
        for (ValueSizes.SizeClass sc : config.valueSizes().classes()) {
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("class", sc.label());
            k.put("min_bytes", sc.min());
            k.put("max_bytes", sc.max());
            k.put("weight", round6(sc.weight()));
            classes.add(k);
        }
        c.put("value_size_classes", classes);
        c.put("key_distribution", config.keyDistribution().label());
        boolean zipf = config.keyDistribution() == KeyDistribution.ZIPFIAN || config.keyDistribution() == KeyDistribution.LATEST;
        c.put("zipfian_theta", zipf ? ZipfianGenerator.THETA : null);
        if (config.keyDistribution() == KeyDistribution.HOTSPOT) {
            Map<String, Object> hot = new LinkedHashMap<>();
            hot.put("set_fraction", config.hotspotSetFraction());
            hot.put("op_fraction", config.hotspotOpFraction());
            c.put("hotspot", hot);
        } else {
            c.put("hotspot", null);
        }
        Map<String, Object> consistency = new LinkedHashMap<>();
        for (OpType op : OpType.ALL) {
            consistency.put(op.label(), config.consistency(op).name());
        }
        c.put("consistency", consistency);
        c.put("keyspace", config.keyspace());
        c.put("request_timeout_ms", config.requestTimeout().toMillis());
        c.put("read_attempt_timeout_ms", config.readAttemptTimeout() == null ? null : config.readAttemptTimeout().toMillis());
        c.put("unreachable_node_backoff_ms",
                config.unreachableNodeBackoff() == null ? null : config.unreachableNodeBackoff().toMillis());
        c.put("kv_channel", config.kvChannel());
        c.put("bulk_nice", config.bulkNice());
        c.put("seed", config.seed());
        c.put("target_ops_per_sec", config.targetOps());
        c.put("max_ops", config.maxOps());
        c.put("validate", config.validate());
        c.put("timeline_interval_seconds", config.timelineIntervalSeconds());
        return c;
    }

    private Map<String, Object> clusterMap() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("nodes", cluster.nodes());
        c.put("membership", cluster.membership());
        c.put("backend", cluster.backend());
        c.put("sync", cluster.sync());
        c.put("addresses", cluster.addresses());
        c.put("pids", cluster.pids());
        c.put("dir", cluster.dir());
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
        Histogram h = run.latency(op);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("count", h.getTotalCount());
        o.put("errors", run.errors(op));
        o.put("throughput_ops_per_sec", round3(run.durationSeconds() > 0 ? h.getTotalCount() / run.durationSeconds() : 0));
        putLatencies(o, h);
        List<Map<String, Object>> bySize = new ArrayList<>();
        List<ValueSizes.SizeClass> classes = config.valueSizes().classes();
        for (int c = 0; c < classes.size(); c++) {
            Histogram ch = run.latency(op, c);
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("class", classes.get(c).label());
            k.put("count", ch.getTotalCount());
            putLatencies(k, ch);
            bySize.add(k);
        }
        o.put("by_value_size", bySize);
        return o;
    }

    private static void putLatencies(Map<String, Object> o, Histogram h) {
        o.put("p50_us", h.getValueAtPercentile(50));
        o.put("p90_us", h.getValueAtPercentile(90));
        o.put("p99_us", h.getValueAtPercentile(99));
        o.put("p999_us", h.getValueAtPercentile(99.9));
        o.put("max_us", h.getMaxValue());
        o.put("mean_us", round3(h.getTotalCount() == 0 ? 0 : h.getMean()));
    }

    private Map<String, Object> timelineMap() {
        Map<String, Object> t = new LinkedHashMap<>();
        double interval = run.timelineIntervalSeconds();
        t.put("interval_seconds", interval);
        t.put("measure_start_seconds", config.warmupSeconds());
        List<Timeline.Point> points = run.timeline();
        int last = points.size() - 1;
        while (last > 0 && points.get(last).succeeded() + points.get(last).failed() == 0) {
            last--; // a run that ended early (--max-ops) leaves empty intervals behind
        }
        List<OpType> ops = mixOps();
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i <= last; i++) {
            Timeline.Point p = points.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            long ok = p.succeeded();
            long failed = p.failed();
            m.put("t_seconds", round3(p.startSeconds()));
            m.put("phase", p.measured() ? "measure" : "warmup");
            m.put("attempted", ok + failed);
            m.put("succeeded", ok);
            m.put("failed", failed);
            m.put("availability", ok + failed == 0 ? null : round6((double) ok / (ok + failed)));
            m.put("throughput_ops_per_sec", round3(ok / interval));
            Map<String, Object> byOp = new LinkedHashMap<>();
            for (OpType op : ops) {
                Histogram h = p.latencies()[op.ordinal()];
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("count", h.getTotalCount());
                o.put("errors", p.failures()[op.ordinal()]);
                o.put("p50_us", h.getValueAtPercentile(50));
                o.put("p99_us", h.getValueAtPercentile(99));
                o.put("max_us", h.getMaxValue());
                byOp.put(op.label(), o);
            }
            m.put("operations", byOp);
            list.add(m);
        }
        t.put("points", list);
        return t;
    }

    private List<Map<String, Object>> eventsList() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (FaultEvent e : events) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t_seconds", round3(e.atSeconds()));
            m.put("planned_seconds", round3(e.plannedSeconds()));
            m.put("action", e.action().label());
            m.put("node", e.node());
            m.put("ok", e.ok());
            m.put("detail", e.detail());
            list.add(m);
        }
        return list;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(toMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the report cannot be serialised", e);
        }
    }

    public void writeJson(Path file) throws IOException {
        write(file, toJson());
    }

    public void writeHtml(Path file) throws IOException {
        write(file, HtmlReport.render(JSON.valueToTree(toMap())));
    }

    private static void write(Path file, String text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** The console summary: one row per operation of the mix (and per size class) and a total, then errors. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%nringkv bench: workload %s (%s), %.2f s measured, %s loop, %d threads, "
                        + "%s keys, %d records, values %s%n", config.workload().name(), config.workload().describe(),
                run.durationSeconds(), config.openLoop() ? "open" : "closed", config.threads(),
                config.keyDistribution().label(), config.records(), config.valueSizes().spec()));
        s.append(String.format(Locale.ROOT, "%-26s %11s %11s %9s %9s %9s %9s %9s %9s%n", "op", "count", "ops/s",
                "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "errors"));
        List<ValueSizes.SizeClass> classes = config.valueSizes().classes();
        for (OpType op : mixOps()) {
            row(s, op.label(), run.latency(op), run.errors(op));
            if (classes.size() > 1) {
                for (int c = 0; c < classes.size(); c++) {
                    row(s, "  " + op.label() + " " + classes.get(c).label(), run.latency(op, c), -1);
                }
            }
        }
        s.append(String.format(Locale.ROOT, "%-26s %11d %11.1f %59d%n", "total", run.totalOps(), throughput(),
                run.totalErrors()));
        StringBuilder errors = new StringBuilder();
        for (ErrorKind kind : ErrorKind.ALL) {
            long n = run.errors(kind);
            if (n > 0) {
                errors.append(errors.isEmpty() ? "" : ", ").append(kind.label()).append(' ').append(n);
            }
        }
        s.append("errors by type: ").append(errors.isEmpty() ? "none" : errors).append('\n');
        s.append(String.format(Locale.ROOT, "availability: %.4f%% of measured operations succeeded", availability() * 100));
        double worst = 1;
        double worstAt = -1;
        for (Timeline.Point p : run.timeline()) {
            long attempted = p.succeeded() + p.failed();
            if (p.measured() && attempted > 0 && (double) p.succeeded() / attempted < worst) {
                worst = (double) p.succeeded() / attempted;
                worstAt = p.startSeconds();
            }
        }
        if (worstAt >= 0) {
            s.append(String.format(Locale.ROOT, "; worst interval %.2f%% at %.0f s", worst * 100, worstAt));
        }
        s.append('\n');
        if (run.notFound() > 0) {
            s.append("reads that found no value: ").append(run.notFound()).append('\n');
        }
        if (run.inserted() > 0) {
            s.append("keys inserted: ").append(run.inserted()).append('\n');
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
            Histogram lag = run.issueLag();
            s.append(String.format(Locale.ROOT, "; issued late by p50 %.3f / p99 %.3f / max %.3f ms (in the latencies)",
                    lag.getValueAtPercentile(50) / 1000.0, lag.getValueAtPercentile(99) / 1000.0, lag.getMaxValue() / 1000.0));
            if (run.unissued() > 0) {
                s.append(", ").append(run.unissued())
                        .append(" due operations never issued (the cluster could not keep up; latencies understate)");
            }
            s.append('\n');
        }
        for (FaultEvent e : events) {
            s.append(String.format(Locale.ROOT, "fault: %7.1f s %s %s %s%s%n", e.atSeconds(), e.action().label(), e.node(),
                    e.ok() ? "ok" : "FAILED", e.detail().isEmpty() ? "" : " (" + e.detail() + ")"));
        }
        return s.toString();
    }

    private void row(StringBuilder s, String label, Histogram h, long errors) {
        s.append(String.format(Locale.ROOT, "%-26s %11d %11.1f %9s %9s %9s %9s %9s %9s%n", label,
                h.getTotalCount(), run.durationSeconds() > 0 ? h.getTotalCount() / run.durationSeconds() : 0,
                millis(h.getValueAtPercentile(50)), millis(h.getValueAtPercentile(90)),
                millis(h.getValueAtPercentile(99)), millis(h.getValueAtPercentile(99.9)),
                millis(h.getMaxValue()), errors < 0 ? "" : Long.toString(errors)));
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

    static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    static double round6(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
