package io.ringkv.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.client.RingkvClient;
import io.ringkv.observability.PrometheusSamples;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three real RocksDB nodes with group commit publish each engine's fsyncs on /metrics. */
class StorageSyncMetricsTest {
    @TempDir
    Path dir;

    @Test
    void eachEnginesFsyncsAreCountedOnMetrics() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, dir, "rocks", Map.of());
             RingkvClient client = RingkvClient.builder().seeds(cluster.addresses).build()) {
            for (int i = 0; i < 5; i++) {
                client.put("small-" + i, new byte[100]);
            }
            client.put("large", new byte[300 * 1024]);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (String address : cluster.addresses) {
                // Every node holds a replica of every key (N=3 of 3), so each synced both of its engines;
                // the third replica of the last put may still be writing: wait for it, 10 s at most.
                long deadline = System.nanoTime() + 10_000_000_000L;
                Map<String, Double> syncs;
                do {
                    String text = http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/metrics")).GET().build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    syncs = new java.util.TreeMap<>();
                    for (PrometheusSamples.Sample s : PrometheusSamples.parse(text)) {
                        if (s.name().equals("ringkv_storage_sync_duration_seconds_count")) {
                            syncs.merge(s.labels().get("engine"), s.value(), Double::sum);
                        }
                    }
                } while (!(syncs.getOrDefault("data", 0.0) > 0 && syncs.getOrDefault("chunks", 0.0) > 0)
                        && System.nanoTime() < deadline && sleep());
                assertThat(syncs).as("syncs by engine on %s", address).containsOnlyKeys("data", "chunks");
                assertThat(syncs.values()).as("syncs by engine on %s", address).allMatch(n -> n > 0);
            }
        }
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(100);
        return true;
    }
}
