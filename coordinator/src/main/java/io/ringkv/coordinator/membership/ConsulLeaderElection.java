package io.ringkv.coordinator.membership;

import com.ecwid.consul.v1.ConsistencyMode;
import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.kv.model.GetValue;
import com.ecwid.consul.v1.kv.model.PutParams;
import com.ecwid.consul.v1.session.model.NewSession;
import com.ecwid.consul.v1.session.model.Session;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election with a Consul session and a lock on {@code ringkv/<cluster>/leader}, on one
 * virtual thread.
 *
 * <p>The node creates a session (TTL {@code sessionTtlMillis}, lock delay {@code lockDelayMillis},
 * behaviour release: the lock is freed, the key kept, when the session dies) and renews it every third
 * of its TTL. It watches the leader key with blocking queries that wake on any change and at the
 * next renewal; when the key is free it tries {@code acquire} with its node id as the value. Consul
 * refuses the lock during the lock delay after the previous holder's session was invalidated (not
 * when it was released), so the node retries until the delay has passed. A session Consul no longer
 * knows (expired, destroyed, or lost by a restarted agent) is replaced by a new one.
 *
 * <p>This node stops believing it leads when the key shows another holder or none, when its session
 * is gone, when {@link #verify()} cannot confirm it, or when Consul has been unreachable for a whole
 * session TTL (Consul expires the session no sooner than that). {@link #resign()} releases the lock
 * (no lock delay for the next leader) and destroys the session.
 */
public final class ConsulLeaderElection implements LeaderElection {
    private static final Logger log = LoggerFactory.getLogger(ConsulLeaderElection.class);

    private final ConsulConnection consul;
    private final ConsulSettings settings;
    private final String nodeId;
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    private final long renewEveryNanos;
    private final List<String> sessionChecks;
    private volatile boolean leader;
    private volatile Optional<String> leaderId = Optional.empty();
    private volatile String sessionId;
    private volatile long lastRenewNanos;
    private volatile boolean running;
    private Thread thread;
    private boolean started;
    private boolean resigned;

    /** @param consul the node's connection to its agent; not closed here */
    public ConsulLeaderElection(ConsulConnection consul, ConsulSettings settings, String nodeId) {
        this(consul, settings, nodeId, List.of());
    }

    /**
     * @param sessionChecks health checks the leader's session is tied to, besides the agent's
     *     {@code serfHealth}. Consul invalidates a session when one of its checks goes critical, and
     *     a TTL check goes critical one TTL after its last pass, whereas a session's own TTL is only
     *     enforced after up to twice the TTL: tying the session to the node's TTL check lets a
     *     crashed leader's lock go about one TTL sooner. A session cannot be created while one of
     *     its checks is critical, so campaigning starts once the node's check first passes.
     */
    public ConsulLeaderElection(ConsulConnection consul, ConsulSettings settings, String nodeId,
                                List<String> sessionChecks) {
        this.consul = consul;
        this.settings = settings;
        this.nodeId = nodeId;
        this.renewEveryNanos = TimeUnit.MILLISECONDS.toNanos(settings.sessionTtlMillis()) / 3;
        this.sessionChecks = List.copyOf(sessionChecks);
    }

    @Override
    public synchronized void start() {
        if (resigned) {
            throw new IllegalStateException("this election has resigned; make a new one");
        }
        if (started) {
            return;
        }
        started = true;
        running = true;
        thread = Thread.ofVirtual().name("consul-election-" + nodeId).start(this::campaign);
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public Optional<String> leaderId() {
        return leaderId;
    }

    @Override
    public void onChange(Consumer<Boolean> listener) {
        listeners.add(listener);
    }

    /** The current session's id, if any; for diagnostics and tests. */
    Optional<String> sessionId() {
        return Optional.ofNullable(sessionId);
    }

    @Override
    public boolean verify() {
        String session = sessionId;
        if (session == null) {
            stepDown("verification: this node has no session");
            return false;
        }
        try {
            Response<GetValue> response = consul.quick().getKVValue(settings.leaderKey(),
                    new QueryParams(ConsistencyMode.CONSISTENT));
            GetValue value = response.getValue();
            String holder = value == null ? null : value.getSession();
            if (session.equals(holder)) {
                becomeLeader();
                return true;
            }
            stepDown("verification: the leader key is " + (holder == null ? "free" : "held by " + holderId(value)));
            return false;
        } catch (RuntimeException e) {
            stepDown("verification: Consul did not answer (" + e + ")");
            return false;
        }
    }

    @Override
    public void resign() {
        Thread t;
        synchronized (this) {
            if (resigned) {
                return;
            }
            resigned = true;
            running = false;
            t = thread;
        }
        if (t != null) {
            Loops.stopAll(List.of(t), settings.requestTimeoutMillis());
        }
        // Stop acting as leader before anyone else can take over.
        synchronized (this) {
            if (leader) {
                leader = false;
                log.info("{} resigned the leadership of cluster {}", nodeId, settings.cluster());
                notifyListeners(false);
            }
        }
        String session = sessionId;
        sessionId = null;
        if (session == null) {
            return;
        }
        try {
            PutParams release = new PutParams();
            release.setReleaseSession(session);
            consul.quick().setKVValue(settings.leaderKey(), nodeId, release);
        } catch (RuntimeException e) {
            log.warn("{} could not release the leader lock (its session expires by itself): {}", nodeId, e.toString());
        }
        try {
            consul.quick().sessionDestroy(session, QueryParams.DEFAULT);
        } catch (RuntimeException e) {
            log.warn("{} could not destroy its session (it expires by itself): {}", nodeId, e.toString());
        }
    }

    @Override
    public void close() {
        resign();
    }

    private void campaign() {
        Backoff backoff = settings.newBackoff();
        long index = 0;
        while (running) {
            long delayMillis = 0;
            try {
                String session = sessionId;
                if (session == null) {
                    session = createSession();
                    sessionId = session;
                    lastRenewNanos = System.nanoTime();
                    index = 0;
                }
                if (System.nanoTime() - lastRenewNanos >= renewEveryNanos) {
                    if (!renew(session)) {
                        sessionId = null;
                        stepDown("its session " + session + " is gone");
                        continue;
                    }
                    lastRenewNanos = System.nanoTime();
                }
                long untilRenewNanos = renewEveryNanos - (System.nanoTime() - lastRenewNanos);
                int waitSeconds = (int) Math.max(1, Math.min(settings.watchWaitSeconds(),
                        TimeUnit.NANOSECONDS.toSeconds(untilRenewNanos)));
                Response<GetValue> response = consul.blocking().getKVValue(settings.leaderKey(),
                        QueryParams.Builder.builder().setIndex(index).setWaitTime(waitSeconds).build());
                backoff.reset();
                index = Loops.nextIndex(index, response.getConsulIndex());
                GetValue value = response.getValue();
                String holder = value == null ? null : value.getSession();
                leaderId = holder == null ? Optional.empty() : Optional.of(holderId(value));
                if (session.equals(holder)) {
                    becomeLeader();
                } else {
                    stepDown(holder == null ? "the leader lock was freed"
                            : "the leader lock is held by " + leaderId.get());
                    if (holder == null && running) {
                        if (acquire(session)) {
                            leaderId = Optional.of(nodeId);
                            becomeLeader();
                        } else {
                            // Refused: the lock delay of an invalidated holder, or a rival was quicker.
                            // Ask again soon, without blocking, but never past the next renewal.
                            index = 0;
                            long untilRenewMillis = TimeUnit.NANOSECONDS.toMillis(
                                    renewEveryNanos - (System.nanoTime() - lastRenewNanos));
                            delayMillis = Math.max(settings.backoffMinMillis(),
                                    Math.min(settings.lockDelayMillis(), untilRenewMillis));
                        }
                    }
                }
            } catch (OperationException e) {
                if (invalidSession(e)) {
                    sessionId = null;
                    stepDown("Consul no longer knows its session");
                    delayMillis = settings.backoffMinMillis();
                } else {
                    log.warn("{}: Consul refused an election request: {} {}", nodeId, e.getStatusCode(),
                            e.getStatusContent());
                    delayMillis = backoff.nextMillis();
                }
                index = 0;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                log.debug("{}: election request failed: {}", nodeId, e.toString());
                // Consul expires a session no sooner than its TTL after the last renewal.
                long sessionTtlNanos = TimeUnit.MILLISECONDS.toNanos(settings.sessionTtlMillis());
                if (leader && System.nanoTime() - lastRenewNanos >= sessionTtlNanos) {
                    stepDown("Consul has been unreachable for a whole session TTL");
                }
                index = 0;
                delayMillis = backoff.nextMillis();
            }
            if (delayMillis > 0 && !Loops.sleep(delayMillis)) {
                return;
            }
        }
    }

    private String createSession() {
        NewSession session = new NewSession();
        session.setName("ringkv " + settings.cluster() + " leader candidate " + nodeId);
        session.setTtl(ConsulSettings.goDuration(settings.sessionTtlMillis()));
        // Consul reads a number of at least 1000 as nanoseconds (smaller ones as seconds); 0 is 0 either way.
        session.setLockDelay(TimeUnit.MILLISECONDS.toNanos(settings.lockDelayMillis()));
        session.setBehavior(Session.Behavior.RELEASE);
        if (!sessionChecks.isEmpty()) {
            List<String> checks = new java.util.ArrayList<>();
            checks.add("serfHealth");
            checks.addAll(sessionChecks);
            session.setChecks(checks);
        }
        String id = consul.quick().sessionCreate(session, QueryParams.DEFAULT).getValue();
        log.debug("{} created session {}", nodeId, id);
        return id;
    }

    /** Renews the session; false if Consul no longer knows it. */
    private boolean renew(String session) {
        try {
            return consul.quick().renewSession(session, QueryParams.DEFAULT).getValue() != null;
        } catch (OperationException e) {
            if (invalidSession(e)) {
                return false;
            }
            throw e;
        }
    }

    private boolean acquire(String session) {
        PutParams acquire = new PutParams();
        acquire.setAcquireSession(session);
        return Boolean.TRUE.equals(consul.quick().setKVValue(settings.leaderKey(), nodeId, acquire).getValue());
    }

    /** Renew answers 404 for an unknown session; acquire answers 500 "invalid session". */
    private static boolean invalidSession(OperationException e) {
        String content = e.getStatusContent() == null ? "" : e.getStatusContent();
        return e.getStatusCode() == 404 || content.contains("invalid session") || content.contains("not found");
    }

    private static String holderId(GetValue value) {
        String id = value.getDecodedValue(StandardCharsets.UTF_8);
        return id == null ? "?" : id;
    }

    private synchronized void becomeLeader() {
        if (!leader && !resigned) {
            leader = true;
            log.info("{} is now the leader of cluster {}", nodeId, settings.cluster());
            notifyListeners(true);
        }
    }

    private synchronized void stepDown(String reason) {
        if (leader) {
            leader = false;
            log.warn("{} is no longer the leader of cluster {}: {}", nodeId, settings.cluster(), reason);
            notifyListeners(false);
        }
    }

    private void notifyListeners(boolean isLeader) {
        for (Consumer<Boolean> listener : listeners) {
            try {
                listener.accept(isLeader);
            } catch (RuntimeException e) {
                log.error("a leadership listener failed", e);
            }
        }
    }
}
