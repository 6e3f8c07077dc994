package io.ringkv.loadtest;

import io.ringkv.client.Consistency;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.RingkvException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ringkv bench}: load keys, then measure a read/update mix against a running cluster. */
@Command(name = "ringkv bench", mixinStandardHelpOptions = true, version = "ringkv bench 0.1.0", sortOptions = false,
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
            description = "Worker threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--virtual-threads", description = "Run workers (and loaders) on virtual threads.")
    boolean virtualThreads;

    @Option(names = "--duration", defaultValue = "60", paramLabel = "SECONDS",
            description = "Measured phase length (default: ${DEFAULT-VALUE}).")
    double duration;

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

    @Option(names = "--read-proportion", paramLabel = "P", defaultValue = "0.95",
            description = "Fraction of operations that are reads; the rest are updates (default: ${DEFAULT-VALUE}).")
    double readProportion;

    @Option(names = "--value-size", defaultValue = "1024", paramLabel = "BYTES",
            description = "Value size, including the 8-byte checksum (default: ${DEFAULT-VALUE}).")
    int valueSize;

    @Option(names = "--key-distribution", defaultValue = "zipfian", paramLabel = "uniform|zipfian",
            description = "Which keys requests pick: zipfian is YCSB's scrambled zipfian, theta 0.99 "
                    + "(default: ${DEFAULT-VALUE}).")
    String keyDistribution;

    @Option(names = "--consistency", defaultValue = "DEFAULT", paramLabel = "DEFAULT|ONE|QUORUM|ALL",
            description = "Consistency of reads and writes; DEFAULT: the keyspace's R and W (default: ${DEFAULT-VALUE}).")
    Consistency consistency;

    @Option(names = "--read-consistency", paramLabel = "LEVEL", description = "Overrides --consistency for reads.")
    Consistency readConsistency;

    @Option(names = "--write-consistency", paramLabel = "LEVEL", description = "Overrides --consistency for writes.")
    Consistency writeConsistency;

    @Option(names = "--keyspace", paramLabel = "NAME", defaultValue = "",
            description = "Keyspace (default: the server's default).")
    String keyspace;

    @Option(names = "--request-timeout", defaultValue = "2000", paramLabel = "MILLIS",
            description = "Deadline of each request (default: ${DEFAULT-VALUE}).")
    long requestTimeoutMillis;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of all randomness (default: from the clock; printed either way).")
    Long seed;

    @Option(names = "--target-ops", defaultValue = "0", paramLabel = "OPS_PER_SEC",
            description = "0: closed loop; > 0: open loop at this total rate (default: ${DEFAULT-VALUE}).")
    double targetOps;

    @Option(names = "--max-ops", paramLabel = "N", defaultValue = "0",
            description = "Stop the measured phase after this many operations; 0: no limit (default: ${DEFAULT-VALUE}).")
    long maxOps;

    @Option(names = "--validate",
            description = "Check every value read against its checksum and key; wrong or missing values are errors.")
    boolean validate;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the report (schema: load-test/README.md) here.")
    Path json;

    @Option(names = "--progress-interval", defaultValue = "5", paramLabel = "SECONDS",
            description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
    double progressInterval;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private PrintStream out = System.out;
    private PrintStream err = System.err;

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the command and returns its exit code (for tests): 0 ok, 1 failed run, 2 bad usage. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        // The client reports background ring fetches through java.util.logging; the bench prints its own errors.
        CLIENT_LOG.setLevel(java.util.logging.Level.WARNING);
        BenchMain main = new BenchMain();
        main.out = out;
        main.err = err;
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
        KeyDistribution distribution = switch (keyDistribution.toLowerCase(Locale.ROOT)) {
            case "uniform" -> KeyDistribution.UNIFORM;
            case "zipfian" -> KeyDistribution.ZIPFIAN;
            default -> throw new IllegalArgumentException(
                    "--key-distribution must be uniform or zipfian, was '" + keyDistribution + "'");
        };
        long s = seed != null ? seed : System.nanoTime() ^ System.currentTimeMillis() << 20;
        return new BenchConfig(seeds, threads, virtualThreads, duration, warmup, records, !noLoad,
                loadThreads != null ? loadThreads : threads, readProportion, valueSize, distribution,
                readConsistency != null ? readConsistency : consistency,
                writeConsistency != null ? writeConsistency : consistency, keyspace,
                Duration.ofMillis(requestTimeoutMillis), s, targetOps, maxOps, validate, json, progressInterval);
    }

    @Override
    public Integer call() throws Exception {
        BenchConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Instant startedAt = Instant.now();
        err.println(describe(config));
        SplittableRandom root = new SplittableRandom(config.seed());
        SplittableRandom loadRandom = root.split();
        SplittableRandom runRandom = root.split();
        ErrorLog errorLog = new ErrorLog(err);
        try (RingkvClient client = RingkvClient.builder().seeds(config.seeds()).requestTimeout(config.requestTimeout())
                .build()) {
            try {
                client.ring();
            } catch (RingkvException e) {
                err.println("ringkv bench: no ring from " + String.join(",", config.seeds()) + ": " + e.getMessage());
                return 1;
            }
            LoadResult load = null;
            if (config.load()) {
                load = new Loader(config, client, loadRandom, err, errorLog).run();
                err.println(Report.loadSummary(load));
            }
            RunResult run = new Benchmark(config, client, runRandom, err, errorLog).run();
            Report report = new Report(config, startedAt, load, run);
            out.print(report.summary());
            out.flush();
            if (config.jsonFile() != null) {
                report.writeJson(config.jsonFile());
                err.println("ringkv bench: report written to " + config.jsonFile());
            }
            return report.exitCode();
        }
    }

    static String describe(BenchConfig c) {
        String loop = c.openLoop() ? String.format(Locale.ROOT, "open loop at %.1f ops/s", c.targetOps()) : "closed loop";
        return String.format(Locale.ROOT,
                "ringkv bench: %s, %d %s threads, %.1f s + %.1f s warmup, %d records (%s), %.0f%% reads, %d-byte values, "
                        + "%s keys, consistency r=%s w=%s, validate %s, seed %d, seeds %s",
                loop, c.threads(), c.virtualThreads() ? "virtual" : "platform", c.durationSeconds(), c.warmupSeconds(),
                c.records(), c.load() ? "loading first" : "not loading", c.readProportion() * 100, c.valueSize(),
                c.keyDistribution().label(), c.readConsistency(), c.writeConsistency(), c.validate() ? "on" : "off",
                c.seed(), String.join(",", c.seeds()));
    }
}
