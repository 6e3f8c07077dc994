package io.ringkv.coordinator.membership;

import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.agent.model.NewService;
import com.ecwid.consul.v1.health.HealthServicesRequest;
import com.ecwid.consul.v1.health.model.Check;
import com.ecwid.consul.v1.health.model.HealthService;
import com.ecwid.consul.v1.kv.model.GetValue;
import io.ringkv.coordinator.ring.Ring;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership through Consul. Three virtual threads, each retrying with bounded backoff and never
 * giving up while the membership is open:
 * <ul>
 *   <li><b>heartbeat</b>: registers the service (id = node id, tag {@code cluster:<cluster>}, meta
 *       rack and cluster and the caller's entries) with a TTL check, and passes the check every third
 *       of its TTL. Consul starts a TTL check critical, so the node is passing only after its first
 *       pass. When the agent forgets the check (it restarted without its state) the service is
 *       registered again.</li>
 *   <li><b>ring watch</b>: blocking queries on {@code ringkv/<cluster>/ring}; every ring read is offered
 *       to the {@link RingHolder}, which installs only a higher epoch, so epochs are applied in order
 *       and never go back. After a failure the next query starts from index 0, so a restarted agent
 *       (whose indexes start over) is read at once instead of after a whole wait.</li>
 *   <li><b>members watch</b>: blocking health queries for the service and tag, all instances
 *       whatever their health; a member's health is the worst of its checks, node checks included
 *       (the same rule as Consul's {@code passing} filter).</li>
 * </ul>
 * While Consul is unreachable the node keeps its ring and last member list and
 * {@link #reachable()} is false. {@link #close()} deregisters the service.
 */
public final class ConsulMembership implements Membership {
    private static final Logger log = LoggerFactory.getLogger(ConsulMembership.class);
    /** Output of each check pass; constant, so a pass changes nothing in the catalog and wakes no watcher. */
    private static final String PASS_NOTE = "ok";

    private final ConsulConnection consul;
    private final ConsulSettings settings;
    private final Registration self;
    private final RingHolder holder;
    private final String checkId;
    private final List<Consumer<List<Member>>> listeners = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile List<Member> members = List.of();
    private volatile boolean reachable;
    private volatile boolean running;
    private boolean started;
    private boolean closed;

    /**
     * @param consul the node's connection to its agent; not closed here
     * @param holder receives every ring read from Consul
     */
    public ConsulMembership(ConsulConnection consul, ConsulSettings settings, Registration self, RingHolder holder) {
        this.consul = consul;
        this.settings = settings;
        this.self = self;
        this.holder = holder;
        // Consul names the check of a service registered with one check "service:<service id>".
        this.checkId = "service:" + self.nodeId();
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("membership is closed");
        }
        if (started) {
            return;
        }
        started = true;
        running = true;
        String id = self.nodeId();
        threads.add(Thread.ofVirtual().name("consul-heartbeat-" + id).start(this::heartbeat));
        threads.add(Thread.ofVirtual().name("consul-ring-watch-" + id).start(this::watchRing));
        threads.add(Thread.ofVirtual().name("consul-members-watch-" + id).start(this::watchMembers));
    }

    @Override
    public List<Member> members() {
        return members;
    }

    @Override
    public boolean reachable() {
        return reachable;
    }

    @Override
    public void onMembersChange(Consumer<List<Member>> listener) {
        listeners.add(listener);
    }

    /** The id of this node's TTL check at its agent. */
    public String checkId() {
        return checkId;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = false;
            if (!started) {
                return;
            }
        }
        Loops.stopAll(threads, settings.requestTimeoutMillis());
        try {
            consul.quick().agentServiceDeregister(self.nodeId());
            log.info("deregistered {} from Consul at {}", self.nodeId(), consul.agent());
        } catch (RuntimeException e) {
            log.warn("could not deregister {} from Consul at {}: {}", self.nodeId(), consul.agent(), e.toString());
        }
    }

    // --- heartbeat ---

    private void heartbeat() {
        Backoff backoff = settings.newBackoff();
        long passEveryMillis = Math.max(1, settings.checkTtlMillis() / 3);
        boolean registered = false;
        while (running) {
            long delay;
            try {
                if (!registered) {
                    register();
                    registered = true;
                    log.info("registered {} ({}:{}, rack {}) as service {} of cluster {} at Consul {}", self.nodeId(),
                            self.host(), self.port(), self.rack(), settings.serviceName(), settings.cluster(),
                            consul.agent());
                }
                consul.quick().agentCheckPass(checkId, PASS_NOTE);
                markReachable();
                backoff.reset();
                delay = passEveryMillis;
            } catch (OperationException e) {
                // The agent answered but refused, most likely because it lost the check in a restart.
                markReachable();
                registered = false;
                log.warn("Consul agent {} refused the heartbeat of {} ({}): registering again", consul.agent(),
                        self.nodeId(), e.getStatusContent());
                delay = backoff.nextMillis();
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                markUnreachable(e);
                registered = false;
                delay = backoff.nextMillis();
            }
            if (!Loops.sleep(delay)) {
                return;
            }
        }
    }

    private void register() {
        NewService.Check check = new NewService.Check();
        check.setTtl(ConsulSettings.goDuration(settings.checkTtlMillis()));
        NewService service = new NewService();
        service.setId(self.nodeId());
        service.setName(settings.serviceName());
        service.setTags(List.of(settings.clusterTag()));
        service.setAddress(self.host());
        service.setPort(self.port());
        service.setMeta(self.registeredMeta(settings.cluster()));
        service.setCheck(check);
        consul.quick().agentServiceRegister(service);
    }

    // --- ring watch ---

    private void watchRing() {
        Backoff backoff = settings.newBackoff();
        long index = 0;
        long lastSeenModifyIndex = -1;
        while (running) {
            try {
                long began = System.nanoTime();
                Response<GetValue> response = consul.blocking().getKVValue(settings.ringKey(), blockingQuery(index));
                markReachable();
                backoff.reset();
                GetValue value = response.getValue();
                if (value != null && value.getModifyIndex() != lastSeenModifyIndex) {
                    lastSeenModifyIndex = value.getModifyIndex();
                    offer(value);
                }
                long next = Loops.nextIndex(index, response.getConsulIndex());
                if (next == index && tooSoon(began) && !Loops.sleep(settings.backoffMinMillis())) {
                    return;
                }
                index = next;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                markUnreachable(e);
                // A restarted agent starts its indexes over and may reuse a ModifyIndex: read afresh.
                index = 0;
                lastSeenModifyIndex = -1;
                if (!Loops.sleep(backoff.nextMillis())) {
                    return;
                }
            }
        }
    }

    private void offer(GetValue value) {
        Ring ring;
        try {
            ring = RingCodec.decode(value.getDecodedValue(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            log.error("the ring at Consul key {} (ModifyIndex {}) cannot be read, keeping epoch {}: {}",
                    settings.ringKey(), value.getModifyIndex(), holder.epoch(), e.getMessage());
            return;
        }
        try {
            if (holder.offer(ring)) {
                log.info("installed ring epoch {} from Consul: {}", ring.epoch(), ring);
            } else {
                log.debug("ignored ring epoch {} from Consul: this node serves epoch {}", ring.epoch(), holder.epoch());
            }
        } catch (RuntimeException e) {
            log.error("a ring listener failed on epoch {}", ring.epoch(), e);
        }
    }

    // --- members watch ---

    private void watchMembers() {
        Backoff backoff = settings.newBackoff();
        long index = 0;
        while (running) {
            try {
                long began = System.nanoTime();
                HealthServicesRequest request = HealthServicesRequest.newBuilder()
                        .setTag(settings.clusterTag())
                        .setPassing(false)
                        .setQueryParams(blockingQuery(index))
                        .build();
                Response<List<HealthService>> response = consul.blocking().getHealthServices(settings.serviceName(),
                        request);
                markReachable();
                backoff.reset();
                update(response.getValue() == null ? List.of() : response.getValue());
                long next = Loops.nextIndex(index, response.getConsulIndex());
                if (next == index && tooSoon(began) && !Loops.sleep(settings.backoffMinMillis())) {
                    return;
                }
                index = next;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                markUnreachable(e);
                index = 0;
                if (!Loops.sleep(backoff.nextMillis())) {
                    return;
                }
            }
        }
    }

    private void update(List<HealthService> instances) {
        List<Member> list = instances.stream()
                .map(ConsulMembership::toMember)
                .flatMap(Optional::stream)
                .sorted(Comparator.comparing(Member::id))
                .toList();
        if (list.equals(members)) {
            return;
        }
        members = list;
        log.debug("members of {}: {}", settings.cluster(), list);
        for (Consumer<List<Member>> listener : listeners) {
            try {
                listener.accept(list);
            } catch (RuntimeException e) {
                log.error("a members listener failed", e);
            }
        }
    }

    /** A health entry as a member; empty (and logged) if it is not a usable ringkv registration. */
    static Optional<Member> toMember(HealthService instance) {
        HealthService.Service service = instance.getService();
        if (service == null) {
            return Optional.empty();
        }
        String host = service.getAddress();
        if ((host == null || host.isBlank()) && instance.getNode() != null) {
            host = instance.getNode().getAddress();
        }
        Map<String, String> meta = service.getMeta() == null ? Map.of() : service.getMeta();
        String rack = meta.getOrDefault(Registration.RACK, "");
        Member.Health health = Member.Health.PASSING;
        for (Check check : instance.getChecks() == null ? List.<Check>of() : instance.getChecks()) {
            health = health.worst(health(check.getStatus()));
        }
        try {
            return Optional.of(new Member(service.getId(), host, service.getPort() == null ? 0 : service.getPort(),
                    rack, health, meta));
        } catch (IllegalArgumentException e) {
            log.debug("ignoring registration {} of service {}: {}", service.getId(), service.getService(),
                    e.getMessage());
            return Optional.empty();
        }
    }

    private static Member.Health health(Check.CheckStatus status) {
        if (status == Check.CheckStatus.PASSING) {
            return Member.Health.PASSING;
        }
        return status == Check.CheckStatus.WARNING ? Member.Health.WARNING : Member.Health.CRITICAL;
    }

    // --- shared ---

    private QueryParams blockingQuery(long index) {
        return QueryParams.Builder.builder().setIndex(index).setWaitTime(settings.watchWaitSeconds()).build();
    }

    private void markReachable() {
        if (!reachable) {
            reachable = true;
            log.info("Consul agent {} is reachable", consul.agent());
        }
    }

    private void markUnreachable(RuntimeException e) {
        if (reachable) {
            reachable = false;
            log.warn("Consul agent {} is unreachable ({}); keeping ring epoch {} and {} members, retrying",
                    consul.agent(), e.toString(), holder.epoch(), members.size());
        } else {
            log.debug("Consul agent {} still unreachable: {}", consul.agent(), e.toString());
        }
    }

    /** A blocking query that came back this quick with nothing new is not blocking: pace the loop. */
    private boolean tooSoon(long beganNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beganNanos) < settings.backoffMinMillis();
    }
}
