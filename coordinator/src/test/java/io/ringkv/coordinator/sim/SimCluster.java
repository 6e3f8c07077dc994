package io.ringkv.coordinator.sim;

import io.ringkv.coordinator.handoff.HintSettings;
import io.ringkv.coordinator.handoff.HintedHandoff;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.repair.LocalRepairPeer;
import io.ringkv.coordinator.repair.RepairPeer;
import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.request.Coordinator;
import io.ringkv.coordinator.request.CoordinatorSettings;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.NodeState;
import io.ringkv.coordinator.ring.Planner;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.transport.FailureDetector;
import io.ringkv.coordinator.version.HybridLogicalClock;
import io.ringkv.observability.Telemetry;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.chunk.ChunkingConfig;
import io.ringkv.storage.chunk.ChunkingEngine;
import io.ringkv.storage.memory.MemoryEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * A whole ringkv cluster in one JVM and one thread: real coordinators, replicas and memory
 * engines, hinted handoff (a real hint store over each node's memory engine, replay on virtual
 * time), pings every {@link #PING_INTERVAL_MILLIS} that feed each node's failure detector, a
 * {@link SimNetwork} between them and {@link SimTime} for every clock and timer. Everything
 * random derives from one seed, printed by {@link #toString()} for failure messages.
 */
public final class SimCluster {
    public final long seed;
    public final SimTime time = new SimTime();
    public final SimNetwork network;
    private final Map<String, Coordinator> coordinators = new LinkedHashMap<>();
    private final Map<String, LocalReplica> replicas = new LinkedHashMap<>();
    private final Map<String, HintedHandoff> handoffs = new LinkedHashMap<>();
    private final Map<String, FailureDetector> detectors = new LinkedHashMap<>();
    public static final long PING_INTERVAL_MILLIS = 200;
    /** Hint settings in the simulation: the defaults, with a 1 s delivery deadline. */
    public static final HintSettings HINTS = HintSettings.DEFAULTS.withDeliveryTimeout(1_000);
    private final Map<String, LocalRepairPeer> repairPeers = new LinkedHashMap<>();
    private final Ring ring;

    public SimCluster(long seed, int nodes, int vnodes, int replication, Keyspaces keyspaces, CoordinatorSettings settings) {
        this(seed, nodes, vnodes, replication, keyspaces, settings, HINTS);
    }

    public SimCluster(long seed, int nodes, int vnodes, int replication, Keyspaces keyspaces, CoordinatorSettings settings,
                      HintSettings hints) {
        this.seed = seed;
        this.network = new SimNetwork(time, seed);
        List<Node> members = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            members.add(new Node("n" + i, "sim:" + i, "rack" + i, NodeState.ACTIVE));
        }
        this.ring = Planner.initial(members, vnodes, replication);
        Random seeds = new Random(seed);
        for (Node n : members) {
            ChunkingEngine engine = new ChunkingEngine(new MemoryEngine(), ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
            FailureDetector fd = new FailureDetector(time, 3, 1_000);
            HintedHandoff handoff = new HintedHandoff(n.id(), engine, fd, time, time, hints, null,
                    Telemetry.disabled().handoff());
            LocalReplica replica = new LocalReplica(engine, keyspaces, StorageLimits.DEFAULTS, handoff.keeper());
            replicas.put(n.id(), replica);
            repairPeers.put(n.id(), new LocalRepairPeer(n.id(), replica, keyspaces));
            detectors.put(n.id(), fd);
            handoffs.put(n.id(), handoff);
            network.attach(n.id(), replica);
            HybridLogicalClock hlc = new HybridLogicalClock(time.asInstantSource(), 60_000);
            coordinators.put(n.id(), new Coordinator(n.id(), () -> ring, keyspaces, replica, network.transportFor(n.id()),
                    fd, time, time, hlc, settings, new Random(seeds.nextLong()), StorageLimits.DEFAULTS, handoff.sink()));
            handoff.start(network.transportFor(n.id()));
            time.schedule(PING_INTERVAL_MILLIS, () -> ping(n.id()));
        }
    }

    /** One node's ping round (the gRPC node's Pinger, on virtual time); a crashed node pings no one. */
    private void ping(String self) {
        if (!network.isCrashed(self)) {
            FailureDetector fd = detectors.get(self);
            for (String peer : coordinators.keySet()) {
                if (!peer.equals(self)) {
                    network.transportFor(self).ping(peer, PING_INTERVAL_MILLIS).whenComplete((ok, error) -> {
                        if (error == null) {
                            fd.onSuccess(peer);
                        } else {
                            fd.onFailure(peer);
                        }
                    });
                }
            }
        }
        time.schedule(PING_INTERVAL_MILLIS, () -> ping(self));
    }

    public static SimCluster threeNodes(long seed) {
        return new SimCluster(seed, 3, 64, 3, Keyspaces.defaults(), CoordinatorSettings.DEFAULTS);
    }

    public Ring ring() {
        return ring;
    }

    public Coordinator node(String id) {
        return coordinators.get(id);
    }

    public LocalReplica replica(String id) {
        return replicas.get(id);
    }

    public HintedHandoff handoff(String id) {
        return handoffs.get(id);
    }

    public FailureDetector detector(String id) {
        return detectors.get(id);
    }

    /** Node {@code to}'s replica as node {@code from}'s repair sees it through the simulated network. */
    public RepairPeer repairPeer(String from, String to) {
        return new SimRepairPeer(network, from, repairPeers.get(to));
    }

    /** Node {@code id}'s own replica as a repair peer. */
    public LocalRepairPeer localRepairPeer(String id) {
        return repairPeers.get(id);
    }

    public List<String> nodeIds() {
        return List.copyOf(coordinators.keySet());
    }

    /** Runs the simulation until {@code future} completes (or 60 s of virtual time pass) and returns it. */
    public <T> CompletableFuture<T> await(CompletableFuture<T> future) {
        time.runUntil(future::isDone, 60_000);
        if (!future.isDone()) {
            throw new AssertionError("request did not complete within 60 s of simulated time; " + this);
        }
        return future;
    }

    @Override
    public String toString() {
        return "SimCluster[seed=" + seed + " (rerun with -Dringkv.sim.seed=" + seed + ")]";
    }
}
