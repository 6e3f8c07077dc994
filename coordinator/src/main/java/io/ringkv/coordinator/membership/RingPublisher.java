package io.ringkv.coordinator.membership;

import com.ecwid.consul.v1.ConsistencyMode;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.kv.model.GetValue;
import com.ecwid.consul.v1.kv.model.PutParams;
import io.ringkv.coordinator.ring.Ring;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's pen for {@code ringkv/<cluster>/ring}. A ring is written only with check-and-set on
 * the ModifyIndex of the {@link RingSnapshot} it was planned from ({@code cas=0}, create only, when
 * there was no ring), so of two nodes that both believe they lead, at most one writes on any
 * snapshot, and a deposed leader's stale write is refused. After a refusal the publisher re-reads the
 * key and has the election re-verify leadership, which steps this node down unless Consul confirms
 * it. Nothing here retries or throws into the caller's loop: every outcome is a {@link PublishResult}.
 */
public final class RingPublisher {
    private static final Logger log = LoggerFactory.getLogger(RingPublisher.class);

    private final ConsulConnection consul;
    private final ConsulSettings settings;
    private final LeaderElection election;

    /** @param election consulted before each write and re-verified after a refused one */
    public RingPublisher(ConsulConnection consul, ConsulSettings settings, LeaderElection election) {
        this.consul = consul;
        this.settings = settings;
        this.election = election;
    }

    /**
     * The ring key as it is now (a consistent read through the Consul leader).
     *
     * @throws RingReadException if Consul does not answer or the value is not a readable ring
     */
    public RingSnapshot read() {
        GetValue value;
        try {
            value = consul.quick().getKVValue(settings.ringKey(), new QueryParams(ConsistencyMode.CONSISTENT))
                    .getValue();
        } catch (RuntimeException e) {
            throw new RingReadException("could not read " + settings.ringKey() + " from Consul at " + consul.agent()
                    + ": " + e, e);
        }
        if (value == null) {
            return RingSnapshot.ABSENT;
        }
        try {
            Ring ring = RingCodec.decode(value.getDecodedValue(StandardCharsets.UTF_8));
            return new RingSnapshot(Optional.of(ring), value.getModifyIndex());
        } catch (IllegalArgumentException e) {
            throw new RingReadException("the value of " + settings.ringKey() + " (ModifyIndex " + value.getModifyIndex()
                    + ") is not a ring this node reads: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code next} if this node believes it leads and the key is still as {@code basis} saw it.
     *
     * @param basis the snapshot {@code next} was planned from
     * @throws IllegalArgumentException if {@code next}'s epoch is not above the basis's (a planning bug)
     */
    public PublishResult publish(RingSnapshot basis, Ring next) {
        Objects.requireNonNull(basis, "basis must not be null");
        Objects.requireNonNull(next, "ring must not be null");
        if (next.epoch() <= basis.epoch()) {
            throw new IllegalArgumentException("a published ring must have a higher epoch than the one it replaces: "
                    + next.epoch() + " after " + basis.epoch());
        }
        if (!election.isLeader()) {
            return new PublishResult.NotLeader();
        }
        String value;
        try {
            value = RingCodec.encode(next);
        } catch (IllegalArgumentException e) {
            return new PublishResult.Declined(e.getMessage());
        }
        PutParams cas = new PutParams();
        cas.setCas(basis.modifyIndex());
        Boolean written;
        try {
            written = consul.quick().setKVValue(settings.ringKey(), value, cas).getValue();
        } catch (RuntimeException e) {
            log.warn("publishing ring epoch {} failed, outcome unknown: {}", next.epoch(), e.toString());
            return new PublishResult.Unavailable(e.toString());
        }
        if (Boolean.TRUE.equals(written)) {
            log.info("published ring epoch {} to {}: {}", next.epoch(), settings.ringKey(), next);
            return new PublishResult.Published(next);
        }
        Optional<RingSnapshot> current;
        try {
            current = Optional.of(read());
        } catch (RingReadException e) {
            current = Optional.empty();
        }
        boolean stillLeader = election.verify();
        log.warn("publishing ring epoch {} was refused: {} changed after ModifyIndex {} (it now holds {}); {}",
                next.epoch(), settings.ringKey(), basis.modifyIndex(),
                current.map(c -> c.ring().map(r -> "epoch " + r.epoch() + " at ModifyIndex " + c.modifyIndex())
                        .orElse("no ring")).orElse("something unreadable"),
                stillLeader ? "this node still leads and will plan again" : "this node no longer leads");
        return new PublishResult.Refused(current, stillLeader);
    }
}
