package io.ringkv.loadtest;

import io.ringkv.client.Consistency;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.RingkvException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import io.ringkv.loadtest.cluster.ClusterSpec;
import io.ringkv.loadtest.cluster.NodeProcessCluster;
import io.ringkv.loadtest.scenario.Scenario;
import io.ringkv.loadtest.scenario.ScenarioRunner;
import io.ringkv.loadtest.telemetry.BenchTelemetry;
import io.ringkv.observability.TelemetrySettings;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ringkv bench}: load keys, then measure a YCSB-style workload against a running cluster or
 * one it starts itself ({@code --start-cluster}), optionally through a fault scenario.
 */
@Command(name = "ringkv bench", mixinStandardHelpOptions = true, subcommands = TableCommand.class, version = "ringkv bench 0.1.0", sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "YCSB-style benchmark of a ringkv cluster: loads --records keys, warms up, then runs a read/update mix "
                    + "for --duration seconds and reports throughput and latency percentiles (HdrHistogram, us).",
            "Closed loop by default (each thread waits for its last operation); --target-ops makes it an open loop "
                    + "whose latencies count from each operation's due time.",
            "Progress goes to stderr every 5 s, the summary to stdout, the report to --json FILE. "
                    + "Exit code 1 when a read returned a wrong or missing value (--validate) or nothing succeeded."})
public final class BenchMain implements Callable<Integer> {
    /** Held so the level set on it is not lost when java.util.logging drops an unreferenced logger. */
    private static final java.util.logging.Logger CLIENT_LOG = java.util.logging.Logger.getLogger("io.ringkv.client");

    @Option(names = {"--seeds", "--endpoint"}, split = ",", paramLabel = "HOST:PORT",
            defaultValue = "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003",
            description = "Nodes to fetch the ring from (default: ${DEFAULT-VALUE}).")
    List<String> seeds;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "16",
            description = "Closed loop: workers (operations in flight, each started when the last ends); open loop (--target-ops): most operations in flight (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--virtual-threads", description = "Run the loaders on virtual threads (and the threads that wait for the closed loop's workers).")
    boolean virtualThreads;

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "Measured phase length (default: 60, or a day with --max-ops).")
    Double duration;

    @Option(names = "--warmup", defaultValue = "5", paramLabel = "SECONDS",
            description = "Unmeasured phase before it (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--records", paramLabel = "N", defaultValue = "100000",
            description = "Keys user0000000000.. loaded first and used by the run (default: ${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--no-load", description = "Skip loading; the keys are assumed to be there already.")
    boolean noLoad;

    @Option(names = "--load-threads", paramLabel = "N", description = "Loading threads (default: --threads).")
    Integer loadThreads;

    @Option(names = "--workload", paramLabel = "a|b|c|d|e|f",
            description = "YCSB core workload preset (load-test/README.md says what each is here); "
                    + "default: b unless proportions are given.")
    String workload;

    @Option(names = "--read-proportion", paramLabel = "P",
            description = "Fraction of reads. Alone it means reads and updates (the rest); with other proportions, "
                    + "all of them must add up to 1.")
    Double readProportion;

    @Option(names = "--update-proportion", paramLabel = "P", description = "Fraction of blind updates.")
    Double updateProportion;

    @Option(names = "--insert-proportion", paramLabel = "P", description = "Fraction of inserts of new keys.")
    Double insertProportion;

    @Option(names = {"--read-modify-write-proportion", "--rmw-proportion"}, paramLabel = "P",
            description = "Fraction of read-modify-writes (a get, then a put with its causal context).")
    Double rmwProportion;

    @Option(names = "--multi-read-proportion", paramLabel = "P",
            description = "Fraction of multi-reads (workload E's scan-free stand-in for a scan).")
    Double multiReadProportion;

    @Option(names = "--multi-read-max", paramLabel = "N", defaultValue = "10",
            description = "A multi-read reads 1..N consecutive keys at once (default: ${DEFAULT-VALUE}).")
    int multiReadMax;

    @Option(names = "--value-size", defaultValue = "1024", paramLabel = "SPEC",
            description = "Value sizes, 8-byte checksum included: 1024, 1KiB, a range 100-1KiB, or a mix "
                    + "95%%:100-1KiB,5%%:1MiB-5MiB (default: ${DEFAULT-VALUE}).")
    String valueSize;

    @Option(names = "--key-distribution", paramLabel = "uniform|zipfian|hotspot|latest",
            description = "Which keys requests pick (default: the workload's; zipfian is YCSB's scrambled zipfian, "
                    + "theta 0.99).")
    String keyDistribution;

    @Option(names = "--hotspot-set-fraction", paramLabel = "F", defaultValue = "0.2",
            description = "hotspot: the hot fraction of the keys (default: ${DEFAULT-VALUE}).")
    double hotspotSetFraction;

    @Option(names = "--hotspot-op-fraction", paramLabel = "F", defaultValue = "0.8",
            description = "hotspot: the fraction of operations on hot keys (default: ${DEFAULT-VALUE}).")
    double hotspotOpFraction;

    @Option(names = "--consistency", defaultValue = "DEFAULT", paramLabel = "DEFAULT|ONE|QUORUM|ALL",
            description = "Consistency of reads and writes; DEFAULT: the keyspace's R and W (default: ${DEFAULT-VALUE}).")
    Consistency consistency;

    @Option(names = "--read-consistency", paramLabel = "LEVEL", description = "Overrides --consistency for reads.")
    Consistency readConsistency;

    @Option(names = "--write-consistency", paramLabel = "LEVEL", description = "Overrides --consistency for writes.")
    Consistency writeConsistency;

    @Option(names = "--op-consistency", split = ",", paramLabel = "OP=LEVEL",
            description = "Per operation type, e.g. read=ONE,update=ALL (ops: read, update, insert, "
                    + "read_modify_write, multi_read); overrides the two above.")
    Map<String, Consistency> opConsistency;

    @Option(names = "--keyspace", paramLabel = "NAME", defaultValue = "",
            description = "Keyspace (default: the server's default).")
    String keyspace;

    @Option(names = "--request-timeout", defaultValue = "2000", paramLabel = "MILLIS",
            description = "Deadline of each request (default: ${DEFAULT-VALUE}).")
    long requestTimeoutMillis;

    @Option(names = "--read-attempt-timeout", paramLabel = "MILLIS",
            description = "How long one get attempt waits before the client asks the next replica; 0: the whole "
                    + "--request-timeout (default: the client's, 500).")
    Long readAttemptTimeoutMillis;

    @Option(names = "--unreachable-node-backoff", paramLabel = "MILLIS",
            description = "How long a node that timed out or refused a connection is tried last; 0: never "
                    + "(default: the client's, 2000).")
    Long unreachableNodeBackoffMillis;

    @Option(names = "--kv-channel", defaultValue = "true", arity = "1", paramLabel = "true|false",
            description = "Send small calls on the client's multiplexed KV channel, one stream per node; false: one "
                    + "RPC per call (default: ${DEFAULT-VALUE}; a traced client always uses RPCs).")
    boolean kvChannel;

    @Option(names = "--bulk-nice", defaultValue = "10", paramLabel = "0..19",
            description = "Nice value of the client's threads that send and decode large values, so on a machine the "
                    + "tester shares with the nodes its megabytes wait for its small requests, as the nodes' do "
                    + "(default: ${DEFAULT-VALUE}; 0: normal priority).")
    int bulkNice;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of all randomness (default: from the clock; printed either way).")
    Long seed;

    @Option(names = "--target-ops", defaultValue = "0", paramLabel = "OPS_PER_SEC",
            description = "0: closed loop; > 0: open loop at this total rate (default: ${DEFAULT-VALUE}).")
    double targetOps;

    @Option(names = {"--max-ops", "--operation-count"}, paramLabel = "N", defaultValue = "0",
            description = "Stop the measured phase after this many operations; 0: no limit. Without --duration "
                    + "the run is then bounded by the count (and a day) (default: ${DEFAULT-VALUE}).")
    long maxOps;

    @Option(names = "--validate",
            description = "Check every value read against its checksum and key; wrong or missing values are errors.")
    boolean validate;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the report (schema: load-test/README.md) here.")
    Path json;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Write the report as a self-contained HTML page with charts here.")
    Path html;

    @Option(names = "--timeline-interval", paramLabel = "SECONDS",
            description = "Width of the report's time series intervals (default: 1, longer for runs over an hour).")
    Double timelineInterval;

    @Option(names = "--start-cluster", paramLabel = "N",
            description = "Start N `ringkv node` processes on free 127.0.0.1 ports with temporary data, run against "
                    + "them, and stop them all by pid at the end.")
    Integer startCluster;

    @Option(names = "--membership", paramLabel = "static|consul", defaultValue = "static",
            description = "--start-cluster: a static seed list, or a Consul dev agent started with the nodes "
                    + "(default: ${DEFAULT-VALUE}).")
    String membership;

    @Option(names = "--cluster-backend", paramLabel = "rocks|memory", defaultValue = "rocks",
            description = "--start-cluster: the nodes' storage (default: ${DEFAULT-VALUE}).")
    String clusterBackend;

    @Option(names = "--cluster-sync", paramLabel = "always|batch|never", defaultValue = "batch",
            description = "--start-cluster: the nodes' --sync (default: ${DEFAULT-VALUE}).")
    String clusterSync;

    @Option(names = "--cluster-dir", paramLabel = "DIR",
            description = "--start-cluster: data and logs here, kept (default: a temporary directory, deleted "
                    + "after a clean run).")
    Path clusterDir;

    @Option(names = "--node-classpath", paramLabel = "CP",
            description = "--start-cluster: classpath of `ringkv node` (default: $RINGKV_NODE_CLASSPATH).")
    String nodeClasspath;

    @Option(names = "--node-jvm-options", paramLabel = "OPTS", defaultValue = "-Xmx2g -Xms1g -XX:NewSize=600m -XX:+UseParallelGC",
            description = "--start-cluster: options of each node JVM, space-separated (default: ${DEFAULT-VALUE}).")
    String nodeJvmOptions;

    @Option(names = "--cluster-start-timeout", paramLabel = "SECONDS", defaultValue = "90",
            description = "--start-cluster: how long the nodes have to serve a ring (default: ${DEFAULT-VALUE}).")
    double clusterStartTimeout;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "Fault scenario (needs --start-cluster): lines '[at] TIME ACTION NODE', e.g. "
                    + "'at 10s sigstop n2'; times count from the start of the warmup.")
    Path scenarioFile;

    @Option(names = "--progress-interval", defaultValue = "5", paramLabel = "SECONDS",
            description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
    double progressInterval;

    @Option(names = "--otel", paramLabel = "KEY=VALUE",
            description = "An OpenTelemetry setting over its OTEL_* variable, e.g. --otel traces_exporter=otlp "
                    + "--otel exporter_otlp_endpoint=http://127.0.0.1:4317 (repeatable; off by default; "
                    + "load-test/README.md lists them).")
    Map<String, String> otel;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private PrintStream out = System.out;
    private PrintStream err = System.err;
    /** Where the OTEL_* variables come from. */
    private Map<String, String> env = System.getenv();

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the command and returns its exit code (for tests): 0 ok, 1 failed run, 2 bad usage. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        return run(out, err, System.getenv(), args);
    }

    /** As {@link #run(PrintStream, PrintStream, String...)}, with {@code env} in place of the process's environment. */
    public static int run(PrintStream out, PrintStream err, Map<String, String> env, String... args) {
        // The client reports background ring fetches through java.util.logging; the bench prints its own errors.
        CLIENT_LOG.setLevel(java.util.logging.Level.WARNING);
        BenchMain main = new BenchMain();
        main.out = out;
        main.err = err;
        main.env = Map.copyOf(env);
        CommandLine cli = new CommandLine(main);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("ringkv bench: " + ErrorLog.oneLine(e));
            if (System.getenv("RINGKV_DEBUG") != null) {
                // The stack of an unexpected failure, for a bug report; one line otherwise.
                e.printStackTrace(err);
            }
            return 1;
        });
        cli.setParameterExceptionHandler((e, args2) -> {
            err.println("ringkv bench: " + e.getMessage() + " (see ringkv bench --help)");
            return 2;
        });
        return cli.execute(args);
    }

    BenchConfig config() {
        Workload mix = mix();
        KeyDistribution distribution = keyDistribution == null ? mix.distribution() : KeyDistribution.parse(keyDistribution);
        long s = seed != null ? seed : System.nanoTime() ^ System.currentTimeMillis() << 20;
        Map<OpType, Consistency> levels = new EnumMap<>(OpType.class);
        Consistency reads = readConsistency != null ? readConsistency : consistency;
        Consistency writes = writeConsistency != null ? writeConsistency : consistency;
        for (OpType op : OpType.ALL) {
            levels.put(op, op.writes() ? writes : reads);
        }
        if (opConsistency != null) {
            opConsistency.forEach((op, level) -> levels.put(OpType.parse(op), level));
        }
        double seconds = duration != null ? duration : maxOps > 0 ? BenchConfig.MAX_SECONDS - warmup : 60;
        double interval = timelineInterval != null ? timelineInterval
                : BenchConfig.defaultTimelineInterval(warmup, seconds);
        List<String> nodes = seeds;
        if (startCluster != null) {
            // Filled in with the started nodes' addresses; a placeholder passes the checks until then.
            nodes = List.of("127.0.0.1:1");
        }
        return new BenchConfig(nodes, threads, virtualThreads, seconds, warmup, records, !noLoad,
                loadThreads != null ? loadThreads : threads, mix, multiReadMax, ValueSizes.parse(valueSize), distribution,
                hotspotSetFraction, hotspotOpFraction, levels, keyspace, Duration.ofMillis(requestTimeoutMillis),
                millis(readAttemptTimeoutMillis), millis(unreachableNodeBackoffMillis), kvChannel, bulkNice, s,
                targetOps, maxOps, validate, json, html, progressInterval, interval);
    }

    /** A duration in milliseconds, or null (the client's default) when the option was not given. */
    private static Duration millis(Long value) {
        return value == null ? null : Duration.ofMillis(value);
    }

    /** The workload preset, or the mix the proportion options give. */
    private Workload mix() {
        Double[] given = {readProportion, updateProportion, insertProportion, rmwProportion, multiReadProportion};
        boolean any = false;
        boolean onlyRead = readProportion != null;
        for (int i = 0; i < given.length; i++) {
            any |= given[i] != null;
            onlyRead &= i == 0 || given[i] == null;
        }
        if (!any) {
            return Workload.preset(workload == null ? "b" : workload);
        }
        if (workload != null) {
            throw new IllegalArgumentException("--workload and the --*-proportion options exclude each other");
        }
        double[] p = new double[OpType.ALL.length];
        for (int i = 0; i < given.length; i++) {
            p[i] = given[i] == null ? 0 : given[i];
        }
        if (onlyRead) {
            if (!(readProportion >= 0 && readProportion <= 1)) {
                throw new IllegalArgumentException("--read-proportion must be in [0, 1], was " + readProportion);
            }
            p[OpType.UPDATE.ordinal()] = 1 - readProportion;
        }
        return Workload.custom(p, KeyDistribution.ZIPFIAN);
    }

    ClusterSpec clusterSpec() {
        if (startCluster == null) {
            return null;
        }
        ClusterSpec.Membership m = switch (membership.toLowerCase(Locale.ROOT)) {
            case "static" -> ClusterSpec.Membership.STATIC;
            case "consul" -> ClusterSpec.Membership.CONSUL;
            default -> throw new IllegalArgumentException("--membership must be static or consul, was '" + membership + "'");
        };
        String cp = nodeClasspath != null ? nodeClasspath : System.getenv("RINGKV_NODE_CLASSPATH");
        if (!(clusterStartTimeout > 0 && clusterStartTimeout <= 3600)) {
            throw new IllegalArgumentException("--cluster-start-timeout must be in (0, 3600] seconds, was " + clusterStartTimeout);
        }
        List<String> jvm = nodeJvmOptions.isBlank() ? List.of() : List.of(nodeJvmOptions.trim().split("\\s+"));
        return new ClusterSpec(startCluster, m, clusterBackend, clusterSync, cp, jvm, clusterDir,
                Duration.ofMillis(Math.round(clusterStartTimeout * 1000)));
    }

    /** The OpenTelemetry settings: OTEL_* variables, then --otel flags. */
    TelemetrySettings telemetrySettings() {
        try {
            return BenchTelemetry.settings(env, otel == null ? Map.of() : otel);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith("--otel") ? m : "OpenTelemetry settings (OTEL_* or --otel): " + m, e);
        }
    }

    Scenario scenario(ClusterSpec cluster) {
        if (scenarioFile == null) {
            return null;
        }
        if (cluster == null) {
            throw new IllegalArgumentException("--scenario needs --start-cluster: the tester only signals processes it "
                    + "started itself");
        }
        Scenario scenario = Scenario.read(scenarioFile);
        scenario.checkNodes(cluster.nodes());
        return scenario;
    }

    @Override
    public Integer call() throws Exception {
        BenchConfig config;
        ClusterSpec clusterSpec;
        Scenario scenario;
        TelemetrySettings telemetrySettings;
        try {
            if (startCluster != null && spec.commandLine().getParseResult().hasMatchedOption("--seeds")) {
                throw new IllegalArgumentException("--seeds and --start-cluster exclude each other");
            }
            config = config();
            clusterSpec = clusterSpec();
            scenario = scenario(clusterSpec);
            telemetrySettings = telemetrySettings();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (BenchTelemetry telemetry = BenchTelemetry.start(telemetrySettings, "bench-" + ProcessHandle.current().pid())) {
            if (telemetry.describe() != null) {
                err.println(telemetry.describe());
                BenchTelemetry.logTo(err);
            }
            return call(config, clusterSpec, scenario, telemetry);
        }
    }

    private int call(BenchConfig config, ClusterSpec clusterSpec, Scenario scenario, BenchTelemetry telemetry)
            throws Exception {
        Instant startedAt = Instant.now();
        if (clusterSpec == null) {
            return run(config, startedAt, null, null, telemetry);
        }
        NodeProcessCluster cluster;
        try {
            cluster = NodeProcessCluster.start(clusterSpec, err);
        } catch (java.io.IOException e) {
            err.println("ringkv bench: could not start the cluster: " + ErrorLog.oneLine(e));
            return 1;
        }
        int code = 1;
        try {
            config = withSeeds(config, cluster.addresses());
            if (scenario != null && scenario.lastSeconds() > config.warmupSeconds() + config.durationSeconds()) {
                err.println("ringkv bench: note: scenario steps after " + (config.warmupSeconds() + config.durationSeconds())
                        + " s come after the end of the run and will not be applied");
            }
            code = run(config, startedAt, cluster, scenario, telemetry);
            return code;
        } finally {
            cluster.close(code == 0);
        }
    }

    private static BenchConfig withSeeds(BenchConfig c, List<String> seeds) {
        return new BenchConfig(seeds, c.threads(), c.virtualThreads(), c.durationSeconds(), c.warmupSeconds(), c.records(),
                c.load(), c.loadThreads(), c.workload(), c.multiReadMax(), c.valueSizes(), c.keyDistribution(),
                c.hotspotSetFraction(), c.hotspotOpFraction(), c.consistency(), c.keyspace(), c.requestTimeout(),
                c.readAttemptTimeout(), c.unreachableNodeBackoff(), c.kvChannel(), c.bulkNice(), c.seed(),
                c.targetOps(), c.maxOps(), c.validate(), c.jsonFile(), c.htmlFile(), c.progressIntervalSeconds(),
                c.timelineIntervalSeconds());
    }

    /** The client the run uses: the config's timeouts, traced when tracing is on (and only then). */
    static RingkvClient.Builder client(BenchConfig config, BenchTelemetry telemetry) {
        RingkvClient.Builder b = RingkvClient.builder().seeds(config.seeds()).requestTimeout(config.requestTimeout());
        if (config.readAttemptTimeout() != null) {
            b.readAttemptTimeout(config.readAttemptTimeout());
        }
        if (config.unreachableNodeBackoff() != null) {
            b.unreachableNodeBackoff(config.unreachableNodeBackoff());
        }
        b.kvChannel(config.kvChannel());
        b.bulkNice(config.bulkNice());
        if (telemetry.tracingEnabled()) {
            b.openTelemetry(telemetry.openTelemetry());
        }
        return b;
    }

    /** Attempts to fetch the ring before a run: a node that just started may not answer the first. */
    static final int RING_ATTEMPTS = 3;

    /** Fetches the ring, up to {@link #RING_ATTEMPTS} times; the last failure, or null. */
    static RingkvException firstRing(RingkvClient client) {
        RingkvException last = null;
        for (int i = 0; i < RING_ATTEMPTS; i++) {
            try {
                client.ring();
                return null;
            } catch (RingkvException e) {
                last = e;
            }
        }
        return last;
    }

    private int run(BenchConfig config, Instant startedAt, NodeProcessCluster cluster, Scenario scenario,
                    BenchTelemetry telemetry) throws Exception {
        err.println(describe(config));
        SplittableRandom root = new SplittableRandom(config.seed());
        SplittableRandom loadRandom = root.split();
        SplittableRandom runRandom = root.split();
        // One pool of random payload bytes for every thread: read-only, and values may be megabytes.
        byte[] pool = ValueCodec.payloadPool(root.split(), config.valueSizes().max());
        ErrorLog errorLog = new ErrorLog(err);
        try (RingkvClient client = client(config, telemetry).build()) {
            RingkvException noRing = firstRing(client);
            if (noRing != null) {
                err.println("ringkv bench: no ring from " + String.join(",", config.seeds()) + ": " + noRing.getMessage());
                return 1;
            }
            LoadResult load = null;
            if (config.load()) {
                load = new Loader(config, client, loadRandom, pool, err, errorLog).run();
                err.println(Report.loadSummary(load));
            }
            ScenarioRunner runner = scenario == null ? null : new ScenarioRunner(scenario, cluster, err);
            RunResult run;
            try {
                run = new Benchmark(config, client, runRandom, err, errorLog, telemetry.operationTracer(),
                        telemetry.metrics()).run(pool, load == null ? new long[0] : load.failedKeys(), start -> {
                    if (runner != null) {
                        runner.start(start);
                    }
                });
            } finally {
                if (runner != null) {
                    runner.stop();
                }
            }
            ClusterInfo info = cluster == null ? null : new ClusterInfo(cluster.spec().nodes(),
                    cluster.spec().membership().name().toLowerCase(Locale.ROOT), cluster.spec().backend(),
                    cluster.spec().sync(), cluster.addresses(), cluster.pids(), cluster.dir().toString());
            Report report = new Report(config, startedAt, load, run, runner == null ? List.of() : runner.events(), info,
                    scenario == null ? null : scenario.source());
            out.print(report.summary());
            out.flush();
            if (config.jsonFile() != null) {
                report.writeJson(config.jsonFile());
                err.println("ringkv bench: report written to " + config.jsonFile());
            }
            if (config.htmlFile() != null) {
                report.writeHtml(config.htmlFile());
                err.println("ringkv bench: HTML report written to " + config.htmlFile());
            }
            return report.exitCode();
        }
    }

    static String describe(BenchConfig c) {
        String loop = c.openLoop() ? String.format(Locale.ROOT, "open loop at %.1f ops/s", c.targetOps()) : "closed loop";
        StringBuilder levels = new StringBuilder();
        for (OpType op : OpType.ALL) {
            if (c.workload().proportion(op) > 0) {
                levels.append(levels.isEmpty() ? "" : " ").append(op.label()).append('=').append(c.consistency(op));
            }
        }
        return String.format(Locale.ROOT,
                "ringkv bench: workload %s (%s), %s, %s, %.1f s + %.1f s warmup, %d records (%s), values %s, "
                        + "%s keys, consistency %s, validate %s, seed %d, seeds %s",
                c.workload().name(), c.workload().describe(), loop, c.openLoop()
                        ? "at most " + c.threads() + " in flight"
                        : c.threads() + " workers",
                c.durationSeconds(), c.warmupSeconds(), c.records(), c.load() ? "loading first" : "not loading",
                c.valueSizes().spec(), c.keyDistribution().label(), levels, c.validate() ? "on" : "off",
                c.seed(), String.join(",", c.seeds()));
    }
}
