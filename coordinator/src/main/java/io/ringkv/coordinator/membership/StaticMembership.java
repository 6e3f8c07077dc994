package io.ringkv.coordinator.membership;

import io.ringkv.coordinator.config.HostPort;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.Planner;
import io.ringkv.coordinator.ring.Ring;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed member list (the seeds): asks every seed who it is (id, rack) until all have answered,
 * then forms the ring with the planner. Every member computes the same ring from the same list,
 * so no coordination is needed. Runs on one virtual thread; retries every {@code retryMillis}.
 */
public final class StaticMembership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StaticMembership.class);

    private final Node self;
    private final List<HostPort> seeds;
    private final int vnodes;
    private final int replicas;
    private final Function<HostPort, Optional<Node>> whoIs;
    private final RingHolder holder;
    private final long retryMillis;
    private volatile Thread thread;
    private volatile String waitingFor = "";

    /**
     * @param whoIs asks the node at an address for its identity; empty when it does not answer
     */
    public StaticMembership(Node self, List<HostPort> seeds, int vnodes, int replicas,
                            Function<HostPort, Optional<Node>> whoIs, RingHolder holder, long retryMillis) {
        this.self = self;
        this.seeds = List.copyOf(seeds);
        this.vnodes = vnodes;
        this.replicas = replicas;
        this.whoIs = whoIs;
        this.holder = holder;
        this.retryMillis = retryMillis;
    }

    public void start() {
        thread = Thread.ofVirtual().name("static-membership").start(this::form);
    }

    /** Addresses of the seeds that have not answered yet, for status output. */
    public String waitingFor() {
        return waitingFor;
    }

    private void form() {
        Map<String, Node> byAddress = new LinkedHashMap<>();
        byAddress.put(self.address(), self);
        while (!Thread.currentThread().isInterrupted()) {
            List<String> missing = new ArrayList<>();
            for (HostPort seed : seeds) {
                String address = seed.toString();
                if (byAddress.containsKey(address)) {
                    continue;
                }
                Optional<Node> node = whoIs.apply(seed);
                if (node.isPresent()) {
                    byAddress.put(address, node.get());
                } else {
                    missing.add(address);
                }
            }
            waitingFor = String.join(",", missing);
            if (missing.isEmpty()) {
                Ring ring = Planner.initial(new ArrayList<>(byAddress.values()), vnodes, replicas);
                holder.offer(ring);
                log.info("ring formed: epoch {}, {} nodes, {} vnodes, {} replicas each", ring.epoch(),
                        byAddress.size(), vnodes, ring.replicasPerVnode());
                return;
            }
            try {
                Thread.sleep(retryMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
