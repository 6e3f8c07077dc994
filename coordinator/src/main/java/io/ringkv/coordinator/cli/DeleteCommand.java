package io.ringkv.coordinator.cli;

import io.ringkv.client.DeleteOptions;
import io.ringkv.client.RingkvClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ringkv delete KEY}: writes a tombstone. */
@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a key (writes a tombstone).")
final class DeleteCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;
    @Parameters(index = "0", description = "key")
    String key;
    @Option(names = "--consistency", description = "one, quorum, all or a number of replicas (default: the keyspace's W)")
    String consistency;

    @Override
    public Integer call() {
        try (RingkvClient c = client.connect()) {
            c.delete(key, DeleteOptions.defaults().withKeyspace(client.keyspace)
                    .withConsistency(ClientOptions.level(consistency)).withW(ClientOptions.count(consistency)));
        }
        System.out.println("ok: deleted");
        return 0;
    }
}
