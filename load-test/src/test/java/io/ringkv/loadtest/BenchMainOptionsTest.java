package io.ringkv.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.client.Consistency;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchMainOptionsTest {
    private static BenchConfig parse(String... args) {
        BenchMain main = new BenchMain();
        CommandLine cli = new CommandLine(main);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.parseArgs(args);
        return main.config();
    }

    @Test
    void defaults() {
        BenchConfig c = parse("--seed", "1");
        assertThat(c.seeds()).containsExactly("127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003");
        assertThat(c.threads()).isEqualTo(16);
        assertThat(c.durationSeconds()).isEqualTo(60);
        assertThat(c.warmupSeconds()).isEqualTo(5);
        assertThat(c.records()).isEqualTo(100_000);
        assertThat(c.load()).isTrue();
        assertThat(c.loadThreads()).isEqualTo(16);
        assertThat(c.workload()).isEqualTo(Workload.preset("b"));
        assertThat(c.workload().proportion(OpType.READ)).isEqualTo(0.95);
        assertThat(c.valueSizes().isFixed()).isTrue();
        assertThat(c.valueSizes().min()).isEqualTo(1024);
        assertThat(c.keyDistribution()).isEqualTo(KeyDistribution.ZIPFIAN);
        for (OpType op : OpType.ALL) {
            assertThat(c.consistency(op)).isEqualTo(Consistency.DEFAULT);
        }
        assertThat(c.timelineIntervalSeconds()).isEqualTo(1);
        assertThat(c.htmlFile()).isNull();
        assertThat(c.targetOps()).isZero();
        assertThat(c.openLoop()).isFalse();
        assertThat(c.validate()).isFalse();
        assertThat(c.jsonFile()).isNull();
        assertThat(c.seed()).isEqualTo(1);
    }

    @Test
    void everyOption() {
        BenchConfig c = parse("--endpoint", "h1:1,h2:2", "--threads", "3", "--virtual-threads", "--duration", "2.5",
                "--warmup", "0", "--records", "10", "--no-load", "--load-threads", "7", "--read-proportion", "0.5",
                "--value-size", "8", "--key-distribution", "UNIFORM", "--consistency", "quorum",
                "--write-consistency", "all", "--keyspace", "ks", "--request-timeout", "500", "--seed", "9",
                "--target-ops", "1000", "--max-ops", "99", "--validate", "--json", "out.json");
        assertThat(c.seeds()).isEqualTo(List.of("h1:1", "h2:2"));
        assertThat(c.threads()).isEqualTo(3);
        assertThat(c.virtualThreads()).isTrue();
        assertThat(c.durationSeconds()).isEqualTo(2.5);
        assertThat(c.load()).isFalse();
        assertThat(c.loadThreads()).isEqualTo(7);
        assertThat(c.keyDistribution()).isEqualTo(KeyDistribution.UNIFORM);
        assertThat(c.workload().name()).isEqualTo("custom");
        assertThat(c.workload().proportion(OpType.UPDATE)).isEqualTo(0.5);
        assertThat(c.consistency(OpType.READ)).isEqualTo(Consistency.QUORUM);
        assertThat(c.consistency(OpType.MULTI_READ)).isEqualTo(Consistency.QUORUM);
        assertThat(c.consistency(OpType.UPDATE)).isEqualTo(Consistency.ALL);
        assertThat(c.consistency(OpType.INSERT)).isEqualTo(Consistency.ALL);
        assertThat(c.keyspace()).isEqualTo("ks");
        assertThat(c.requestTimeout().toMillis()).isEqualTo(500);
        assertThat(c.openLoop()).isTrue();
        assertThat(c.maxOps()).isEqualTo(99);
        assertThat(c.validate()).isTrue();
        assertThat(c.jsonFile().toString()).isEqualTo("out.json");
    }

    @Test
    void badValuesAreUsageErrorsWithExitCode2() {
        for (String[] args : new String[][] {
            {"--threads", "0"}, {"--read-proportion", "1.5"}, {"--value-size", "4"}, {"--key-distribution", "newest"},
            {"--consistency", "most"}, {"--duration", "0"}, {"--seeds", "nohostport"}, {"--bogus"},
            {"--workload", "g"}, {"--workload", "a", "--read-proportion", "0.5"},
            {"--read-proportion", "0.5", "--insert-proportion", "0.4"}, {"--value-size", "95%:1KiB,4%:1MiB"},
            {"--value-size", "1KiB-100"}, {"--value-size", "lots"}, {"--value-size", "32MiB"},
            {"--op-consistency", "scan=ONE"}, {"--multi-read-max", "0"}, {"--hotspot-set-fraction", "0"},
            {"--scenario", "x.txt"}, {"--start-cluster", "0", "--node-classpath", "x"},
            {"--start-cluster", "3", "--membership", "zookeeper", "--node-classpath", "x"},
            {"--start-cluster", "3", "--seeds", "h:1", "--node-classpath", "x"},
            {"--timeline-interval", "0.001"}, {"--read-attempt-timeout", "-1"}, {"--read-attempt-timeout", "3600001"},
            {"--unreachable-node-backoff", "-1"}, {"--unreachable-node-backoff", "3600001"},
            {"--request-timeout", "3600001"}, {"--read-attempt-timeout", "soon"},
            {"--otel", "tracing=on"}, {"--otel", "traces_exporter=zipkin"}, {"--otel", "noequals"}}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = BenchMain.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true), args);
            assertThat(code).as(String.join(" ", args)).isEqualTo(2);
            String message = err.toString(StandardCharsets.UTF_8);
            assertThat(message).as(String.join(" ", args)).startsWith("ringkv bench: ");
            assertThat(message.strip().lines().count()).as(message).isEqualTo(1);
        }
    }

    @Test
    void clientTimeoutsPassThroughAndAreTheClientsDefaultsWhenAbsent() {
        BenchConfig absent = parse("--seed", "1");
        assertThat(absent.readAttemptTimeout()).isNull();
        assertThat(absent.unreachableNodeBackoff()).isNull();
        // The edges: 0 (no per-attempt bound, never demote) and an hour, as the client accepts.
        BenchConfig zero = parse("--read-attempt-timeout", "0", "--unreachable-node-backoff", "0");
        assertThat(zero.readAttemptTimeout()).isZero();
        assertThat(zero.unreachableNodeBackoff()).isZero();
        BenchConfig hour = parse("--read-attempt-timeout", "3600000", "--unreachable-node-backoff", "3600000",
                "--request-timeout", "3600000");
        assertThat(hour.readAttemptTimeout().toHours()).isEqualTo(1);
        assertThat(hour.unreachableNodeBackoff().toHours()).isEqualTo(1);
        BenchConfig c = parse("--read-attempt-timeout", "150", "--unreachable-node-backoff", "5000");
        assertThat(c.readAttemptTimeout().toMillis()).isEqualTo(150);
        assertThat(c.unreachableNodeBackoff().toMillis()).isEqualTo(5000);
        // The client accepts what the bench accepted (it would refuse a bad value with an exception).
        for (BenchConfig ok : List.of(absent, zero, hour, c)) {
            try (var client = BenchMain.client(ok, io.ringkv.loadtest.telemetry.BenchTelemetry.OFF).build()) {
                assertThat(client).isNotNull();
            }
        }
    }

    @Test
    void bulkNiceDefaultsTo10AndItsEdgesHold() {
        assertThat(parse("--seed", "1").bulkNice()).isEqualTo(10);
        assertThat(parse("--bulk-nice", "0").bulkNice()).isZero();
        assertThat(parse("--bulk-nice", "19").bulkNice()).isEqualTo(19);
        assertThatThrownBy(() -> parse("--bulk-nice", "20")).hasMessageContaining("--bulk-nice must be in [0, 19], was 20");
        assertThatThrownBy(() -> parse("--bulk-nice", "-1")).hasMessageContaining("--bulk-nice must be in [0, 19], was -1");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true),
                java.util.Map.of(), "--seeds", "127.0.0.1:1", "--bulk-nice", "20");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--bulk-nice must be in [0, 19], was 20");
    }

    @Test
    void noNodeAnsweringIsExitCode1WithOneLineAfterItsAttempts() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true),
                java.util.Map.of(), "--seeds", "127.0.0.1:" + port, "--records", "1", "--duration", "1",
                "--warmup", "0", "--request-timeout", "300");
        assertThat(code).isEqualTo(1);
        List<String> lines = err.toString(StandardCharsets.UTF_8).strip().lines()
                .filter(l -> l.startsWith("ringkv bench: no ring")).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("ringkv bench: no ring from 127.0.0.1:" + port + ": ");
    }

    @Test
    void badOpenTelemetryEnvironmentIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true),
                java.util.Map.of("OTEL_TRACES_SAMPLER", "sometimes"), "--seeds", "127.0.0.1:1");
        assertThat(code).isEqualTo(2);
        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(message).startsWith("ringkv bench: OpenTelemetry settings (OTEL_* or --otel): otel_traces_sampler");
        assertThat(message.strip().lines().count()).as(message).isEqualTo(1);
    }

    @Test
    void workloadPresetsAreYcsbsCoreWorkloads() {
        assertThat(parse("--workload", "a").workload().describe()).isEqualTo("read 50.00%, update 50.00%");
        assertThat(parse("--workload", "C").workload().describe()).isEqualTo("read 100.0%");
        BenchConfig d = parse("--workload", "d");
        assertThat(d.workload().describe()).isEqualTo("read 95.00%, insert 5.000%");
        assertThat(d.keyDistribution()).isEqualTo(KeyDistribution.LATEST);
        assertThat(parse("--workload", "d", "--key-distribution", "uniform").keyDistribution())
                .isEqualTo(KeyDistribution.UNIFORM);
        assertThat(parse("--workload", "e").workload().describe()).isEqualTo("insert 5.000%, multi_read 95.00%");
        assertThat(parse("--workload", "f").workload().describe()).isEqualTo("read 50.00%, read_modify_write 50.00%");
        BenchConfig custom = parse("--read-proportion", "0.25", "--update-proportion", "0.25", "--insert-proportion", "0.25",
                "--rmw-proportion", "0.125", "--multi-read-proportion", "0.125");
        assertThat(custom.workload().proportion(OpType.MULTI_READ)).isEqualTo(0.125);
    }

    @Test
    void perOperationConsistencyAndDurationByCount() {
        BenchConfig c = parse("--consistency", "QUORUM", "--op-consistency", "read=ONE,read_modify_write=ALL",
                "--max-ops", "1000");
        assertThat(c.consistency(OpType.READ)).isEqualTo(Consistency.ONE);
        assertThat(c.consistency(OpType.READ_MODIFY_WRITE)).isEqualTo(Consistency.ALL);
        assertThat(c.consistency(OpType.UPDATE)).isEqualTo(Consistency.QUORUM);
        // Bounded by the count: the duration is only a day's backstop, and the timeline stays within its limit.
        assertThat(c.durationSeconds()).isEqualTo(BenchConfig.MAX_SECONDS - 5);
        assertThat(Timeline.points(c.timelineIntervalSeconds(), c.warmupSeconds(), c.durationSeconds()))
                .isLessThanOrEqualTo(3600);
    }
}
