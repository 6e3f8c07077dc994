package io.ringkv.coordinator.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogConcurrencyTest {
    private static final long SEED = 20260501L;
    private static final int THREADS = 16;
    private static final int OPS_PER_THREAD = 200;
    private static final int MAX_EPOCH = 100;

    @TempDir
    Path dataDir;

    @Test
    void manyVirtualThreadsRecordingAtOnceNeitherCorruptNorDeadlock() throws Exception {
        ManualClock clock = new ManualClock();
        Instant t0 = clock.now();
        // Each thread's operations are drawn up front from the seed, so the expected end state is
        // known whatever the interleaving.
        Random random = new Random(SEED);
        List<long[]> epochsByThread = new ArrayList<>();
        Set<Long> allEpochs = new TreeSet<>();
        for (int t = 0; t < THREADS; t++) {
            long[] epochs = random.longs(OPS_PER_THREAD, 1, MAX_EPOCH + 1).toArray();
            epochsByThread.add(epochs);
            for (long e : epochs) {
                allEpochs.add(e);
            }
        }

        try (SystemCatalog catalog = SystemCatalog.open(dataDir.resolve("catalog"), clock)) {
            List<Future<?>> done = new ArrayList<>();
            ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                long[] epochs = epochsByThread.get(t);
                done.add(threads.submit(() -> {
                    String target = "node-" + thread;
                    for (int i = 0; i < OPS_PER_THREAD; i++) {
                        // Every epoch is recorded by several threads; all record the same facts.
                        catalog.recordRingEpoch(epochs[i], "static", 3, 1024);
                        catalog.upsertHintStats(new HintStatsRow(target, i, 100L * i, t0, i, 0, t0.plusMillis(i)));
                        assertThat(catalog.lastRingEpoch()).isNotEmpty();
                        if (i % 50 == 0) {
                            assertThat(catalog.ringEpochs(SystemCatalog.MAX_LIST_ROWS)).hasSizeLessThanOrEqualTo(MAX_EPOCH);
                        }
                    }
                    return null;
                }));
            }
            threads.shutdown();
            // Bounded: a deadlock fails here instead of hanging the build.
            assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).as("all threads finished").isTrue();
            for (Future<?> f : done) {
                f.get();
            }

            assertThat(catalog.ringEpochs(SystemCatalog.MAX_LIST_ROWS)).extracting(RingEpochRow::epoch)
                    .containsExactlyElementsOf(allEpochs.stream().sorted((a, b) -> Long.compare(b, a)).toList());
            assertThat(catalog.lastRingEpoch()).hasValue(allEpochs.stream().mapToLong(Long::longValue).max().orElseThrow());
            List<HintStatsRow> hints = catalog.hintStats(SystemCatalog.MAX_LIST_ROWS);
            assertThat(hints).hasSize(THREADS);
            int last = OPS_PER_THREAD - 1;
            for (HintStatsRow row : hints) {
                // Each thread's last write wins for its own target.
                assertThat(row).isEqualTo(new HintStatsRow(row.targetNode(), last, 100L * last, t0, last, 0,
                        t0.plusMillis(last)));
            }
        }
    }
}
