package io.ringkv.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

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
        assertThat(c.readProportion()).isEqualTo(0.95);
        assertThat(c.valueSize()).isEqualTo(1024);
        assertThat(c.keyDistribution()).isEqualTo(KeyDistribution.ZIPFIAN);
        assertThat(c.readConsistency()).isEqualTo(Consistency.DEFAULT);
        assertThat(c.writeConsistency()).isEqualTo(Consistency.DEFAULT);
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
        assertThat(c.readConsistency()).isEqualTo(Consistency.QUORUM);
        assertThat(c.writeConsistency()).isEqualTo(Consistency.ALL);
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
            {"--threads", "0"}, {"--read-proportion", "1.5"}, {"--value-size", "4"}, {"--key-distribution", "latest"},
            {"--consistency", "most"}, {"--duration", "0"}, {"--seeds", "nohostport"}, {"--bogus"}}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = BenchMain.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true), args);
            assertThat(code).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("ringkv bench: ");
        }
    }
}
