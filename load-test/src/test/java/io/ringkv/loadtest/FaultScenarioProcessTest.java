package io.ringkv.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ringkv bench --start-cluster 3 --scenario}: three real {@code ringkv node} JVMs, one of
 * them frozen with SIGSTOP and resumed with SIGCONT during the run. The bench stops every node by
 * pid at the end, which the test checks too.
 */
@Tag("slow")
class FaultScenarioProcessTest {
    private static final double STOP_AT = 5;
    private static final double CONT_AT = 10;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aFrozenNodeShowsInThePerSecondAvailabilityAndNoValueIsWrong(@TempDir Path dir) throws Exception {
        Path scenario = dir.resolve("freeze.txt");
        Files.writeString(scenario, "# freeze n2 for five seconds\nat " + (int) STOP_AT + "s sigstop n2\nat "
                + (int) CONT_AT + "s sigcont n2\n");
        Path json = dir.resolve("fault.json");
        Path html = dir.resolve("fault.html");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "--start-cluster", "3", "--node-classpath", System.getProperty("java.class.path"),
                "--node-jvm-options", "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                "--cluster-dir", dir.resolve("cluster").toString(), "--scenario", scenario.toString(),
                "--workload", "a", "--threads", "4", "--records", "1000", "--warmup", "1", "--duration", "15",
                "--request-timeout", "1000", "--validate", "--seed", "17", "--progress-interval", "1",
                "--json", json.toString(), "--html", html.toString());
        String log = err.toString(StandardCharsets.UTF_8) + out.toString(StandardCharsets.UTF_8);
        System.out.println(log);
        assertThat(code).as(log).isZero();

        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertThat(r.get("validation_errors").asLong()).isZero();
        assertThat(r.get("total_ops").asLong()).isPositive();
        JsonNode cluster = r.get("cluster");
        assertThat(cluster.get("nodes").asInt()).isEqualTo(3);
        assertThat(cluster.get("membership").asText()).isEqualTo("static");
        assertThat(r.get("config").get("seeds")).hasSize(3);

        JsonNode events = r.get("events");
        assertThat(events).hasSize(2);
        assertThat(events.get(0).get("action").asText()).isEqualTo("sigstop");
        assertThat(events.get(0).get("node").asText()).isEqualTo("n2");
        assertThat(events.get(0).get("ok").asBoolean()).isTrue();
        assertThat(events.get(1).get("action").asText()).isEqualTo("sigcont");
        assertThat(events.get(1).get("ok").asBoolean()).isTrue();
        assertThat(events.get(0).get("t_seconds").asDouble()).isGreaterThanOrEqualTo(STOP_AT);
        assertThat(events.get(1).get("t_seconds").asDouble()).isGreaterThanOrEqualTo(CONT_AT);

        // One point a second, contiguous, from before the freeze until after the resume.
        JsonNode points = r.get("timeline").get("points");
        assertThat(points.size()).isGreaterThanOrEqualTo((int) CONT_AT + 3);
        for (int i = 0; i < points.size(); i++) {
            JsonNode p = points.get(i);
            assertThat(p.get("t_seconds").asDouble()).isEqualTo(i);
            assertThat(p.get("attempted").asLong()).isEqualTo(p.get("succeeded").asLong() + p.get("failed").asLong());
            if (p.get("attempted").asLong() > 0) {
                double availability = p.get("availability").asDouble();
                assertThat(availability).isBetween(0.0, 1.0);
                assertThat(availability).isCloseTo((double) p.get("succeeded").asLong() / p.get("attempted").asLong(),
                        org.assertj.core.api.Assertions.within(1e-6));
            } else {
                assertThat(p.get("availability").isNull()).isTrue();
            }
        }
        // Work went on before the freeze and after the resume.
        assertThat(points.get((int) STOP_AT - 2).get("succeeded").asLong()).isPositive();
        assertThat(points.get(points.size() - 1).get("succeeded").asLong()).isPositive();
        assertThat(Files.readString(html)).contains("sigstop n2").contains("chart-availability");

        // Every node process the bench started is gone.
        for (JsonNode pids : cluster.get("pids")) {
            for (JsonNode pid : pids) {
                assertThat(ProcessHandle.of(pid.asLong()).map(ProcessHandle::isAlive).orElse(false))
                        .as("pid " + pid).isFalse();
            }
        }
    }
}
