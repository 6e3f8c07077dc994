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
import java.util.List;
import java.util.Map;
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
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aTenSecondRunOfEveryOperationWritesValidJsonAndHtmlReports() throws Exception {
        Path json = dir.resolve("report.json");
        Path html = dir.resolve("report.html");
        // Values of the large class cross Operations.INLINE_CHECK_BYTES (64 KiB): those reads are validated on
        // the checker thread, the small ones where their reply completes.
        Outcome o = bench("--seeds", cluster.seeds(), "--threads", "4", "--duration", "9", "--warmup", "1",
                "--records", "2000", "--read-proportion", "0.4", "--update-proportion", "0.2", "--insert-proportion", "0.1",
                "--rmw-proportion", "0.2", "--multi-read-proportion", "0.1", "--key-distribution", "zipfian",
                "--value-size", "90%:100-1KiB,10%:32KiB-96KiB", "--op-consistency", "read=ONE,insert=ALL",
                "--validate", "--seed", "42", "--progress-interval", "2", "--max-ops", "5000000",
                "--json", json.toString(), "--html", html.toString());
        assertThat(o.exitCode()).as(o.err()).isZero();
        assertThat(o.err()).contains("seed 42").contains("load: 2000/2000 keys").contains("measure")
                .contains("HTML report written");
        assertThat(o.out()).contains("read_modify_write").contains("multi_read").contains("  read 100B-1KiB")
                .contains("validation:").contains("availability:");

        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertThat(r.get("schema_version").asInt()).isEqualTo(2);
        assertThat(r.get("started_at").asText()).isNotEmpty();
        JsonNode config = r.get("config");
        assertThat(config.get("threads").asInt()).isEqualTo(4);
        assertThat(config.get("seed").asLong()).isEqualTo(42);
        assertThat(config.get("workload").asText()).isEqualTo("custom");
        assertThat(config.get("proportions").get("multi_read").asDouble()).isEqualTo(0.1);
        assertThat(config.get("consistency").get("read").asText()).isEqualTo("ONE");
        assertThat(config.get("consistency").get("insert").asText()).isEqualTo("ALL");
        assertThat(config.get("consistency").get("update").asText()).isEqualTo("DEFAULT");
        assertThat(config.get("value_size").asText()).isEqualTo("90%:100B-1KiB,10%:32KiB-96KiB");
        assertThat(config.get("value_size_classes")).hasSize(2);
        assertThat(config.get("mode").asText()).isEqualTo("closed");
        assertThat(r.get("cluster").isNull()).isTrue();
        assertThat(r.get("load").get("loaded").asLong()).isEqualTo(2000);
        assertThat(r.get("load").get("failed").asLong()).isZero();
        assertThat(r.get("duration_seconds").asDouble()).isBetween(8.9, 15.0);
        assertThat(r.get("total_ops").asLong()).isPositive();
        assertThat(r.get("throughput_ops_per_sec").asDouble()).isPositive();
        assertThat(r.get("validation_errors").asLong()).isZero();
        assertThat(r.get("inserted_keys").asLong()).isPositive();
        long sum = 0;
        for (OpType op : OpType.ALL) {
            JsonNode n = r.get("operations").get(op.label());
            assertThat(n.get("count").asLong()).as(op.label()).isPositive();
            sum += n.get("count").asLong();
            for (String f : new String[] {"count", "errors", "p50_us", "p90_us", "p99_us", "p999_us", "max_us", "mean_us"}) {
                assertThat(n.has(f)).as(f).isTrue();
            }
            assertThat(n.get("p50_us").asLong()).isPositive();
            assertThat(n.get("p50_us").asLong()).isLessThanOrEqualTo(n.get("p90_us").asLong());
            assertThat(n.get("p99_us").asLong()).isLessThanOrEqualTo(n.get("p999_us").asLong());
            assertThat(n.get("p999_us").asLong()).isLessThanOrEqualTo(n.get("max_us").asLong());
            long bySize = 0;
            for (JsonNode c : n.get("by_value_size")) {
                bySize += c.get("count").asLong();
            }
            assertThat(bySize).isEqualTo(n.get("count").asLong());
        }
        assertThat(sum).isEqualTo(r.get("total_ops").asLong());
        // Updates write both classes: the small class has most of them.
        JsonNode updates = r.get("operations").get("update").get("by_value_size");
        assertThat(updates.get(0).get("count").asLong()).isGreaterThan(updates.get(1).get("count").asLong());
        assertThat(r.get("errors_by_type").has("unavailable")).isTrue();
        assertThat(r.get("errors_by_type").get("validation_mismatch").asLong()).isZero();
        assertThat(r.get("open_loop").isNull()).isTrue();
        assertThat(r.get("events")).isEmpty();

        // The timeline: one point a second from the warmup on, counts adding up to the totals.
        JsonNode timeline = r.get("timeline");
        assertThat(timeline.get("interval_seconds").asDouble()).isEqualTo(1.0);
        JsonNode points = timeline.get("points");
        assertThat(points.size()).isBetween(9, 11);
        long measured = 0;
        for (int i = 0; i < points.size(); i++) {
            JsonNode p = points.get(i);
            assertThat(p.get("t_seconds").asDouble()).isEqualTo(i);
            assertThat(p.get("phase").asText()).isEqualTo(i == 0 ? "warmup" : "measure");
            assertThat(p.get("attempted").asLong()).isEqualTo(p.get("succeeded").asLong() + p.get("failed").asLong());
            assertThat(p.get("succeeded").asLong()).isPositive();
            assertThat(p.get("operations").get("read").get("p50_us").asLong()).isPositive();
            if (i > 0) {
                measured += p.get("succeeded").asLong();
            }
        }
        assertThat(measured).isEqualTo(r.get("total_ops").asLong());

        checkHtml(html, r);
    }

    /** The HTML report parses as XML, has the three charts, and its series and embedded JSON are the report's data. */
    private static void checkHtml(Path html, JsonNode r) throws Exception {
        String text = java.nio.file.Files.readString(html);
        // Self-contained: no URL but the XML namespaces, nothing loaded from anywhere.
        assertThat(text.replace("http://www.w3.org/", "")).doesNotContain("http:", "https:", "src=", "href=");
        javax.xml.parsers.DocumentBuilderFactory f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        org.w3c.dom.Document doc = f.newDocumentBuilder().parse(html.toFile());
        javax.xml.xpath.XPath xpath = javax.xml.xpath.XPathFactory.newInstance().newXPath();
        JsonNode points = r.get("timeline").get("points");
        for (String id : new String[] {"chart-throughput", "chart-availability", "chart-latency"}) {
            org.w3c.dom.NodeList svg = (org.w3c.dom.NodeList) xpath.evaluate("//*[local-name()='svg' and @id='" + id + "']",
                    doc, javax.xml.xpath.XPathConstants.NODESET);
            assertThat(svg.getLength()).as(id).isEqualTo(1);
            org.w3c.dom.NodeList series = (org.w3c.dom.NodeList) xpath.evaluate(
                    "//*[local-name()='svg' and @id='" + id + "']//*[local-name()='g' and @class='series']", doc,
                    javax.xml.xpath.XPathConstants.NODESET);
            assertThat(series.getLength()).as(id).isPositive();
            for (int i = 0; i < series.getLength(); i++) {
                String[] values = ((org.w3c.dom.Element) series.item(i)).getAttribute("data-values").split(" ");
                assertThat(values).as(id).hasSize(points.size());
            }
        }
        // The throughput series is the timeline's successes per second.
        String ok = (String) xpath.evaluate("//*[local-name()='svg' and @id='chart-throughput']"
                + "//*[local-name()='g' and @data-name='succeeded ops/s']/@data-values", doc, javax.xml.xpath.XPathConstants.STRING);
        String[] values = ok.split(" ");
        for (int i = 0; i < points.size(); i++) {
            assertThat(Double.parseDouble(values[i])).isEqualTo(points.get(i).get("succeeded").asDouble());
        }
        String embedded = (String) xpath.evaluate("//*[local-name()='script' and @id='report-data']", doc,
                javax.xml.xpath.XPathConstants.STRING);
        assertThat(new ObjectMapper().readTree(embedded)).isEqualTo(r);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyYcsbWorkloadRunsWithValidation() throws Exception {
        for (String workload : new String[] {"a", "b", "c", "d", "e", "f"}) {
            Path json = dir.resolve("workload-" + workload + ".json");
            Outcome o = bench("--seeds", cluster.seeds(), "--workload", workload, "--threads", "3", "--duration", "1",
                    "--warmup", "0.2", "--records", "300", "--validate", "--seed", "5", "--max-ops", "200000",
                    "--json", json.toString());
            assertThat(o.exitCode()).as(workload + ": " + o.err()).isZero();
            JsonNode r = new ObjectMapper().readTree(json.toFile());
            assertThat(r.get("config").get("workload").asText()).isEqualTo(workload);
            assertThat(r.get("validation_errors").asLong()).as(workload).isZero();
            assertThat(r.get("total_ops").asLong()).as(workload).isPositive();
            JsonNode ops = r.get("operations");
            switch (workload) {
                case "c" -> assertThat(ops.get("update").get("count").asLong()).isZero();
                case "d" -> {
                    assertThat(r.get("config").get("key_distribution").asText()).isEqualTo("latest");
                    assertThat(ops.get("insert").get("count").asLong()).isPositive();
                    assertThat(r.get("not_found").asLong()).isZero();
                }
                case "e" -> assertThat(ops.get("multi_read").get("count").asLong()).isPositive();
                case "f" -> assertThat(ops.get("read_modify_write").get("count").asLong()).isPositive();
                default -> assertThat(ops.get("update").get("count").asLong()).isPositive();
            }
        }
        // `ringkv bench table` makes one Markdown table of them: a row per operation of each mix.
        String[] args = {"table", dir.resolve("workload-a.json").toString(), dir.resolve("workload-e.json").toString()};
        Outcome table = bench(args);
        assertThat(table.exitCode()).as(table.err()).isZero();
        List<String> rows = table.out().lines().toList();
        assertThat(rows).hasSize(2 + 2 + 2);
        assertThat(rows.get(2)).startsWith("| workload-a | A | closed | 3 | - |").contains("| read | all |");
        assertThat(rows.get(3)).contains("| update | all |");
        assertThat(rows.get(4)).startsWith("| workload-e | E |").contains("| insert | all |");
        assertThat(rows.get(5)).contains("| multi_read | all |");
        Outcome bad = bench("table", dir.resolve("missing.json").toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err().strip().lines().count()).isEqualTo(1);
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
        // 200 ops/s for 1 s: 200 due operations (one every 5 ms, at most 8 in flight), all issued.
        assertThat(attempted + r.get("open_loop").get("unissued_ops").asLong()).isBetween(198L, 202L);
        assertThat(r.get("open_loop").get("unissued_ops").asLong()).isZero();
        JsonNode lag = r.get("open_loop").get("issue_lag");
        assertThat(lag.get("p50_us").asLong()).isNotNegative();
        assertThat(lag.get("p99_us").asLong()).isGreaterThanOrEqualTo(lag.get("p50_us").asLong());
        assertThat(lag.get("max_us").asLong()).isGreaterThanOrEqualTo(lag.get("p999_us").asLong());
        assertThat(r.get("validation_errors").asLong()).isZero();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anOpenLoopAtItsInFlightBoundFallsBehindAndSaysSo() throws Exception {
        Path json = dir.resolve("behind.json");
        // 100,000 ops/s for 0.5 s with one operation in flight: far more is due than one call at a time can
        // serve, so the backlog's latencies grow (measured from due times) and what the drain time leaves is unissued.
        Outcome o = bench("--seeds", cluster.seeds(), "--threads", "1", "--duration", "0.5", "--warmup", "0",
                "--records", "100", "--read-proportion", "1", "--target-ops", "100000", "--key-distribution", "uniform",
                "--seed", "9", "--request-timeout", "1000", "--json", json.toString());
        assertThat(o.exitCode()).as(o.err()).isZero();
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        long attempted = r.get("total_ops").asLong() + r.get("total_errors").asLong();
        long unissued = r.get("open_loop").get("unissued_ops").asLong();
        assertThat(attempted + unissued).isBetween(49_999L, 50_001L);
        assertThat(unissued).isPositive();
        assertThat(r.get("operations").get("read").get("p50_us").asLong()).isGreaterThan(100_000L);
        // The backlog is the tester's lateness: most operations were issued long after they were due, and
        // an operation's latency (from its due time) contains its lateness.
        JsonNode lag = r.get("open_loop").get("issue_lag");
        assertThat(lag.get("p50_us").asLong()).isGreaterThan(100_000L);
        assertThat(r.get("operations").get("read").get("max_us").asLong()).isGreaterThanOrEqualTo(lag.get("max_us").asLong());
        assertThat(o.out()).contains("issued late by p50");
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

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aReadThatMissesAKeyWhoseLoadFailedIsNoValidationError(@TempDir Path tmp) throws Exception {
        // Nodes that refuse values over 2 KiB: the keys given 4-8 KiB values fail every load attempt.
        try (TestCluster small = new TestCluster(3, tmp.resolve("small"), Map.of("max_value_bytes", 2048))) {
            Path json = tmp.resolve("failed-load.json");
            Outcome o = bench("--seeds", small.seeds(), "--threads", "2", "--duration", "1", "--warmup", "0",
                    "--records", "20", "--value-size", "50%:100-1KiB,50%:4KiB-8KiB", "--read-proportion", "1",
                    "--key-distribution", "uniform", "--validate", "--seed", "7", "--max-ops", "2000",
                    "--json", json.toString());
            JsonNode r = new ObjectMapper().readTree(json.toFile());
            long failed = r.get("load").get("failed").asLong();
            assertThat(failed).isBetween(3L, 17L);
            assertThat(r.get("load").get("loaded").asLong()).isEqualTo(20 - failed);
            // Reads of those keys find nothing, and are counted as misses, not as wrong values.
            assertThat(r.get("not_found").asLong()).isPositive();
            assertThat(r.get("validated_reads").asLong()).isGreaterThan(r.get("not_found").asLong());
            assertThat(r.get("validation_errors").asLong()).isZero();
            assertThat(o.exitCode()).isZero();
        }
    }
}
