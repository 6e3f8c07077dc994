package io.ringkv.coordinator.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.ListRepairsRequest;
import io.ringkv.api.v1.RepairSessionInfo;
import io.ringkv.api.v1.StartRepairRequest;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ringkv repair}: starts an anti-entropy session on the endpoint node, and with --wait follows it to its end. */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = "Repair replicas with Merkle-tree anti-entropy: every vnode, one vnode, or every vnode a node replicates.")
final class RepairCommand implements Callable<Integer> {
    /** How often --wait asks for the session's progress. */
    static final long POLL_MILLIS = 500;

    @Mixin
    ClientOptions client;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--vnode", description = "repair only this vnode")
    Integer vnode;
    @Option(names = "--node", description = "repair every vnode this node replicates (restores a node restarted empty)")
    String node;
    @Option(names = "--wait", description = "wait until the session ends; exit 1 unless it ends DONE")
    boolean wait;
    @Option(names = "--json", description = "print the session as JSON (see ringkv repairs --json)")
    boolean json;

    @Override
    public Integer call() {
        if (vnode != null && node != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --vnode or --node, not both");
        }
        if (vnode != null && vnode < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--vnode must be >= 0, was " + vnode);
        }
        // --keyspace left out means every keyspace here, not the client default.
        boolean keyspaceGiven = spec.commandLine().getParseResult().hasMatchedOption("--keyspace");
        StartRepairRequest.Builder req = StartRepairRequest.newBuilder().setKeyspace(keyspaceGiven ? client.keyspace : "");
        if (vnode != null) {
            req.setVnode(vnode);
        }
        if (node != null) {
            req.setNode(node);
        }
        ManagedChannel channel = NettyChannelBuilder.forTarget(client.endpoint).usePlaintext().build();
        try {
            RepairSessionInfo session;
            try {
                session = stub(channel).startRepair(req.build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                    throw new CommandLine.ParameterException(spec.commandLine(), e.getStatus().getDescription());
                }
                throw RepairsCommand.unreachable(client.endpoint, e);
            }
            if (!json) {
                System.out.println("repair session " + session.getSessionId() + " started: " + session.getScope()
                        + ", " + session.getVnodesTotal() + " vnodes");
            }
            while (wait && session.getState().equals("RUNNING")) {
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
                try {
                    List<RepairSessionInfo> found = stub(channel).listRepairs(ListRepairsRequest.newBuilder()
                            .setSessionId(session.getSessionId()).build()).getSessionsList();
                    if (!found.isEmpty()) {
                        session = found.getFirst();
                    }
                } catch (StatusRuntimeException e) {
                    throw RepairsCommand.unreachable(client.endpoint, e);
                }
                if (!json) {
                    System.out.printf("  %d/%d vnodes, %d keys compared, %d streamed%n", session.getVnodesDone(),
                            session.getVnodesTotal(), session.getKeysCompared(), session.getKeysStreamed());
                }
            }
            if (json) {
                System.out.println(Json.write(RepairsCommand.toMap(session)));
            } else if (wait) {
                System.out.println(RepairsCommand.line(session));
            }
            return !wait || session.getState().equals("DONE") ? 0 : 1;
        } finally {
            channel.shutdownNow();
        }
    }

    private AdminGrpc.AdminBlockingStub stub(ManagedChannel channel) {
        return AdminGrpc.newBlockingStub(channel).withDeadlineAfter(client.timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
