package io.ringkv.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringkv.client.RingkvClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Short benchmarks against three in-JVM nodes; every run is bounded by --duration and --max-ops. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BenchRunTest {
    private Path dir;
    private TestCluster cluster;

    @BeforeAll
    void startCluster(@TempDir Path tmp) throws Exception {
        dir = tmp;
        cluster = new TestCluster(3, dir.resolve("cluster"));
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Outcome(int exitCode, String out, String err) {
    }

    private static Outcome bench(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        Outcome o = new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println(o.err + o.out);
        return o;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void closedLoopWithValidationWritesAReport() throws Exception {
        Path json = dir.resolve("report.json");
        Outcome o = bench("--seeds", cluster.seeds(), "--threads", "4", "--duration", "3", "--warmup", "1",
                "--records", "2000", "--validate", "--seed", "42", "--progress-interval", "1",
                "--max-ops", "500000", "--json", json.toString());
        assertThat(o.exitCode()).as(o.err()).isZero();
        assertThat(o.err()).contains("seed 42").contains("load: 2000/2000 keys").contains("measure");
        assertThat(o.out()).contains("read").contains("update").contains("validation:");

        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertThat(r.get("schema_version").asInt()).isEqualTo(1);
        assertThat(r.get("started_at").asText()).isNotEmpty();
        assertThat(r.get("config").get("threads").asInt()).isEqualTo(4);
        assertThat(r.get("config").get("seed").asLong()).isEqualTo(42);
        assertThat(r.get("config").get("key_distribution").asText()).isEqualTo("zipfian");
        assertThat(r.get("config").get("mode").asText()).isEqualTo("closed");
        assertThat(r.get("load").get("loaded").asLong()).isEqualTo(2000);
        assertThat(r.get("load").get("failed").asLong()).isZero();
        assertThat(r.get("duration_seconds").asDouble()).isBetween(2.9, 6.0);
        assertThat(r.get("total_ops").asLong()).isPositive();
        assertThat(r.get("throughput_ops_per_sec").asDouble()).isPositive();
        assertThat(r.get("validation_errors").asLong()).isZero();
        JsonNode read = r.get("operations").get("read");
        JsonNode update = r.get("operations").get("update");
        assertThat(read.get("count").asLong()).isPositive();
        assertThat(update.get("count").asLong()).isPositive();
        assertThat(read.get("count").asLong() + update.get("count").asLong()).isEqualTo(r.get("total_ops").asLong());
        assertThat(r.get("validated_reads").asLong())
                .isEqualTo(read.get("count").asLong() + r.get("validation_errors").asLong());
        for (JsonNode op : new JsonNode[] {read, update}) {
            for (String f : new String[] {"count", "errors", "p50_us", "p90_us", "p99_us", "p999_us", "max_us", "mean_us"}) {
                assertThat(op.has(f)).as(f).isTrue();
            }
            assertThat(op.get("p50_us").asLong()).isPositive();
            assertThat(op.get("p50_us").asLong()).isLessThanOrEqualTo(op.get("p90_us").asLong());
            assertThat(op.get("p99_us").asLong()).isLessThanOrEqualTo(op.get("p999_us").asLong());
            assertThat(op.get("p999_us").asLong()).isLessThanOrEqualTo(op.get("max_us").asLong());
        }
        assertThat(r.get("errors_by_type").has("unavailable")).isTrue();
        assertThat(r.get("errors_by_type").get("validation_mismatch").asLong()).isZero();
        assertThat(r.get("open_loop").isNull()).isTrue();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void openLoopKeepsItsScheduleAndReadsAreCountedFromDueTimes() throws Exception {
        Path json = dir.resolve("open.json");
        Outcome o = bench("--seeds", cluster.seeds(), "--threads", "8", "--duration", "1", "--warmup", "0",
                "--records", "200", "--target-ops", "200", "--key-distribution", "uniform", "--validate",
                "--seed", "7", "--max-ops", "1000", "--json", json.toString());
        assertThat(o.exitCode()).as(o.err()).isZero();
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertThat(r.get("config").get("mode").asText()).isEqualTo("open");
        long attempted = r.get("total_ops").asLong() + r.get("total_errors").asLong();
        // 200 ops/s for 1 s: 200 due operations (8 threads, one every 40 ms each), all issued.
        assertThat(attempted + r.get("open_loop").get("unissued_ops").asLong()).isBetween(198L, 202L);
        assertThat(r.get("open_loop").get("unissued_ops").asLong()).isZero();
        assertThat(r.get("validation_errors").asLong()).isZero();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWrongValueFailsValidation() throws Exception {
        // Load 10 keys, then overwrite key 3 with key 4's (intact) value and key 5 with garbage.
        Outcome loaded = bench("--seeds", cluster.seeds(), "--threads", "2", "--duration", "0.2", "--warmup", "0",
                "--records", "10", "--read-proportion", "1", "--seed", "3", "--max-ops", "100");
        assertThat(loaded.exitCode()).isZero();
        try (RingkvClient client = RingkvClient.builder().seeds(cluster.addresses).requestTimeout(Duration.ofSeconds(5))
                .build()) {
            byte[] value4 = client.get(Keys.name(4)).latest().orElseThrow().value();
            client.put(Keys.name(3), value4);
            byte[] garbage = new byte[1024];
            new SplittableRandom(5).nextBytes(garbage);
            client.put(Keys.name(5), garbage);
        }
        Path json = dir.resolve("wrong.json");
        Outcome o = bench("--seeds", cluster.seeds(), "--threads", "2", "--duration", "1", "--warmup", "0",
                "--records", "10", "--no-load", "--read-proportion", "1", "--key-distribution", "uniform",
                "--validate", "--seed", "11", "--max-ops", "2000", "--json", json.toString());
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.out()).contains("WRONG OR MISSING VALUES");
        assertThat(o.err()).contains("first validation_mismatch error");
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        long mismatches = r.get("errors_by_type").get("validation_mismatch").asLong();
        assertThat(mismatches).isPositive();
        assertThat(r.get("validation_errors").asLong()).isEqualTo(mismatches);
        // About 2 keys in 10 are bad, so about 20% of reads fail.
        long reads = r.get("validated_reads").asLong();
        assertThat((double) mismatches / reads).isBetween(0.1, 0.3);
    }
}
