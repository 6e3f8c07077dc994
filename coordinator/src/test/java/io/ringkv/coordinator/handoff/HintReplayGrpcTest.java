package io.ringkv.coordinator.handoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.server.LocalCluster;
import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.time.SystemTimer;
import io.ringkv.coordinator.transport.FailureDetector;
import io.ringkv.coordinator.transport.GrpcTransport;
import io.ringkv.coordinator.transport.PeerException;
import io.ringkv.coordinator.transport.ReplicaRead;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.coordinator.version.LwwVersion;
import io.ringkv.observability.Telemetry;
import io.ringkv.storage.EngineConfig;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay from a hint store in this test to a real node (RocksDB, gRPC over loopback): refusals
 * arrive as INVALID_ARGUMENT and are told apart from failures, and the replay rate of many small
 * hints is measured (printed, never asserted).
 */
class HintReplayGrpcTest {
    private static final String SOURCE = "bench";
    private static final String TARGET = "n1";

    @TempDir
    Path dir;

    private static ReplicaWrite write(String keyspace, String key, byte[] value, long stamp) {
        Record r = Record.value(VersionKind.LWW, new LwwVersion(stamp, SOURCE).encode(), 1_000, value);
        return new ReplicaWrite(keyspace, key, r, 1);
    }

    private static GrpcTransport transportTo(LocalCluster cluster) {
        // The source's own replica is never called: every hint goes to the target.
        LocalReplica unused = new LocalReplica(new ChunkingEngine(new MemoryEngine(), ChunkingConfig.DEFAULTS,
                StorageLimits.DEFAULTS), Keyspaces.defaults(), StorageLimits.DEFAULTS);
        String address = cluster.addresses.getFirst();
        return new GrpcTransport(SOURCE, unused, id -> id.equals(TARGET) ? Optional.of(address) : Optional.empty());
    }

    @Test
    void aWriteTheTargetRefusesArrivesAsARejectionAndIsDroppedAfterMaxAttempts() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, dir.resolve("cluster"), "memory", Map.of());
             GrpcTransport transport = transportTo(cluster);
             SystemTimer timer = new SystemTimer()) {
            CompletableFuture<Void> refused = transport.write(TARGET, write("retired", "k", new byte[10], 1), 5_000);
            try {
                refused.get(10, TimeUnit.SECONDS);
                throw new AssertionError("an unknown keyspace must be refused");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(PeerException.class);
                assertThat(((PeerException) e.getCause()).rejected()).as("%s", e.getCause()).isTrue();
                assertThat(HintReplayer.refused(e.getCause())).isTrue();
            }
            CompletableFuture<Void> unreachable = transport.write("n9", write("default", "k", new byte[10], 1), 5_000);
            try {
                unreachable.get(10, TimeUnit.SECONDS);
                throw new AssertionError("n9 does not exist");
            } catch (ExecutionException e) {
                assertThat(HintReplayer.refused(e.getCause())).as("unreachable is not a refusal: %s", e.getCause())
                        .isFalse();
            }

            HintSettings settings = HintSettings.DEFAULTS.withRate(HintSettings.DEFAULT_REPLAY_BYTES_PER_SECOND, 50)
                    .withReplay(HintSettings.DEFAULT_REPLAY_MAX_IN_FLIGHT, 2);
            FailureDetector detector = new FailureDetector(Clock.SYSTEM, 3, 1_000);
            HintStore store = new HintStore(new ChunkingEngine(new MemoryEngine(), ChunkingConfig.DEFAULTS,
                    StorageLimits.DEFAULTS), Clock.SYSTEM, detector::downForMillis, settings,
                    Telemetry.disabled().handoff());
            store.store(TARGET, write("retired", "refused", new byte[10], 1));
            for (int i = 0; i < 20; i++) {
                store.store(TARGET, write("default", "g" + i, ("v" + i).getBytes(), 2));
            }
            try (HintReplayer replayer = new HintReplayer(SOURCE, store, transport, detector, Clock.SYSTEM, timer,
                    settings, Optional::empty, Telemetry.disabled().handoff())) {
                replayer.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> store.pending(TARGET) == 0);
            }
            HintStats stats = store.stats(TARGET, 0);
            assertThat(stats.delivered()).isEqualTo(20);
            assertThat(stats.droppedRejected()).isEqualTo(1);
            for (int i = 0; i < 20; i++) {
                assertThat(transport.read(TARGET, new ReplicaRead("default", "g" + i, false, 1), 5_000)
                        .get(10, TimeUnit.SECONDS).record().value()).isEqualTo(("v" + i).getBytes());
            }
        }
    }

    /**
     * The replay rate of 20,000 small hints (100 B to 1 KiB values) to one real node, at the
     * default throttle (16 MiB/s) with windows of 1, of 8 (the default until it measured this) and of the default 32. Prints the figures.
     * Run alone: {@code mvn -B -o -q test -pl coordinator -am -Dtest=HintReplayGrpcTest
     * -Dsurefire.failIfNoSpecifiedTests=false}.
     */
    @Test
    @Tag("slow")
    void replayRateOfTwentyThousandSmallHints() throws Exception {
        long seed = Long.getLong("ringkv.test.seed", 20261207L);
        System.out.println("hint replay rate: seed " + seed + " (rerun with -Dringkv.test.seed=" + seed + ")");
        int count = 20_000;
        try (LocalCluster cluster = new LocalCluster(3, dir.resolve("cluster"), "rocks", Map.of());
             GrpcTransport transport = transportTo(cluster);
             SystemTimer timer = new SystemTimer()) {
            for (int window : List.of(1, 8, HintSettings.DEFAULT_REPLAY_MAX_IN_FLIGHT)) {
                HintSettings settings = HintSettings.DEFAULTS.withReplay(window, HintSettings.DEFAULT_MAX_ATTEMPTS);
                FailureDetector detector = new FailureDetector(Clock.SYSTEM, 3, 1_000);
                SplittableRandom random = new SplittableRandom(seed);
                try (StorageEngine rocks = StorageEngines.open("rocks", new EngineConfig(dir.resolve("hints-" + window),
                        SyncMode.BATCH, 1, Map.of()))) {
                    HintStore store = new HintStore(new ChunkingEngine(rocks, ChunkingConfig.DEFAULTS,
                            StorageLimits.DEFAULTS), Clock.SYSTEM, detector::downForMillis, settings,
                    Telemetry.disabled().handoff());
                    long valueBytes = 0;
                    for (int i = 0; i < count; i++) {
                        byte[] value = new byte[random.nextInt(100, 1025)];
                        random.nextBytes(value);
                        valueBytes += value.length;
                        store.store(TARGET, write("default", "w" + window + "-" + i, value, i + 1));
                    }
                    long hintBytes = store.bytes(TARGET);
                    RecordingTransport recording = new RecordingTransport(transport, Clock.SYSTEM);
                    try (HintReplayer replayer = new HintReplayer(SOURCE, store, recording, detector, Clock.SYSTEM,
                            timer, settings, Optional::empty, Telemetry.disabled().handoff())) {
                        replayer.start();
                        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(10))
                                .until(() -> store.pending(TARGET) == 0);
                        // From the first send, so the wait for the first round does not count.
                        double seconds = (Clock.SYSTEM.monotonicNanos() - recording.sent().getFirst().atNanos()) / 1e9;
                        System.out.printf("hint replay rate: window %d: %d hints (%.1f MB of values, %.1f MB stored)"
                                        + " in %.2f s = %.0f hints/s, %.1f MB/s of values, %.1f MB/s stored"
                                        + " (throttle %d B/s, max in flight seen %d)%n",
                                window, count, valueBytes / 1e6, hintBytes / 1e6, seconds, count / seconds,
                                valueBytes / 1e6 / seconds, hintBytes / 1e6 / seconds,
                                settings.replayBytesPerSecond(), recording.maxInFlight());
                        assertThat(recording.maxInFlight()).isEqualTo(window);
                    }
                    assertThat(store.stats(TARGET, 0).delivered()).isEqualTo(count);
                    assertThat(transport.read(TARGET, new ReplicaRead("default", "w" + window + "-" + (count - 1),
                            false, 1), 5_000).get(10, TimeUnit.SECONDS).found()).isTrue();
                }
            }
        }
    }
}
