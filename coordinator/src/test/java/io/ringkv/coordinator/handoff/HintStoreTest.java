package io.ringkv.coordinator.handoff;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.transport.FailureDetector;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.coordinator.version.LwwVersion;
import io.ringkv.observability.HandoffTelemetry;
import io.ringkv.observability.PrometheusSamples;
import io.ringkv.observability.Telemetry;
import io.ringkv.observability.TelemetrySettings;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.EntryIterator;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.SyncMode;
import io.ringkv.storage.chunk.ChunkingConfig;
import io.ringkv.storage.chunk.ChunkingEngine;
import io.ringkv.storage.memory.MemoryEngine;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.VersionKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HintStoreTest {
    private final FakeClock clock = new FakeClock();
    private final FailureDetector detector = new FailureDetector(clock, 3, 1_000);

    private static ChunkingEngine memory() {
        return new ChunkingEngine(new MemoryEngine(), ChunkingConfig.DEFAULTS,
                new StorageLimits(1024, StorageLimits.ABSOLUTE_MAX_VALUE_BYTES));
    }

    private static ReplicaWrite write(String key, byte[] value, long stamp) {
        Record r = Record.value(VersionKind.LWW, new LwwVersion(stamp, "n1").encode(), 1_000, value);
        return new ReplicaWrite("default", key, r, 7);
    }

    private HintStore store(ChunkingEngine engine, HintSettings settings) {
        return new HintStore(engine, clock, detector::downForMillis, settings, Telemetry.disabled().handoff());
    }

    /** The stored size of one hint of this shape: the caps are checked against it. */
    private long sizeOfOne(ReplicaWrite w) {
        HintStore probe = store(memory(), HintSettings.DEFAULTS);
        probe.store("n2", w);
        return probe.bytes("n2");
    }

    @Test
    void hintsComeBackOldestFirstPerTarget() {
        HintStore store = store(memory(), HintSettings.DEFAULTS);
        store.store("n2", write("a", "1".getBytes(UTF_8), 1));
        store.store("n3", write("x", "9".getBytes(UTF_8), 1));
        clock.advanceMillis(5);
        store.store("n2", write("b", "2".getBytes(UTF_8), 2));
        // Same millisecond: the sequence keeps them in order.
        store.store("n2", write("c", "3".getBytes(UTF_8), 3));
        // A target id that extends another is a different target.
        store.store("n22", write("z", "0".getBytes(UTF_8), 3));

        List<Hint> n2 = store.oldest("n2", 10, Long.MAX_VALUE);
        assertThat(n2).extracting(h -> h.write().key()).containsExactly("a", "b", "c");
        assertThat(n2.getFirst().createdMillis()).isEqualTo(FakeClock.START_WALL_MILLIS);
        assertThat(n2.get(1).createdMillis()).isEqualTo(FakeClock.START_WALL_MILLIS + 5);
        assertThat(store.oldest("n3", 10, Long.MAX_VALUE)).extracting(h -> h.write().key()).containsExactly("x");
        assertThat(store.oldest("n2", 2, Long.MAX_VALUE)).hasSize(2);
        assertThat(store.oldest("n2", 10, 1)).as("at least one, however large").hasSize(1);
        assertThat(store.targetsWithHints()).containsExactly("n2", "n22", "n3");

        store.delivered(n2.getFirst());
        assertThat(store.oldest("n2", 10, Long.MAX_VALUE)).extracting(h -> h.write().key()).containsExactly("b", "c");
        HintStats stats = store.stats("n2", 0);
        assertThat(stats.pending()).isEqualTo(2);
        assertThat(stats.delivered()).isEqualTo(1);
        assertThat(stats.oldestCreatedMillis()).isEqualTo(FakeClock.START_WALL_MILLIS + 5);
    }

    @Test
    void readingOnAfterAKeySkipsTheHintsBeforeIt() {
        HintStore store = store(memory(), HintSettings.DEFAULTS);
        for (String k : List.of("a", "b", "c", "d")) {
            store.store("n2", write(k, "1".getBytes(UTF_8), 1));
        }
        store.store("n3", write("x", "1".getBytes(UTF_8), 1));
        List<Hint> first = store.oldestAfter("n2", null, 2, Long.MAX_VALUE);
        assertThat(first).extracting(h -> h.write().key()).containsExactly("a", "b");
        assertThat(store.oldestAfter("n2", first.getLast().storedKey(), 10, Long.MAX_VALUE))
                .extracting(h -> h.write().key()).containsExactly("c", "d");
        Hint last = store.oldest("n2", 10, Long.MAX_VALUE).getLast();
        assertThat(store.oldestAfter("n2", last.storedKey(), 10, Long.MAX_VALUE)).as("not into n3's hints").isEmpty();
    }

    @Test
    void droppedHintsAreDeletedAndCountedByReason() {
        HintStore store = store(memory(), HintSettings.DEFAULTS);
        store.store("n2", write("a", new byte[10], 1));
        store.store("n2", write("b", new byte[10], 1));
        List<Hint> hints = store.oldest("n2", 10, Long.MAX_VALUE);
        store.drop(hints.getFirst(), HintStore.DropReason.REJECTED);
        HintStats stats = store.stats("n2", 0);
        assertThat(stats.pending()).isEqualTo(1);
        assertThat(stats.droppedRejected()).isEqualTo(1);
        assertThat(stats.droppedTargetLeft()).isZero();
        assertThat(stats.delivered()).isZero();
        assertThat(stats.dropped()).isEqualTo(1);
        store.drop(hints.getLast(), HintStore.DropReason.TARGET_LEFT);
        assertThat(store.stats("n2", 0).droppedTargetLeft()).isEqualTo(1);
        assertThat(store.stats("n2", 0).dropped()).isEqualTo(2);
        assertThat(store.totalBytes()).isZero();
        assertThat(store.oldest("n2", 10, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void purgeLeftKeepsHintsFromANewerRingAndLooksAtABoundedNumber() {
        HintStore store = store(memory(), HintSettings.DEFAULTS);
        Record r = Record.value(VersionKind.LWW, new LwwVersion(1, "n1").encode(), 1_000, new byte[10]);
        for (long epoch : new long[] {3, 4, 5, 4, 3}) {
            store.store("n2", new ReplicaWrite("default", "k" + epoch, r, epoch));
        }
        assertThat(store.purgeLeft("n2", 4, 2)).as("only two looked at").isEqualTo(2);
        assertThat(store.purgeLeft("n2", 4, 100)).as("epochs 5 and newer stay").isEqualTo(2);
        assertThat(store.oldest("n2", 10, Long.MAX_VALUE)).extracting(h -> h.write().ringEpoch()).containsExactly(5L);
        assertThat(store.stats("n2", 0).droppedTargetLeft()).isEqualTo(4);
        assertThat(store.purgeLeft("n2", 5, 100)).isEqualTo(1);
        assertThat(store.pending("n2")).isZero();
    }

    @Test
    void perTargetCapAtItsEdge() {
        ReplicaWrite w = write("k", new byte[100], 1);
        long one = sizeOfOne(w);
        HintStore fits = store(memory(), HintSettings.DEFAULTS.withCaps(2 * one, Long.MAX_VALUE));
        assertThat(fits.store("n2", w)).isEqualTo(HintStore.Outcome.STORED);
        assertThat(fits.store("n2", w)).as("exactly at the cap").isEqualTo(HintStore.Outcome.STORED);
        assertThat(fits.store("n2", w)).isEqualTo(HintStore.Outcome.DROPPED_FULL);
        assertThat(fits.store("n3", w)).as("another target has its own cap").isEqualTo(HintStore.Outcome.STORED);

        HintStore oneByteShort = store(memory(), HintSettings.DEFAULTS.withCaps(2 * one - 1, Long.MAX_VALUE));
        assertThat(oneByteShort.store("n2", w)).isEqualTo(HintStore.Outcome.STORED);
        assertThat(oneByteShort.store("n2", w)).as("one byte over the cap").isEqualTo(HintStore.Outcome.DROPPED_FULL);
        HintStats stats = oneByteShort.stats("n2", 0);
        assertThat(stats.pending()).isEqualTo(1);
        assertThat(stats.bytes()).isEqualTo(one);
        assertThat(stats.droppedFull()).isEqualTo(1);
        assertThat(oneByteShort.oldest("n2", 10, Long.MAX_VALUE)).hasSize(1);
    }

    @Test
    void globalCapAtItsEdge() {
        ReplicaWrite w = write("k", new byte[100], 1);
        long one = sizeOfOne(w);
        HintStore fits = store(memory(), HintSettings.DEFAULTS.withCaps(Long.MAX_VALUE, 2 * one));
        assertThat(fits.store("n2", w)).isEqualTo(HintStore.Outcome.STORED);
        assertThat(fits.store("n3", w)).as("exactly at the global cap").isEqualTo(HintStore.Outcome.STORED);
        assertThat(fits.store("n4", w)).isEqualTo(HintStore.Outcome.DROPPED_FULL);
        assertThat(fits.totalBytes()).isEqualTo(2 * one);

        HintStore oneByteShort = store(memory(), HintSettings.DEFAULTS.withCaps(Long.MAX_VALUE, 2 * one - 1));
        assertThat(oneByteShort.store("n2", w)).isEqualTo(HintStore.Outcome.STORED);
        assertThat(oneByteShort.store("n3", w)).isEqualTo(HintStore.Outcome.DROPPED_FULL);
        assertThat(oneByteShort.stats("n3", 0).droppedFull()).isEqualTo(1);
        // Delivering frees room under the global cap.
        oneByteShort.delivered(oneByteShort.oldest("n2", 1, 1).getFirst());
        assertThat(oneByteShort.store("n3", w)).isEqualTo(HintStore.Outcome.STORED);
    }

    @Test
    void aTargetDownLongerThanTheWindowGetsNoNewHints() {
        HintStore store = store(memory(), HintSettings.DEFAULTS.withWindow(60_000));
        ReplicaWrite w = write("k", new byte[10], 1);
        for (int i = 0; i < 3; i++) {
            detector.onFailure("n2");
        }
        assertThat(detector.isAvailable("n2")).isFalse();
        clock.advanceMillis(60_000);
        assertThat(detector.downForMillis("n2")).isEqualTo(60_000);
        assertThat(store.store("n2", w)).as("down exactly the window").isEqualTo(HintStore.Outcome.STORED);
        clock.advanceMillis(1);
        assertThat(store.store("n2", w)).as("one ms longer").isEqualTo(HintStore.Outcome.DROPPED_WINDOW);
        assertThat(store.stats("n2", 0).droppedWindow()).isEqualTo(1);
        assertThat(store.stats("n2", 0).dropped()).isEqualTo(1);
        // Back up: hinted again.
        detector.onSuccess("n2");
        assertThat(store.store("n2", w)).isEqualTo(HintStore.Outcome.STORED);
        assertThat(store.pending("n2")).isEqualTo(2);
    }

    @Test
    void aFiveMebibyteHintRoundTripsInChunks() {
        ChunkingEngine engine = memory();
        HintStore store = store(engine, HintSettings.DEFAULTS);
        byte[] big = new byte[5 << 20];
        new Random(42).nextBytes(big);
        ReplicaWrite w = write("big", big, 1);
        assertThat(store.store("n2", w)).isEqualTo(HintStore.Outcome.STORED);

        Hint back = store.oldest("n2", 10, Long.MAX_VALUE).getFirst();
        assertThat(back.write().record().value()).isEqualTo(big);
        assertThat(back.write().encoded()).isEqualTo(w.encoded());
        assertThat(back.write().ringEpoch()).isEqualTo(7);
        assertThat(back.write().keyspace()).isEqualTo("default");
        assertThat(back.write().isHint()).isFalse();
        assertThat(store.bytes("n2")).isGreaterThan(5 << 20);
        int chunks = 0;
        try (EntryIterator it = engine.chunkStore().scan(Namespace.HINTS.chunks(), new byte[0], null)) {
            while (it.hasNext()) {
                it.next();
                chunks++;
            }
        }
        assertThat(chunks).as("stored as chunks, like data").isGreaterThan(1);
        store.delivered(back);
        try (EntryIterator it = engine.chunkStore().scan(Namespace.HINTS.chunks(), new byte[0], null)) {
            assertThat(it.hasNext()).as("its chunks go with it").isFalse();
        }
    }

    @Test
    void aSloppyWriteIsKeptAsAPlainWrite() {
        HintStore store = store(memory(), HintSettings.DEFAULTS);
        store.store("n2", write("k", new byte[1], 1).withHintFor("n2"));
        assertThat(store.oldest("n2", 1, 1).getFirst().delivery().isHint()).isFalse();
    }

    @Test
    void countersSurviveAReopenOnRocksDb(@TempDir Path dir) {
        EngineConfig config = new EngineConfig(dir, SyncMode.ALWAYS, 1, Map.of());
        long bytes;
        try (StorageEngine rocks = StorageEngines.open("rocks", config)) {
            HintStore store = store(wrap(rocks), HintSettings.DEFAULTS);
            store.store("n2", write("a", new byte[10], 1));
            store.store("n2", write("b", new byte[200_000], 2));
            store.store("n3", write("c", new byte[10], 3));
            bytes = store.bytes("n2");
        }
        try (StorageEngine rocks = StorageEngines.open("rocks", config)) {
            HintStore store = store(wrap(rocks), HintSettings.DEFAULTS);
            assertThat(store.pending("n2")).isEqualTo(2);
            assertThat(store.bytes("n2")).isEqualTo(bytes);
            assertThat(store.pending("n3")).isEqualTo(1);
            assertThat(store.totalBytes()).isEqualTo(bytes + store.bytes("n3"));
            // Same millisecond as before the restart: the sequence continues, so the new hint comes last.
            store.store("n2", write("d", new byte[10], 4));
            assertThat(store.oldest("n2", 10, Long.MAX_VALUE)).extracting(h -> h.write().key())
                    .containsExactly("a", "b", "d");
            store.delivered(store.oldest("n2", 1, 1).getFirst());
        }
        try (StorageEngine rocks = StorageEngines.open("rocks", config)) {
            HintStore store = store(wrap(rocks), HintSettings.DEFAULTS);
            assertThat(store.oldest("n2", 10, Long.MAX_VALUE)).extracting(h -> h.write().key()).containsExactly("b", "d");
            assertThat(store.pending("n2")).isEqualTo(2);
        }
    }

    /** The value of the one sample named {@code name} with these labels, 0 when there is none. */
    private static double sample(String text, String name, Map<String, String> labels) {
        return PrometheusSamples.parse(text).stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(PrometheusSamples.Sample::value).sum();
    }

    @Test
    void everyHintIsCountedInTheMetricsOnceWithTheReasonItWasDroppedFor() {
        ReplicaWrite w = write("k", new byte[100], 1);
        long one = sizeOfOne(w);
        try (Telemetry telemetry = Telemetry.start(TelemetrySettings.DEFAULTS, "ringkv-node", "n1")) {
            HintStore store = new HintStore(memory(), clock, detector::downForMillis,
                    HintSettings.DEFAULTS.withCaps(3 * one, Long.MAX_VALUE).withWindow(60_000), telemetry.handoff());
            telemetry.handoff().registerBacklog(store::backlog);
            for (int i = 0; i < 4; i++) {
                store.store("n2", w); // the fourth is over the cap
            }
            List<Hint> hints = store.oldest("n2", 10, Long.MAX_VALUE);
            store.delivered(hints.get(0));
            store.drop(hints.get(1), HintStore.DropReason.REJECTED);
            store.drop(hints.get(2), HintStore.DropReason.TARGET_LEFT);
            store.store("n3", w);
            for (int i = 0; i < 3; i++) {
                detector.onFailure("n3");
            }
            clock.advanceMillis(60_001);
            assertThat(store.store("n3", w)).isEqualTo(HintStore.Outcome.DROPPED_WINDOW);

            String text = telemetry.prometheus().scrape();
            assertThat(sample(text, "ringkv_hints_stored_total", Map.of("target", "n2"))).isEqualTo(3);
            assertThat(sample(text, "ringkv_hints_stored_total", Map.of("target", "n3"))).isEqualTo(1);
            assertThat(sample(text, "ringkv_hints_delivered_total", Map.of("target", "n2"))).isEqualTo(1);
            assertThat(sample(text, "ringkv_hints_dropped_total", Map.of("target", "n2", "reason", "full"))).isEqualTo(1);
            assertThat(sample(text, "ringkv_hints_dropped_total", Map.of("target", "n2", "reason", "rejected")))
                    .isEqualTo(1);
            assertThat(sample(text, "ringkv_hints_dropped_total", Map.of("target", "n2", "reason", "target_removed")))
                    .isEqualTo(1);
            assertThat(sample(text, "ringkv_hints_dropped_total", Map.of("target", "n3", "reason", "expired")))
                    .isEqualTo(1);
            assertThat(sample(text, "ringkv_hints_dropped_total", Map.of())).as("four drops in all").isEqualTo(4);
            assertThat(sample(text, "ringkv_hints_pending", Map.of("target", "n2"))).as("drained, still reported")
                    .isZero();
            assertThat(PrometheusSamples.parse(text)).anySatisfy(s -> {
                assertThat(s.name()).isEqualTo("ringkv_hints_pending");
                assertThat(s.labels()).containsEntry("target", "n2");
            });
            assertThat(sample(text, "ringkv_hints_pending", Map.of("target", "n3"))).isEqualTo(1);
            assertThat(sample(text, "ringkv_hints_pending_size_bytes", Map.of("target", "n3"))).isEqualTo(one);
            // The same drops, by reason, in the counters ListHints reads.
            HintStats n2 = store.stats("n2", 0);
            assertThat(List.of(n2.droppedFull(), n2.droppedWindow(), n2.droppedRejected(), n2.droppedTargetLeft()))
                    .containsExactly(1L, 0L, 1L, 1L);
            assertThat(store.stats("n3", 0).droppedWindow()).isEqualTo(1);
        }
    }

    @Test
    void theBacklogListsEveryKnownTargetWithItsPendingHintsAndBytes() {
        HintStore store = store(memory(), HintSettings.DEFAULTS);
        assertThat(store.backlog()).isEmpty();
        ReplicaWrite w = write("k", new byte[100], 1);
        long one = sizeOfOne(w);
        store.store("n2", w);
        store.store("n2", w);
        store.store("n3", w);
        store.delivered(store.oldest("n3", 1, Long.MAX_VALUE).getFirst());
        assertThat(store.backlog()).containsExactlyInAnyOrder(new HandoffTelemetry.Backlog("n2", 2, 2 * one),
                new HandoffTelemetry.Backlog("n3", 0, 0));
    }

    @Test
    void dropsOfEarlierRunsCountInTheTotalButInNoReason() {
        HintStore store = store(memory(), HintSettings.DEFAULTS);
        store.seedTotals("n2", 5, 7);
        HintStats stats = store.stats("n2", 0);
        assertThat(stats.delivered()).isEqualTo(5);
        assertThat(stats.droppedEarlier()).isEqualTo(7);
        assertThat(List.of(stats.droppedFull(), stats.droppedWindow(), stats.droppedRejected(),
                stats.droppedTargetLeft())).containsOnly(0L);
        assertThat(stats.dropped()).isEqualTo(7);
        store.drop(storeOne(store), HintStore.DropReason.REJECTED);
        assertThat(store.stats("n2", 0).dropped()).isEqualTo(8);
        assertThat(store.stats("n2", 0).droppedRejected()).isEqualTo(1);
    }

    private static Hint storeOne(HintStore store) {
        store.store("n2", write("one", new byte[1], 1));
        return store.oldest("n2", 1, Long.MAX_VALUE).getFirst();
    }

    private static ChunkingEngine wrap(StorageEngine engine) {
        return new ChunkingEngine(engine, ChunkingConfig.DEFAULTS, new StorageLimits(1024, StorageLimits.ABSOLUTE_MAX_VALUE_BYTES));
    }
}
