package io.ringkv.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.EngineStats;
import io.ringkv.storage.NamespaceStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The metric table in README.md is what /metrics serves, and the Grafana dashboards use only
 * names from that table (base names: a histogram's {@code _bucket}, {@code _count}, {@code _sum}
 * belong to its row).
 */
class DocumentedNamesTest {
    private static final Pattern TABLE_ROW = Pattern.compile("^\\| `([a-z_.]+)` \\| `([a-z_]+)` \\| (\\w+) \\|",
            Pattern.MULTILINE);
    private static final Pattern METRIC_IN_QUERY = Pattern.compile("\\b((?:ringkv|jvm)_[a-z_]+)\\{");

    private static Map<String, String> documented() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Map<String, String> rows = new java.util.TreeMap<>();
        Matcher m = TABLE_ROW.matcher(readme);
        while (m.find()) {
            rows.put(m.group(2), m.group(3));
        }
        return rows;
    }

    @Test
    void everyDocumentedMetricIsServedWithItsType() throws IOException {
        Map<String, String> rows = documented();
        assertThat(rows).hasSizeGreaterThan(25);
        try (Telemetry t = Telemetry.start(TelemetrySettings.DEFAULTS, "ringkv-node", "n1")) {
            t.metrics().request("get", "default", "QUORUM", "UNAVAILABLE", RingkvMetrics.SMALL, 300_000);
            t.metrics().replicaCall("n2", "read", "ok", RingkvMetrics.SMALL, 150_000);
            t.metrics().forwarded("put");
            t.metrics().registerExpiredReplicaCalls(() -> 2);
            t.metrics().registerStorage(() -> new EngineStats("memory", Map.of("data", new NamespaceStats(3, 120))));
            t.metrics().syncObserver("data").synced(400_000, 3);
            t.handoff().registerBacklog(() -> List.of(new HandoffTelemetry.Backlog("n3", 7, 700)));
            t.handoff().stored("n3", 1);
            t.handoff().delivered("n3", 1);
            t.handoff().dropped("n3", "full", 1);
            t.repair().registerRepairProgress(() -> List.of(new RepairTelemetry.RepairProgress("on_demand", 3, 8)));
            t.repair().registerTransferProgress(() -> List.of(new RepairTelemetry.TransferProgress("in", 2, 5)));
            t.repair().compared("on_demand", 1);
            t.repair().repaired("on_demand", 1, 1);
            t.repair().streamed("in", 1, 1);
            t.prometheus().scrape(); // the process CPU load reads -1 until it has a previous sample
            String text = t.prometheus().scrape();
            Set<String> types = new TreeSet<>();
            text.lines().filter(l -> l.startsWith("# TYPE ")).forEach(l -> types.add(l.substring(7)));
            rows.forEach((name, type) -> {
                assertThat(types).as("TYPE line of %s", name).contains(name + " " + type);
            });
        }
    }

    @Test
    void dashboardsUseOnlyDocumentedMetrics() throws IOException {
        Set<String> names = documented().keySet();
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("grafana", "dashboards"))) {
            for (Path f : files.toList()) {
                Matcher m = METRIC_IN_QUERY.matcher(Files.readString(f));
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }
        assertThat(used).hasSizeGreaterThan(15);
        for (String name : used) {
            assertThat(names.contains(name) || names.contains(name.replaceAll("_(bucket|count|sum)$", "")))
                    .as("%s is in the README's table", name).isTrue();
        }
    }
}
