package io.ringkv.coordinator.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.priority.HeldThread;
import io.ringkv.coordinator.priority.LargeValueExecutor;
import io.ringkv.coordinator.priority.LargeValueSettings;
import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.version.LwwVersion;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.chunk.ChunkingConfig;
import io.ringkv.storage.chunk.ChunkingEngine;
import io.ringkv.storage.memory.MemoryEngine;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.VersionKind;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * This node's own large records through {@link GrpcTransport} when its large-value threads are busy:
 * a read is turned away as overloaded (or dropped at its deadline) so the coordinator asks another
 * replica, and a write is never refused, since the coordinator keeps no hint for itself.
 */
class LocalLargeValueTest {
    private static final String SELF = "n1";

    private final LocalReplica replica = new LocalReplica(
            new ChunkingEngine(new MemoryEngine(), ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS),
            Keyspaces.of(List.of()), StorageLimits.DEFAULTS);
    // One thread, one waiting task: the test holds the thread and fills the queue itself.
    private final LargeValueExecutor largeValues = new LargeValueExecutor(new LargeValueSettings(1, 0, 1));
    private final GrpcTransport transport = new GrpcTransport(SELF, replica, id -> Optional.empty(), List.of(),
            ReplicaChannelSettings.DISABLED, null, largeValues);
    private HeldThread held;

    @AfterEach
    void stop() {
        if (held != null) {
            held.close();
        }
        transport.close();
        largeValues.close();
    }

    private static ReplicaWrite write(String key, byte[] value, long hlc) {
        Record record = Record.value(VersionKind.LWW, new LwwVersion(hlc << 16, SELF).encode(), hlc, value);
        return new ReplicaWrite("default", key, record, 0);
    }

    private static byte[] large(int seed) {
        byte[] value = new byte[300 * 1024];
        new Random(seed).nextBytes(value);
        return value;
    }

    /** Holds the only large-value thread until the test ends; {@code queued} more tasks wait behind it. */
    private void occupy(int queued) throws InterruptedException {
        held = HeldThread.of(largeValues);
        for (int i = 0; i < queued; i++) {
            largeValues.execute(() -> { });
        }
    }

    /** The PeerException {@code call} fails with (within 30 s); also used by {@link BulkLaneTest}. */
    static PeerException failure(CompletableFuture<?> call) throws Exception {
        try {
            call.get(30, TimeUnit.SECONDS);
            throw new AssertionError("the call succeeded");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(PeerException.class);
            return (PeerException) e.getCause();
        }
    }

    @Test
    void aReadPastTheFullQueueIsTurnedAwayAsOverloaded() throws Exception {
        byte[] value = large(1);
        transport.write(SELF, write("k", value, 1), 10_000).get(30, TimeUnit.SECONDS);
        occupy(1);

        PeerException busy = failure(transport.read(SELF, new ReplicaRead("default", "k", false, 0), 10_000));

        assertThat(busy.overloaded()).isTrue();
        assertThat(busy.timedOut()).isFalse();
        assertThat(busy.getMessage()).contains("large_value_queue");
        held.close();
        HeldThread.drained(largeValues);
        assertThat(transport.read(SELF, new ReplicaRead("default", "k", false, 0), 10_000).get(30, TimeUnit.SECONDS)
                .record().value()).isEqualTo(value);
    }

    @Test
    void aReadStillWaitingAtItsDeadlineIsDroppedAsATimeout() throws Exception {
        transport.write(SELF, write("k", large(2), 1), 10_000).get(30, TimeUnit.SECONDS);
        occupy(0);
        CompletableFuture<ReadReply> read = transport.read(SELF, new ReplicaRead("default", "k", false, 0), 50);
        Thread.sleep(100); // its deadline passes while the thread is held
        held.close();

        PeerException late = failure(read);

        assertThat(late.timedOut()).isTrue();
        assertThat(late.overloaded()).isFalse();
        assertThat(late.getMessage()).contains("past its deadline");
    }

    @Test
    void ownWritesAreNeverRefusedNorDroppedWhenTheQueueIsFull() throws Exception {
        occupy(1);
        byte[] value = large(3);

        // Past the bound: applied on a virtual thread at once, although the large-value thread is held.
        transport.write(SELF, write("k", value, 1), 50).get(30, TimeUnit.SECONDS);

        assertThat(replica.get("default", "k").value()).isEqualTo(value);
    }
}
