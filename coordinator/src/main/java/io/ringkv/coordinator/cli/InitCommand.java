package io.ringkv.coordinator.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.InitRingRequest;
import io.ringkv.api.v1.InitRingResponse;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ringkv init}: the leader forms the first ring now from the registered nodes (Consul membership). */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Form the first ring now from the nodes registered in Consul, even below min_nodes.")
final class InitCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        ManagedChannel channel = NettyChannelBuilder.forTarget(client.endpoint).usePlaintext().build();
        InitRingResponse r;
        try {
            r = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(client.timeoutMillis, TimeUnit.MILLISECONDS)
                    .initRing(InitRingRequest.getDefaultInstance());
        } catch (io.grpc.StatusRuntimeException e) {
            throw new IllegalStateException("cannot reach " + client.endpoint + ": " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()));
        } finally {
            channel.shutdownNow();
        }
        System.out.println(r.getOutcome() + ": " + r.getDetail());
        return r.getOutcome().equals("published") ? 0 : 1;
    }
}
