package io.ringkv.coordinator.priority;

import io.ringkv.priority.ThreadNice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringkv.client.RingkvClient;
import io.ringkv.client.Versioned;
import io.ringkv.coordinator.server.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes in this JVM (RocksDB, loopback sockets) serving large values: only the
 * large-value threads and the bulk lanes' event loops run at the lower priority afterwards. A thread inherits its creator's nice
 * value, so a pool that grew a thread from a large-value thread would show up here.
 */
class LargeValuePriorityClusterTest {
    @TempDir
    Path dir;

    @Test
    void afterLargeValueTrafficOnlyTheLargeValueThreadsAndBulkLanesRunLower() throws Exception {
        assumeTrue(ThreadNice.supported(), "thread priorities need Linux");
        Optional<Integer> jvm = ThreadNice.current();
        assumeTrue(jvm.isPresent() && jvm.get() < LargeValueSettings.DEFAULT_NICE, "this JVM already runs at nice " + jvm);
        try (LocalCluster cluster = new LocalCluster(3, dir, "rocks", Map.of());
             RingkvClient client = RingkvClient.builder().seeds(cluster.addresses).build()) {
            Random random = new Random(11);
            for (int i = 0; i < 12; i++) {
                // Over the chunking threshold, some over the stream threshold: every large-value path.
                byte[] value = new byte[i % 3 == 0 ? 2 * 1024 * 1024 + i : 100_000 + i];
                random.nextBytes(value);
                client.put("large-" + i, value);
                assertThat(client.get("large-" + i).latest()).map(Versioned::value).hasValue(value);
                client.put("small-" + i, new byte[100]);
            }
            Map<String, Integer> lowered = new TreeMap<>();
            int largeValueThreads = 0;
            int bulkLaneThreads = 0;
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    String name;
                    int nice;
                    try {
                        name = Files.readString(task.resolve("comm")).strip();
                        String stat = Files.readString(task.resolve("stat"));
                        nice = Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
                    } catch (IOException e) {
                        continue; // the thread ended meanwhile
                    }
                    if (name.startsWith("ringkv-large-va")) { // "ringkv-large-value-N-M" as the kernel keeps it
                        largeValueThreads++;
                        assertThat(nice).as(name).isEqualTo(LargeValueSettings.DEFAULT_NICE);
                    } else if (name.startsWith("ringkv-bulk-loo") || name.startsWith("ringkv-bulk-cli")) {
                        // The bulk lanes' server and client event loops ("ringkv-bulk-loop-N", "ringkv-bulk-client-N").
                        bulkLaneThreads++;
                        assertThat(nice).as(name).isEqualTo(LargeValueSettings.DEFAULT_NICE);
                    } else if (nice != jvm.get() && !name.startsWith("rocksdb:") && !name.startsWith("globalEventExec")) {
                        // RocksDB's flush and compaction threads run at nice 19 by design (rocks_background_priority).
                        // Netty starts its global executor's thread on demand, from whichever thread first needs
                        // it, and the thread inherits that one's priority; it runs Netty's housekeeping, no request.
                        lowered.put(name + " (" + task.getFileName() + ")", nice);
                    }
                }
            }
            assertThat(largeValueThreads).as("large-value threads that did work").isPositive();
            assertThat(bulkLaneThreads).as("bulk lane event loops").isPositive();
            assertThat(lowered).as("threads other than the large-value ones at a lowered priority").isEmpty();
        }
    }
}
