package io.ringkv.coordinator.transport;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.common.util.ThreadFactories;
import io.grpc.ClientInterceptor;
import io.ringkv.api.v1.ReplicaGrpc;
import io.ringkv.priority.ThreadNice;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The node-to-node side of the bulk lane: replica calls that carry large records go to a peer's
 * bulk port, whose event loops run at a lower CPU priority, from client event loops of their own at
 * the same priority. The megabytes of a large record are then copied, framed and parsed on threads
 * that yield the CPU to small requests at both ends. A peer's bulk port is learned from its ping
 * replies; until then, and after a bulk call failed, its calls take the peer's main port.
 */
public final class BulkLane implements AutoCloseable {
    private final int nice;
    private final int eventLoops;
    private final int maxMessageBytes;
    private final List<ClientInterceptor> interceptors;
    private final Map<String, Integer> ports = new ConcurrentHashMap<>();
    private final Map<String, ReplicaGrpc.ReplicaStub> stubs = new ConcurrentHashMap<>();
    private volatile int ownPort;
    private ClientFactory factory; // guarded by this; created on the first bulk call
    private boolean closed; // guarded by this

    /**
     * @param nice       the nice value of the client event loops (0..19)
     * @param eventLoops how many client event loops
     */
    public BulkLane(int nice, int eventLoops, int maxMessageBytes, List<ClientInterceptor> interceptors) {
        if (nice < 0 || nice > 19) {
            throw new IllegalArgumentException("nice must be in [0, 19], was " + nice);
        }
        if (eventLoops < 1) {
            throw new IllegalArgumentException("eventLoops must be positive, was " + eventLoops);
        }
        this.nice = nice;
        this.eventLoops = eventLoops;
        this.maxMessageBytes = maxMessageBytes;
        this.interceptors = List.copyOf(interceptors);
    }

    /** This node's bulk port, once its bulk server listens; 0 before. */
    public int ownPort() {
        return ownPort;
    }

    public void ownPort(int port) {
        this.ownPort = port;
    }

    /** Records the bulk port a peer's ping reply named (0: it has none). */
    public void learn(String nodeId, int port) {
        if (port > 0) {
            ports.put(nodeId, port);
        } else {
            ports.remove(nodeId);
        }
    }

    /** Forgets a peer's bulk port after a bulk call to it failed: its next calls go to its main port until a ping names the port again. */
    public void forget(String nodeId) {
        ports.remove(nodeId);
    }

    /** The peer's bulk port as last learned, or 0. */
    public int portOf(String nodeId) {
        return ports.getOrDefault(nodeId, 0);
    }

    /** A replica stub to the peer's bulk port at the host of {@code address}, or empty when the port is not known. */
    Optional<ReplicaGrpc.ReplicaStub> stub(String nodeId, String address, long timeoutMillis) {
        int port = portOf(nodeId);
        if (port == 0) {
            return Optional.empty();
        }
        String target = withPort(address, port);
        ReplicaGrpc.ReplicaStub stub = stubs.get(target);
        if (stub == null) {
            ClientFactory f = factory();
            if (f == null) {
                return Optional.empty();
            }
            stub = stubs.computeIfAbsent(target, t -> GrpcClients.builder("h2c://" + t)
                    .factory(f)
                    .maxResponseMessageLength(maxMessageBytes)
                    .maxRequestMessageLength(maxMessageBytes)
                    // No cap on a call's whole response: Armeria's default (10 MiB) failed every streamed
                    // read of a larger record with RESOURCE_EXHAUSTED. Each message is capped above, and a
                    // stream carries one record, which the peer's value limit bounds.
                    .maxResponseLength(0)
                    // A cap for calls without a deadline; every replica call sets its own, shorter one.
                    .responseTimeoutMillis(60_000)
                    .intercept(interceptors)
                    .build(ReplicaGrpc.ReplicaStub.class));
        }
        return Optional.of(stub.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS));
    }

    /** {@code host:port} with the host of {@code address} (a {@code host:port}, IPv6 hosts in brackets). */
    static String withPort(String address, int port) {
        int colon = address.lastIndexOf(':');
        return (colon < 0 ? address : address.substring(0, colon)) + ":" + port;
    }

    private synchronized ClientFactory factory() {
        if (closed) {
            return null;
        }
        if (factory == null) {
            factory = ClientFactory.builder()
                    .workerGroup(EventLoopGroups.newEventLoopGroup(eventLoops,
                            ThreadNice.factory(ThreadFactories.newEventLoopThreadFactory("ringkv-bulk-client", true), nice)), true)
                    .build();
        }
        return factory;
    }

    @Override
    public void close() {
        ClientFactory f;
        synchronized (this) {
            closed = true;
            f = factory;
            factory = null;
        }
        stubs.clear();
        if (f != null) {
            f.closeAsync();
        }
    }
}
