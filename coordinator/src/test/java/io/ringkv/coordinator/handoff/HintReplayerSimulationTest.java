package io.ringkv.coordinator.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.request.CoordinatorSettings;
import io.ringkv.coordinator.ring.Planner;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.ring.RingChange;
import io.ringkv.coordinator.sim.SimCluster;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.coordinator.version.LwwVersion;
import io.ringkv.observability.HandoffTelemetry;
import io.ringkv.observability.Telemetry;
import io.ringkv.observability.TelemetrySettings;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.chunk.ChunkingConfig;
import io.ringkv.storage.chunk.ChunkingEngine;
import io.ringkv.storage.memory.MemoryEngine;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.VersionKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The replayer's window, refusals and purge on a simulated cluster: a hint store of its own on
 * node n1 replays to n2's real replica over the seeded sim network, through a
 * {@link RecordingTransport} that sees every delivery. Seeded; the seed is printed.
 */
class HintReplayerSimulationTest {
    private static final long SEED = Long.getLong("ringkv.sim.seed", 20261206L);
    private static final String SELF = "n1";
    private static final String TARGET = "n2";

    /** n1's replay of its own hint store to the nodes of a three-node simulated cluster. */
    private static final class Bench {
        final SimCluster c = new SimCluster(SEED, 3, 64, 3, Keyspaces.defaults(), CoordinatorSettings.DEFAULTS);
        final ChunkingEngine engine = new ChunkingEngine(new MemoryEngine(), ChunkingConfig.DEFAULTS,
                new StorageLimits(1024, StorageLimits.ABSOLUTE_MAX_VALUE_BYTES));
        final HintStore store;
        final RecordingTransport transport;
        final HintReplayer replayer;
        final AtomicReference<Optional<Ring>> ring;
        final Random random = new Random(SEED);
        /** Stored key of each hint by its write's key. */
        final Map<String, byte[]> storedKeys = new ConcurrentHashMap<>();
        long stamp;
        byte[] lastStoredKey;

        Bench(HintSettings settings) {
            this(settings, Telemetry.disabled().handoff());
        }

        Bench(HintSettings settings, HandoffTelemetry telemetry) {
            System.out.println("hint replay simulation: " + c);
            store = new HintStore(engine, c.time, c.detector(SELF)::downForMillis, settings, telemetry);
            transport = new RecordingTransport(c.network.transportFor(SELF), c.time);
            ring = new AtomicReference<>(Optional.of(c.ring()));
            replayer = new HintReplayer(SELF, store, transport, c.detector(SELF), c.time, c.time, settings, ring::get,
                    telemetry);
            transport.windowFrom(() -> replayer.window(TARGET));
            // Let the first pings tell n1 that every other node is up.
            c.time.runFor(1_000);
        }

        /** Stores {@code count} hints for the target with 100..1024 byte values; returns their keys, oldest first. */
        List<String> hints(int count) {
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String key = String.format("k%06d", storedKeys.size());
                byte[] value = new byte[100 + random.nextInt(925)];
                random.nextBytes(value);
                hint("default", key, value, 1);
                keys.add(key);
            }
            return keys;
        }

        void hint(String keyspace, String key, byte[] value, long ringEpoch) {
            Record r = Record.value(VersionKind.LWW, new LwwVersion(++stamp, SELF).encode(), c.time.wallMillis(), value);
            assertThat(store.store(TARGET, new ReplicaWrite(keyspace, key, r, ringEpoch))).isEqualTo(HintStore.Outcome.STORED);
            // Stored after every earlier one (same millisecond, higher sequence), so it is the first after the last.
            lastStoredKey = store.oldestAfter(TARGET, lastStoredKey, 1, Long.MAX_VALUE).getFirst().storedKey();
            storedKeys.put(key, lastStoredKey);
        }

        boolean inStore(String key) {
            return engine.get(Namespace.HINTS, storedKeys.get(key)) != null;
        }

        boolean onTarget(String key) {
            return c.replica(TARGET).get("default", key) != null;
        }

        /** Runs rounds until the target has no pending hint and no lane runs. */
        boolean drain(long maxMillis) {
            return c.time.runUntil(() -> store.pending(TARGET) == 0 && !replayer.delivering(TARGET), maxMillis);
        }
    }

    @Test
    void hintsGoOutOldestFirstWithTheWholeWindowInFlightAndEachIsDeletedOnlyAfterItsAcknowledgement() {
        Bench b = new Bench(SimCluster.HINTS);
        List<String> keys = b.hints(300);
        List<String> deletedEarly = new ArrayList<>();
        b.transport.onReply(w -> {
            // Runs as the reply arrives, before the replayer handles it: the hint must still be stored.
            if (!b.inStore(w.key())) {
                deletedEarly.add(w.key());
            }
        });
        b.replayer.start();
        assertThat(b.drain(60_000)).as("replayed; %s", b.c).isTrue();

        assertThat(b.transport.sentKeys()).as("sent once each, oldest first").isEqualTo(keys);
        assertThat(b.transport.maxInFlight()).as("the default window is used to its edge and never beyond")
                .isEqualTo(HintSettings.DEFAULT_REPLAY_MAX_IN_FLIGHT);
        assertThat(b.transport.sent()).allSatisfy(s -> assertThat(s.inFlight()).isLessThanOrEqualTo(s.window()));
        assertThat(deletedEarly).as("no hint deleted before its acknowledgement").isEmpty();
        assertThat(keys).allSatisfy(k -> assertThat(b.onTarget(k)).as("%s on the target", k).isTrue());
        HintStats stats = b.store.stats(TARGET, 0);
        assertThat(stats.delivered()).isEqualTo(keys.size());
        assertThat(stats.bytes()).isZero();
        assertThat(stats.dropped()).isZero();
    }

    @Test
    void aWindowOfOneSendsOneHintPerRoundTrip() {
        Bench b = new Bench(SimCluster.HINTS.withReplay(1, HintSettings.DEFAULT_MAX_ATTEMPTS));
        List<String> keys = b.hints(50);
        b.replayer.start();
        assertThat(b.drain(60_000)).as("%s", b.c).isTrue();
        assertThat(b.transport.maxInFlight()).isEqualTo(1);
        assertThat(b.transport.sentKeys()).isEqualTo(keys);
    }

    @Test
    void theLargestWindowFillsAcrossStoreReads() {
        int window = HintSettings.MAX_REPLAY_IN_FLIGHT;
        Bench b = new Bench(SimCluster.HINTS.withReplay(window, HintSettings.DEFAULT_MAX_ATTEMPTS));
        // Far more than one store read (32 hints), and more than the window.
        List<String> keys = b.hints(window + 300);
        b.replayer.start();
        assertThat(b.drain(60_000)).as("%s", b.c).isTrue();
        assertThat(b.transport.maxInFlight()).isEqualTo(window);
        assertThat(b.transport.sentKeys()).isEqualTo(keys);
        assertThat(keys).allSatisfy(k -> assertThat(b.onTarget(k)).isTrue());
    }

    @Test
    void theByteThrottleStillHoldsWithManyHintsInFlight() {
        long rate = 20_000;
        Bench b = new Bench(SimCluster.HINTS.withRate(rate, 1_000));
        List<String> keys = b.hints(200);
        b.replayer.start();
        assertThat(b.drain(120_000)).as("%s", b.c).isTrue();
        List<RecordingTransport.Sent> sent = b.transport.sent();
        assertThat(sent).extracting(RecordingTransport.Sent::key).isEqualTo(keys);
        // A send is granted only while the bucket (burst = one second of rate) is not in debt, and a
        // hint costs at least its record's bytes: what went before any send fits burst + rate * elapsed.
        long t0 = sent.getFirst().atNanos();
        long before = 0;
        for (RecordingTransport.Sent s : sent) {
            double allowed = rate + rate * (s.atNanos() - t0) / 1e9;
            assertThat((double) before).as("bytes sent before %s", s.key()).isLessThanOrEqualTo(allowed);
            before += s.bytes();
        }
        double seconds = (sent.getLast().atNanos() - t0) / 1e9;
        assertThat(seconds).as("the throttle spread the replay out (virtual time)")
                .isGreaterThanOrEqualTo((before - sent.getLast().bytes() - rate) / (double) rate);
    }

    @Test
    void aSlowTargetShrinksTheWindowThroughThePacer() {
        Bench b = new Bench(SimCluster.HINTS);
        List<String> keys = b.hints(400);
        b.replayer.start();
        assertThat(b.c.time.runUntil(() -> b.store.stats(TARGET, 0).delivered() >= 64, 30_000)).isTrue();
        // 30 ms each way: every delivery's latency is far above twice the best p99 and above 10 ms.
        b.c.network.slowDown(TARGET, 30_000);
        assertThat(b.drain(300_000)).as("%s", b.c).isTrue();

        List<RecordingTransport.Sent> sent = b.transport.sent();
        assertThat(sent).allSatisfy(s -> assertThat(s.inFlight()).as("in flight at %s", s.key())
                .isLessThanOrEqualTo(s.window()));
        assertThat(b.transport.maxInFlight()).isEqualTo(HintSettings.DEFAULT_REPLAY_MAX_IN_FLIGHT);
        assertThat(sent.stream().mapToInt(RecordingTransport.Sent::window).min().orElseThrow())
                .as("the pacer took the window down to one hint").isEqualTo(1);
        assertThat(b.replayer.share(TARGET)).isLessThan(1.0);
        assertThat(keys).allSatisfy(k -> assertThat(b.onTarget(k)).isTrue());
    }

    @Test
    void aLossyLinkEndsRoundsButEveryHintArrivesAndNoneIsDeletedUnacknowledged() {
        Bench b = new Bench(SimCluster.HINTS);
        List<String> keys = b.hints(300);
        List<String> deletedEarly = new ArrayList<>();
        b.transport.onReply(w -> {
            if (!b.inStore(w.key())) {
                deletedEarly.add(w.key());
            }
        });
        b.c.network.setDropRate(0.03);
        b.replayer.start();
        assertThat(b.c.time.runUntil(() -> b.store.stats(TARGET, 0).delivered() >= 100, 60_000)).as("%s", b.c).isTrue();
        b.c.network.partition(SELF, TARGET);
        b.c.time.runFor(5_000);
        assertThat(b.replayer.delivering(TARGET)).as("a cut link ends the lane; %s", b.c).isFalse();
        long pending = b.store.pending(TARGET);
        assertThat(pending).isPositive();
        for (String k : keys) {
            if (!b.inStore(k)) {
                assertThat(b.onTarget(k)).as("%s was deleted, so the target has it; %s", k, b.c).isTrue();
            }
        }
        String oldestPending = keys.stream().filter(b::inStore).findFirst().orElseThrow();
        b.transport.reset();

        b.c.network.heal();
        b.c.network.setDropRate(0);
        assertThat(b.drain(120_000)).as("%s", b.c).isTrue();
        assertThat(b.transport.sentKeys().getFirst()).as("the oldest pending hint goes first").isEqualTo(oldestPending);
        assertThat(deletedEarly).as("%s", b.c).isEmpty();
        assertThat(keys).allSatisfy(k -> assertThat(b.onTarget(k)).isTrue());
        assertThat(b.store.stats(TARGET, 0).delivered()).isEqualTo(keys.size());
    }

    @Test
    void aHintTheTargetRefusesIsDroppedAfterMaxAttemptsWithoutHoldingUpTheOthers() {
        int attempts = 3;
        Bench b = new Bench(SimCluster.HINTS.withReplay(HintSettings.DEFAULT_REPLAY_MAX_IN_FLIGHT, attempts));
        List<String> before = b.hints(5);
        // A write for a keyspace the target does not know: it refuses it (INVALID_ARGUMENT over gRPC) every time.
        b.hint("retired", "refused", new byte[200], 1);
        long refusedSeq = b.store.oldest(TARGET, Integer.MAX_VALUE, Long.MAX_VALUE).getLast().sequence();
        List<String> after = b.hints(20);
        b.replayer.start();

        // The first round delivers everything behind the refused hint.
        b.c.time.runFor(1_500);
        assertThat(after).allSatisfy(k -> assertThat(b.onTarget(k)).as("%s; %s", k, b.c).isTrue());
        assertThat(before).allSatisfy(k -> assertThat(b.onTarget(k)).isTrue());
        assertThat(b.store.pending(TARGET)).isEqualTo(1);
        assertThat(b.replayer.refusals(refusedSeq)).isEqualTo(1);
        assertThat(b.store.stats(TARGET, 0).droppedRejected()).isZero();

        assertThat(b.drain(30_000)).as("%s", b.c).isTrue();
        assertThat(b.transport.sends("refused")).as("sent exactly hint_max_attempts times").isEqualTo(attempts);
        HintStats stats = b.store.stats(TARGET, 0);
        assertThat(stats.droppedRejected()).isEqualTo(1);
        assertThat(stats.dropped()).isEqualTo(1);
        assertThat(stats.delivered()).isEqualTo(before.size() + after.size());
        assertThat(stats.bytes()).isZero();
        assertThat(b.replayer.refusals(refusedSeq)).as("forgotten once dropped").isZero();
    }

    @Test
    void eachReplayRunIsOneSpanOfItsOwnWithItsTotalsAndWhyItEnded() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (Telemetry telemetry = Telemetry.withExporters(TelemetrySettings.DEFAULTS, "ringkv-node", SELF, exporter)) {
            int attempts = 3;
            Bench b = new Bench(SimCluster.HINTS.withReplay(HintSettings.DEFAULT_REPLAY_MAX_IN_FLIGHT, attempts),
                    telemetry.handoff());
            List<String> first = b.hints(5);
            b.hint("retired", "refused", new byte[200], 1);
            first.addAll(b.hints(20));
            b.replayer.start();
            assertThat(b.drain(30_000)).as("%s", b.c).isTrue();

            // One run delivers the 25 and is refused once; two more runs retry the refused hint, the last drops it.
            List<SpanData> runs = replaySpans(exporter);
            assertThat(runs).as("%s", b.c).hasSize(attempts);
            assertThat(runs).allSatisfy(s -> {
                assertThat(s.getParentSpanContext().isValid()).as("a trace of its own").isFalse();
                assertThat(s.getAttributes().asMap().toString()).contains("target=" + TARGET, "outcome=drained",
                        "window=" + HintSettings.DEFAULT_REPLAY_MAX_IN_FLIGHT);
                assertThat(s.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
            });
            assertThat(runs).extracting(s -> s.getTraceId()).doesNotHaveDuplicates();
            assertThat(runs).extracting(s -> attribute(s, "hints.delivered")).containsExactly(25L, 0L, 0L);
            assertThat(runs).extracting(s -> attribute(s, "hints.refused")).containsExactly(1L, 1L, 1L);
            assertThat(runs).extracting(s -> attribute(s, "hints.dropped")).containsExactly(0L, 0L, 1L);
            assertThat(first).allSatisfy(k -> assertThat(b.onTarget(k)).isTrue());

            // A run cut off by a partition ends early, marked failed; the next one, after the heal, drains.
            exporter.reset();
            List<String> more = b.hints(300);
            assertThat(b.c.time.runUntil(() -> b.store.stats(TARGET, 0).delivered() >= 25 + 50, 30_000)).isTrue();
            b.c.network.partition(SELF, TARGET);
            assertThat(b.c.time.runUntil(() -> !b.replayer.delivering(TARGET), 30_000)).as("%s", b.c).isTrue();
            b.c.network.heal();
            assertThat(b.drain(120_000)).as("%s", b.c).isTrue();
            List<SpanData> later = replaySpans(exporter);
            SpanData cut = later.getFirst();
            assertThat(cut.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(cut.getAttributes().asMap().toString()).containsAnyOf("outcome=delivery_failed",
                    "outcome=target_down");
            assertThat(later.getLast().getAttributes().asMap().toString()).contains("outcome=drained");
            assertThat(later.stream().mapToLong(s -> attribute(s, "hints.delivered")).sum())
                    .as("every delivery counted in exactly one run").isEqualTo(more.size());
            assertThat(more).allSatisfy(k -> assertThat(b.onTarget(k)).isTrue());
        }
    }

    private static List<SpanData> replaySpans(InMemorySpanExporter exporter) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals("hint.replay")).toList();
    }

    private static long attribute(SpanData span, String key) {
        Long value = span.getAttributes().get(io.opentelemetry.api.common.AttributeKey.longKey(key));
        return value == null ? -1 : value;
    }

    @Test
    void withOneAttemptTheFirstRefusalDrops() {
        Bench b = new Bench(SimCluster.HINTS.withReplay(HintSettings.DEFAULT_REPLAY_MAX_IN_FLIGHT, 1));
        b.hint("retired", "refused", new byte[200], 1);
        b.replayer.start();
        assertThat(b.drain(10_000)).as("%s", b.c).isTrue();
        assertThat(b.transport.sends("refused")).isEqualTo(1);
        assertThat(b.store.stats(TARGET, 0).droppedRejected()).isEqualTo(1);
    }

    @Test
    void transientFailuresAreNotCountedAsAttempts() {
        int attempts = 2;
        Bench b = new Bench(SimCluster.HINTS.withReplay(HintSettings.DEFAULT_REPLAY_MAX_IN_FLIGHT, attempts));
        b.hint("retired", "refused", new byte[200], 1);
        long refusedSeq = b.store.oldest(TARGET, 1, Long.MAX_VALUE).getFirst().sequence();
        List<String> keys = b.hints(5);
        // Reachable, but every write fails (a failing disk): transient, however often it happens.
        b.c.network.refuseWrites(TARGET, true);
        b.replayer.start();
        b.c.time.runFor(10_000);
        assertThat(b.transport.sends("refused")).as("tried in several rounds; %s", b.c).isGreaterThan(attempts);
        assertThat(b.replayer.refusals(refusedSeq)).isZero();
        assertThat(b.store.pending(TARGET)).isEqualTo(1 + keys.size());
        assertThat(b.store.stats(TARGET, 0).dropped()).isZero();
        // Unreachable for a while: no attempt either.
        b.c.network.refuseWrites(TARGET, false);
        b.c.network.crash(TARGET);
        b.c.time.runFor(5_000);
        assertThat(b.replayer.refusals(refusedSeq)).isZero();

        b.c.network.restart(TARGET);
        assertThat(b.drain(30_000)).as("%s", b.c).isTrue();
        assertThat(b.store.stats(TARGET, 0).droppedRejected()).isEqualTo(1);
        assertThat(b.store.stats(TARGET, 0).delivered()).isEqualTo(keys.size());
        assertThat(keys).allSatisfy(k -> assertThat(b.onTarget(k)).isTrue());
    }

    @Test
    void hintsForANodeRemovedFromTheRingArePurgedAndCountedAsTargetLeft() {
        Bench b = new Bench(SimCluster.HINTS);
        Ring current = b.c.ring();
        List<String> old = b.hints(40);
        // Written by a node that has seen a newer ring than this one: the target may have (re)joined there.
        b.hint("default", "newer-epoch", new byte[100], current.epoch() + 2);
        // No ring applied yet: nothing is purged, and with the target unreachable nothing is sent.
        b.ring.set(Optional.empty());
        b.c.network.crash(TARGET);
        b.replayer.start();
        b.c.time.runFor(3_000);
        assertThat(b.store.pending(TARGET)).isEqualTo(old.size() + 1);
        b.transport.reset();

        Ring removed = Planner.apply(current, new RingChange.Remove(TARGET));
        assertThat(removed.node(TARGET)).isEmpty();
        b.ring.set(Optional.of(removed));
        b.c.network.restart(TARGET);
        b.c.time.runFor(3_000);
        assertThat(b.transport.sentKeys()).as("nothing is sent to a node the ring no longer lists").isEmpty();
        assertThat(b.store.pending(TARGET)).as("only the hint from a newer ring is left").isEqualTo(1);
        assertThat(b.inStore("newer-epoch")).isTrue();
        HintStats stats = b.store.stats(TARGET, 0);
        assertThat(stats.droppedTargetLeft()).isEqualTo(old.size());
        assertThat(stats.dropped()).isEqualTo(old.size());
        assertThat(stats.delivered()).isZero();

        // Once this node applies a ring that new, the last one goes too.
        Ring newer = Ring.of(current.epoch() + 2, removed.vnodeCount(), removed.replicationFactor(), removed.nodes(),
                removed.assignments());
        b.ring.set(Optional.of(newer));
        assertThat(b.drain(3_000)).isTrue();
        assertThat(b.store.stats(TARGET, 0).droppedTargetLeft()).isEqualTo(old.size() + 1);
        assertThat(b.store.totalBytes()).isZero();
    }

    @Test
    void aTargetStillInTheRingKeepsItsHints() {
        Bench b = new Bench(SimCluster.HINTS);
        List<String> keys = b.hints(10);
        b.c.network.crash(TARGET);
        b.replayer.start();
        b.c.time.runFor(5_000);
        assertThat(b.store.pending(TARGET)).isEqualTo(keys.size());
        assertThat(b.store.stats(TARGET, 0).dropped()).isZero();
    }
}
