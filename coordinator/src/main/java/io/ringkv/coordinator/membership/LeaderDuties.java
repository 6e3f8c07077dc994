package io.ringkv.coordinator.membership;

import io.ringkv.coordinator.ring.Ring;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the leader does about the ring, on one virtual thread: while this node leads, it reads the
 * stored ring, asks {@link RingFormation#next} for the next step, publishes it with check-and-set
 * and repeats until there is nothing to do; then it waits for a change of members or leadership
 * (or {@code checkTtlMillis} at most, to recheck). Published rings are also offered to the local
 * {@link RingHolder} at once. On a node that does not lead it only waits. Failures are logged and
 * retried with backoff; nothing is thrown.
 *
 * <p>{@link #init()} is the operator's command to form the first ring now, from the members
 * passing at the moment, even fewer than {@code minNodes}; it runs on the caller's thread and only
 * on the leader.
 */
public final class LeaderDuties implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaderDuties.class);

    private final LeaderElection election;
    private final Membership membership;
    private final RingPublisher publisher;
    private final RingHolder holder;
    private final RingFormation.Settings formation;
    private final ConsulSettings settings;
    private final Semaphore wake = new Semaphore(0);
    /** One plan-and-publish at a time, whether from the loop or {@link #init()}. */
    private final ReentrantLock stepLock = new ReentrantLock();
    private volatile String status = "not started";
    private volatile boolean running;
    private Thread thread;

    public LeaderDuties(LeaderElection election, Membership membership, RingPublisher publisher, RingHolder holder,
                        RingFormation.Settings formation, ConsulSettings settings) {
        this.election = election;
        this.membership = membership;
        this.publisher = publisher;
        this.holder = holder;
        this.formation = formation;
        this.settings = settings;
    }

    public synchronized void start() {
        if (thread != null) {
            return;
        }
        election.onChange(leader -> wake.release());
        membership.onMembersChange(members -> wake.release());
        running = true;
        thread = Thread.ofVirtual().name("leader-duties").start(this::run);
    }

    /** What the leader last decided, or why it is idle; for status output. */
    public String status() {
        return status;
    }

    /**
     * Forms the first ring now from the passing members (the operator's {@code init}).
     *
     * @return {@link PublishResult.NotLeader} on a follower (send the request to
     *     {@link LeaderElection#leaderId()}), {@link PublishResult.Declined} when a ring exists or no
     *     member passes, otherwise the publisher's result
     */
    public PublishResult init() {
        stepLock.lock();
        try {
            if (!election.isLeader()) {
                return new PublishResult.NotLeader();
            }
            RingSnapshot snapshot;
            try {
                snapshot = publisher.read();
            } catch (RingReadException e) {
                return new PublishResult.Unavailable(e.getMessage());
            }
            RingFormation.Decision decision = RingFormation.init(snapshot.ring(), holder.ring(), membership.members(),
                    formation);
            status = decision.reason();
            if (decision.ring().isEmpty()) {
                log.info("{}", decision.reason());
                return new PublishResult.Declined(decision.reason());
            }
            return publish(snapshot, decision);
        } finally {
            stepLock.unlock();
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t != null) {
            Loops.stopAll(List.of(t), settings.requestTimeoutMillis());
        }
    }

    private void run() {
        Backoff backoff = settings.newBackoff();
        while (running) {
            long delayMillis;
            if (!election.isLeader()) {
                status = "not the leader" + election.leaderId().map(id -> " (" + id + " leads)").orElse("");
                delayMillis = settings.checkTtlMillis();
            } else {
                try {
                    delayMillis = step();
                    backoff.reset();
                } catch (RingReadException e) {
                    status = e.getMessage();
                    log.warn("leader: {}", e.getMessage());
                    delayMillis = backoff.nextMillis();
                } catch (RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    status = "failed: " + e;
                    log.error("leader duties failed, retrying", e);
                    delayMillis = backoff.nextMillis();
                }
            }
            if (delayMillis > 0 && !await(delayMillis)) {
                return;
            }
        }
    }

    /** One plan-and-publish; returns how long to wait before the next (0: at once). */
    private long step() {
        stepLock.lock();
        try {
            RingSnapshot snapshot = publisher.read();
            RingFormation.Decision decision = RingFormation.next(snapshot.ring(), holder.ring(), membership.members(),
                    formation);
            status = decision.reason();
            if (decision.ring().isEmpty()) {
                log.debug("leader: {}", decision.reason());
                return settings.checkTtlMillis();
            }
            return switch (publish(snapshot, decision)) {
                case PublishResult.Published p -> 0;
                // Plan again from a fresh read; leadership is checked again first.
                case PublishResult.Refused r -> settings.backoffMinMillis();
                case PublishResult.NotLeader n -> 0;
                case PublishResult.Unavailable u -> settings.backoffMaxMillis();
                case PublishResult.Declined d -> settings.checkTtlMillis();
            };
        } finally {
            stepLock.unlock();
        }
    }

    private PublishResult publish(RingSnapshot snapshot, RingFormation.Decision decision) {
        Ring ring = decision.ring().orElseThrow();
        log.info("leader: {}", decision.reason());
        PublishResult result = publisher.publish(snapshot, ring);
        if (result instanceof PublishResult.Published) {
            holder.offer(ring);
        }
        return result;
    }

    /** Waits until woken by a change or for {@code millis}; false if interrupted. */
    private boolean await(long millis) {
        try {
            wake.tryAcquire(millis, TimeUnit.MILLISECONDS);
            wake.drainPermits();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
