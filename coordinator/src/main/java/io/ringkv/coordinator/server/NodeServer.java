package io.ringkv.coordinator.server;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.common.util.ThreadFactories;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.docs.DocService;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.GetNodeInfoRequest;
import io.ringkv.api.v1.NodeInfo;
import io.ringkv.coordinator.catalog.CatalogException;
import io.ringkv.coordinator.catalog.SystemCatalog;
import io.ringkv.coordinator.config.HostPort;
import io.ringkv.coordinator.config.NodeConfig;
import io.ringkv.coordinator.handoff.HintedHandoff;
import io.ringkv.coordinator.membership.RingHolder;
import io.ringkv.coordinator.membership.ClusterMembership;
import io.ringkv.coordinator.membership.ConsulSettings;
import io.ringkv.coordinator.membership.Registration;
import io.ringkv.coordinator.membership.RingFormation;
import io.ringkv.coordinator.membership.StaticMembership;
import io.ringkv.coordinator.repair.GrpcRepairPeer;
import io.ringkv.coordinator.repair.LocalRepairPeer;
import io.ringkv.coordinator.repair.RepairService;
import io.ringkv.coordinator.priority.LargeValueExecutor;
import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.request.Coordinator;
import io.ringkv.coordinator.request.CoordinatorSettings;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.NodeState;
import io.ringkv.coordinator.telemetry.ContextTimer;
import io.ringkv.coordinator.telemetry.TracingTransport;
import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.time.Sleeper;
import io.ringkv.coordinator.time.SystemTimer;
import io.ringkv.coordinator.transport.FailureDetector;
import io.ringkv.coordinator.transport.BulkLane;
import io.ringkv.coordinator.transport.GrpcTransport;
import io.ringkv.coordinator.transport.Pinger;
import io.ringkv.coordinator.version.HybridLogicalClock;
import io.ringkv.observability.PrometheusText;
import io.ringkv.priority.ThreadNice;
import io.ringkv.observability.Telemetry;
import io.ringkv.observability.TracingStorageEngine;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.chunk.ChunkingConfig;
import io.ringkv.storage.chunk.ChunkingEngine;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ringkv node: builds the storage engine, replica, coordinator, transport and membership from
 * a {@link NodeConfig}, and serves them on one Armeria port. {@link #close()} stops everything
 * it started, in reverse order.
 */
public final class NodeServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeServer.class);
    /** Room for a maximal value plus its record framing in one unary message. */
    private static final int MESSAGE_SLACK_BYTES = 1 << 20;
    public static final String VERSION = "0.1.0";

    private final NodeConfig config;
    private final SystemCatalog catalog;
    private final ChunkingEngine storage;
    private final SystemTimer timer;
    private final GrpcTransport transport;
    private final ClusterMembership membership;
    private final Pinger pinger;
    private final Server server;
    private final Server bulkServer;
    private final java.util.concurrent.atomic.LongAdder bulkKvCalls = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder bulkReplicaCalls = new java.util.concurrent.atomic.LongAdder();
    private final RingHolder ring;
    private final HealthStatusManager health;
    private final HintedHandoff handoff;
    private final Telemetry telemetry;
    private final RepairService repair;
    private final ReplicaChannelService replicaChannelService;
    private final KvChannelService kvChannelService;
    private final LargeValueExecutor largeValues;

    private NodeServer(NodeConfig config, Telemetry telemetry) {
        this.config = config;
        this.telemetry = telemetry;
        // The catalog first: a node pointed at another node's data directory is refused before any data is touched.
        this.catalog = SystemCatalog.open(config.dataDir().resolve("catalog"));
        StorageEngine opened = null;
        StorageEngine chunks;
        try {
            catalog.identity(config.id(), config.rack());
            opened = StorageEngines.open(config.backend(), engineConfig(config, "data")
                    .withSyncObserver(telemetry.metrics().syncObserver("data")));
            chunks = openChunkStore(config, opened, telemetry.metrics().syncObserver("chunks"));
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            catalog.close();
            throw e;
        }
        StorageEngine frames = TracingStorageEngine.wrap(opened, telemetry);
        // The engine's own limit is generous: the user's value limit is enforced by the coordinator,
        // and a causal record holds every sibling.
        // Deleting a replaced value's chunks is large-value work: it runs at the large values' priority.
        this.storage = new ChunkingEngine(frames, chunks == opened ? frames : TracingStorageEngine.wrap(chunks, telemetry),
                ChunkingConfig.DEFAULTS, new StorageLimits(config.limits().maxKeyBytes(), StorageLimits.ABSOLUTE_MAX_VALUE_BYTES),
                io.ringkv.priority.ThreadNice.factory(Thread.ofPlatform().daemon().name("ringkv-large-value-retire").factory(),
                        config.largeValues().nice()));
        try {
            // Before any request: chunks that writes cut short by a crash left behind.
            long orphans = storage.recoverInterruptedWrites();
            if (orphans > 0) {
                log.info("node {}: deleted {} chunks of large-value writes a crash interrupted", config.id(), orphans);
            }
            FailureDetector detector = new FailureDetector(Clock.SYSTEM, 3, 3 * config.pingIntervalMillis());
            detector.onTransitions((peer, down, reason) -> {
                if (down) {
                    log.warn("node {}: peer {} taken for down ({})", config.id(), peer, reason);
                } else {
                    log.info("node {}: peer {} is up again ({})", config.id(), peer, reason);
                }
            });
            this.timer = new SystemTimer();
            this.handoff = new HintedHandoff(config.id(), storage, detector, Clock.SYSTEM, timer, config.hints(), catalog,
                    telemetry.handoff());
            LocalReplica replica = new LocalReplica(storage, config.keyspaces(), config.limits(), handoff.keeper());
            this.ring = new RingHolder();
            ring.onChange(r -> {
                try {
                    catalog.recordRingEpoch(r.epoch(), config.membership(), r.nodes().size(), r.vnodeCount());
                } catch (CatalogException e) {
                    // Statistics must never stop a ring from being installed.
                    log.warn("catalog: {}", e.getMessage());
                }
            });
            Node self = new Node(config.id(), config.advertise().toString(), config.rack(), NodeState.ACTIVE);
            // Records stored in chunks are read, checked and written on a few threads of lower CPU priority.
            this.largeValues = new LargeValueExecutor(config.largeValues());
            this.transport = new GrpcTransport(config.id(), replica,
                    id -> ring.ring().flatMap(r -> r.node(id)).map(Node::address), telemetry.grpcClientInterceptors(),
                    config.replicaChannel(), timer, largeValues);
            if (telemetry.tracingEnabled()) {
                // The replica channel carries no trace context: a replica call inside a sampled trace goes as a
                // unary RPC, whose interceptors propagate it; unsampled calls keep the channel, so tracing at a
                // low sampling ratio costs little.
                transport.unaryWhen(() -> io.opentelemetry.api.trace.Span.current().getSpanContext().isSampled());
            }
            HybridLogicalClock hlc = new HybridLogicalClock(Clock.SYSTEM.asInstantSource(), 60_000);
            CoordinatorSettings settings = new CoordinatorSettings(config.requestTimeoutMillis(),
                    config.readRepairChance(), true, 1);
            // Telemetry: replica call spans and latency by peer; timer tasks keep their request's trace.
            Coordinator coordinator = new Coordinator(config.id(), ring::require, config.keyspaces(), replica,
                    new TracingTransport(transport, telemetry), detector, Clock.SYSTEM,
                    telemetry.tracingEnabled() ? new ContextTimer(timer) : timer, hlc, settings, () -> ThreadLocalRandom.current().nextLong(),
                    config.limits(), handoff.sink());
            this.membership = config.membership().equals("consul")
                    ? ClusterMembership.ofConsul(
                            ConsulSettings.defaults(config.consul().host(), config.consul().port(), config.cluster()),
                            new Registration(config.id(), config.advertise().host(), config.advertise().port(),
                                    config.rack(), Map.of("backend", config.backend(), "version", VERSION)),
                            ring, new RingFormation.Settings(config.minNodes(), config.vnodes(), config.replicas()))
                    : ClusterMembership.ofStatic(new StaticMembership(self, config.seeds(), config.vnodes(),
                            config.replicas(), this::whoIs, ring, 500));
            this.pinger = new Pinger(transport, detector,
                    () -> ring.ring().map(r -> r.nodes().stream().map(Node::id).filter(id -> !id.equals(config.id())).toList())
                            .orElse(List.of()),
                    config.pingIntervalMillis(), Math.min(1_000, config.pingIntervalMillis()));
            // Background repair yields to the clients: it pauses on the p99 of the requests this node served lately.
            this.repair = new RepairService(config.id(), config.repair(), ring::ring, config.keyspaces(),
                    new LocalRepairPeer(config.id(), replica, config.keyspaces()),
                    id -> new GrpcRepairPeer(id, transport, ring::epoch, config.repair().rpcTimeoutMillis()), catalog,
                    Clock.SYSTEM, timer, Sleeper.SYSTEM, coordinator::recentRequestP99Micros, telemetry.repair());
            this.health = new HealthStatusManager();
            int maxMessage = config.limits().maxValueBytes() + MESSAGE_SLACK_BYTES;
            AdminGrpcService admin = new AdminGrpcService(self, ring, transport, detector, config.backend(), VERSION,
                    membership, handoff, repair);
            ReplicaGrpcService replicaService = new ReplicaGrpcService(replica, ring, config.id(),
                    StorageLimits.ABSOLUTE_MAX_VALUE_BYTES, repair.localPeer(), largeValues);
            this.replicaChannelService = new ReplicaChannelService(replicaService);
            KvGrpcService kv = new KvGrpcService(coordinator, ring, transport, config.limits().maxValueBytes(),
                    membership::status, telemetry, replica);
            this.kvChannelService = new KvChannelService(kv);
            // The channels' streams are not traced: their envelopes carry no trace context (a call inside a
            // sampled trace goes unary instead), and a server span per stream would be the current context of
            // every call the stream carries, so an unsampled trace's bookkeeping would run on each of them.
            List<io.grpc.ServerInterceptor> tracing = telemetry.grpcServerInterceptors();
            GrpcService grpc = GrpcService.builder()
                    .addService(io.grpc.ServerInterceptors.intercept(kv, tracing))
                    .addService(kvChannelService)
                    .addService(io.grpc.ServerInterceptors.intercept(replicaService, tracing))
                    .addService(replicaChannelService)
                    .addService(io.grpc.ServerInterceptors.intercept(admin, tracing))
                    .addService(ProtoReflectionServiceV1.newInstance())
                    .addService(health.getHealthService())
                    .maxRequestMessageLength(maxMessage)
                    .maxResponseMessageLength(maxMessage)
                    .enableUnframedRequests(true)
                    // Handlers run on the event loop and hand only blocking work (writes that wait for
                    // an fsync, the admin fan-out) to virtual threads: a read costs no thread hop.
                    .useBlockingTaskExecutor(false)
                    .build();
            HostPort listen = config.listen();
            this.server = Server.builder()
                    .port(new InetSocketAddress(listen.host(), listen.port()), SessionProtocol.HTTP)
                    // A whole HTTP request (a stream of chunks included) may be twice the largest value, so an
                    // oversized PutStream is refused by its own check, with a message, not by the HTTP layer.
                    .maxRequestLength(2L * maxMessage)
                    .requestTimeoutMillis(120_000)
                    .gracefulShutdownTimeoutMillis(0, 1_000)
                    .errorHandler(new ServiceFaultLog())
                    // One registry per node: several nodes may share a JVM (ringkv dev, tests).
                    .meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry())
                    .service(grpc)
                    .serviceUnder("/docs", new DocService())
                    .service("/metrics", (ctx, req) -> metricsResponse(ctx))
                    // 200 while the node serves a ring, even when Consul is unreachable (it says so).
                    .service("/healthz", (ctx, req) -> ring.ring().isPresent()
                            ? HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ok ring_epoch=" + ring.epoch()
                                    + " membership=" + config.membership() + " reachable=" + membership.reachable()
                                    + " leader=" + membership.isLeader() + "\n")
                            : HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8,
                                    "forming: " + membership.status() + "\n"))
                    .build();
            this.bulkServer = config.largeValues().bulkLane()
                    ? bulkServer(config, kv, replicaService, tracing, maxMessage) : null;
            if (bulkServer != null) {
                BulkLane lane = new BulkLane(config.largeValues().nice(), config.largeValues().bulkEventLoops(),
                        GrpcTransport.STREAM_THRESHOLD_BYTES * 4, telemetry.grpcClientInterceptors());
                transport.useBulkLane(lane);
                replicaService.advertiseBulkPort(lane::ownPort);
            }
            telemetry.metrics().registerStorage(storage::stats);
            telemetry.metrics().registerExpiredReplicaCalls(replicaService::expiredCalls);
        } catch (RuntimeException e) {
            storage.close();
            catalog.close();
            throw e;
        }
    }

    /**
     * The bulk lane's server: the KV and replica services again, on a port of their own whose event
     * loops run at the large-value nice value. Clients and peers send requests that carry large values
     * there, so copying, framing and parsing megabytes yields the CPU to the small requests of the
     * main port's event loops.
     */
    private Server bulkServer(NodeConfig config, KvGrpcService kv, ReplicaGrpcService replicaService,
                              List<io.grpc.ServerInterceptor> tracing, int maxMessage) {
        GrpcService grpc = GrpcService.builder()
                .addService(io.grpc.ServerInterceptors.intercept(kv, tracing))
                .addService(io.grpc.ServerInterceptors.intercept(replicaService, tracing))
                .maxRequestMessageLength(maxMessage)
                .maxResponseMessageLength(maxMessage)
                .useBlockingTaskExecutor(false)
                .build();
        HostPort listen = config.listen();
        return Server.builder()
                .port(new InetSocketAddress(listen.host(), config.largeValues().bulkPort()), SessionProtocol.HTTP)
                .workerGroup(EventLoopGroups.newEventLoopGroup(config.largeValues().bulkEventLoops(),
                        ThreadNice.factory(ThreadFactories.newEventLoopThreadFactory("ringkv-bulk-loop", true),
                                config.largeValues().nice())), true)
                .maxRequestLength(2L * maxMessage)
                .requestTimeoutMillis(120_000)
                .gracefulShutdownTimeoutMillis(0, 1_000)
                .errorHandler(new ServiceFaultLog())
                .meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry())
                .service(grpc)
                .decorator((delegate, ctx, req) -> {
                    (ctx.path().startsWith("/ringkv.v1.KV/") ? bulkKvCalls : bulkReplicaCalls).increment();
                    return delegate.serve(ctx, req);
                })
                .build();
    }

    /** Calls a node's bulk lane took: from clients (KV service) and from peers (replica service). */
    public record BulkLaneCalls(long kv, long replica) {
    }

    /** The calls this node's bulk lane took since it started (diagnostics). */
    public BulkLaneCalls bulkLaneCalls() {
        return new BulkLaneCalls(bulkKvCalls.sum(), bulkReplicaCalls.sum());
    }

    /** Prometheus text, collected off the event loop (gauges read storage statistics). */
    private HttpResponse metricsResponse(com.linecorp.armeria.server.ServiceRequestContext ctx) {
        if (!telemetry.prometheus().enabled()) {
            return HttpResponse.of(HttpStatus.NOT_FOUND, MediaType.PLAIN_TEXT_UTF_8,
                    "Prometheus metrics are off (otel_metrics_exporter)\n");
        }
        return HttpResponse.of(java.util.concurrent.CompletableFuture.supplyAsync(() -> HttpResponse.of(HttpStatus.OK,
                MediaType.parse(PrometheusText.CONTENT_TYPE), telemetry.prometheus().scrape()), ctx.blockingTaskExecutor()));
    }

    /** Starts a node and returns once it listens; the ring forms in the background as seeds answer. */
    public static NodeServer start(NodeConfig config) {
        Telemetry telemetry = Telemetry.start(config.telemetry(), "ringkv-node", config.id());
        try {
            return start(config, telemetry);
        } catch (RuntimeException e) {
            telemetry.close();
            throw e;
        }
    }

    /** Starts a node that reports through {@code telemetry}, which it closes when it stops. */
    public static NodeServer start(NodeConfig config, Telemetry telemetry) {
        NodeServer node = new NodeServer(config, telemetry);
        try {
            node.server.start().join();
            if (node.bulkServer != null) {
                node.bulkServer.start().join();
                node.transport.ownBulkPort(node.bulkServer.activeLocalPort());
            }
            node.membership.start();
            node.pinger.start();
            node.handoff.start(node.transport, node.ring::ring);
            node.repair.start();
            log.info("node {} listening on {} (bulk lane {}, backend {}, data {})", config.id(), config.listen(),
                    node.bulkServer == null ? "off" : "port " + node.bulkServer.activeLocalPort(), config.backend(),
                    config.dataDir().toAbsolutePath());
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private Optional<Node> whoIs(HostPort address) {
        io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
                .forTarget(address.toString()).usePlaintext().build();
        try {
            NodeInfo info = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
                    .getNodeInfo(GetNodeInfoRequest.getDefaultInstance());
            return Optional.of(new Node(info.getId(), info.getAddress(), info.getRack(), NodeState.ACTIVE));
        } catch (RuntimeException e) {
            return Optional.empty();
        } finally {
            channel.shutdownNow();
        }
    }

    /** The port of this node's bulk lane, or 0 when it has none (bulk_port: off) or has not started. */
    public int bulkPort() {
        return bulkServer == null || bulkServer.activePorts().isEmpty() ? 0 : bulkServer.activeLocalPort();
    }

    /** Connections open on this node's bulk lane: clients' and peers' connections for large values (diagnostics). */
    public int bulkLaneConnections() {
        return bulkServer == null ? 0 : bulkServer.numConnections();
    }

    public NodeConfig config() {
        return config;
    }

    public RingHolder ring() {
        return ring;
    }

    public ClusterMembership membership() {
        return membership;
    }

    public SystemCatalog catalog() {
        return catalog;
    }

    /** Blocks until the ring has formed or the timeout passes; returns whether it formed. */
    public boolean awaitRing(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (ring.ring().isEmpty()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Closes nodes in parallel (each waits for its server's graceful shutdown). */
    public static void closeAll(List<NodeServer> nodes) {
        List<Thread> threads = new java.util.ArrayList<>();
        for (NodeServer n : nodes) {
            threads.add(Thread.ofVirtual().start(n::close));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public RepairService repair() {
        return repair;
    }

    /** Clients' KV channel streams open on this node now (for tests). */
    int kvChannelStreams() {
        return kvChannelService.openStreams();
    }

    @Override
    public void close() {
        // Running repair sessions stop after their vnode and stay RUNNING in the catalog: the next start continues them.
        repair.close();
        pinger.close();
        membership.close();
        health.enterTerminalState();
        // Long-lived replica channel streams would hold the graceful shutdown open: end ours and theirs first.
        transport.closeReplicaChannels();
        replicaChannelService.close();
        kvChannelService.close();
        try {
            java.util.concurrent.CompletableFuture<Void> bulkStopped = bulkServer == null
                    ? java.util.concurrent.CompletableFuture.completedFuture(null) : bulkServer.stop();
            server.stop().get(10, TimeUnit.SECONDS);
            bulkStopped.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("server stop: {}", e.toString());
        }
        handoff.close();
        transport.close();
        largeValues.close();
        timer.close();
        storage.close();
        catalog.close();
        telemetry.close();
        log.info("node {} stopped", config.id());
    }

    private static EngineConfig engineConfig(NodeConfig config, String dir) {
        return engineConfig(config, config.dataDir().resolve(dir));
    }

    private static EngineConfig engineConfig(NodeConfig config, java.nio.file.Path dir) {
        return new EngineConfig(dir, config.sync(), config.syncDelayMillis(), config.engineOptions());
    }

    /**
     * The engine of large values' chunks: one of their own in {@code chunks_dir} (by default
     * {@code <data_dir>/chunks}), so small writes never share a log append or an fsync with them,
     * unless {@code data} already holds chunks (a directory written before the split), which then
     * keeps them. A persistent chunk store is paired with its data directory ({@link ChunkStorePairing}).
     */
    private static StorageEngine openChunkStore(NodeConfig config, StorageEngine data, io.ringkv.storage.SyncObserver syncs) {
        java.util.Map<String, io.ringkv.storage.NamespaceStats> namespaces = data.stats().namespaces();
        boolean dataHoldsChunks = namespaces.entrySet().stream()
                .anyMatch(e -> new Namespace(e.getKey()).isDerived() && (e.getValue().keys() > 0 || e.getValue().bytes() > 0));
        if (dataHoldsChunks && !java.nio.file.Files.isDirectory(config.chunksDir())) {
            log.info("node {}: large values' chunks stay in {} (written before chunks had an engine of their own)",
                    config.id(), config.dataDir().resolve("data"));
            if (!config.chunksDir().equals(config.dataDir().resolve("chunks"))) {
                log.warn("node {}: chunks_dir {} is not used: this node's chunks are in its data engine", config.id(),
                        config.chunksDir());
            }
            return data;
        }
        if (!config.backend().equals("memory")) {
            ChunkStorePairing.check(config.dataDir(), config.chunksDir(),
                    namespaces.values().stream().anyMatch(n -> n.keys() > 0 || n.bytes() > 0));
        }
        return StorageEngines.open(config.backend(), engineConfig(config, config.chunksDir()).withSyncObserver(syncs));
    }
}
