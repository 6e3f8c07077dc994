package io.ringkv.coordinator.cli;

import io.ringkv.client.PutOptions;
import io.ringkv.client.PutResult;
import io.ringkv.client.RingkvClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ringkv put KEY [VALUE]}: the value from the argument, {@code --file}, or standard input. */
@Command(name = "put", mixinStandardHelpOptions = true, description = "Write a value (from VALUE, --file, or stdin when VALUE is - or absent).")
final class PutCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;
    @Parameters(index = "0", description = "key")
    String key;
    @Parameters(index = "1", arity = "0..1", description = "value (UTF-8); - or absent reads stdin")
    String value;
    @Option(names = "--file", description = "read the value from this file")
    Path file;
    @Option(names = "--consistency", description = "one, quorum, all or a number of replicas (default: the keyspace's W)")
    String consistency;
    @Option(names = "--context", description = "causal context (base64) from an earlier get, for causal keyspaces")
    String context;

    @Override
    public Integer call() throws Exception {
        byte[] bytes;
        if (file != null) {
            if (value != null) {
                throw new IllegalArgumentException("give the value as an argument or with --file, not both");
            }
            bytes = Files.readAllBytes(file);
        } else if (value == null || value.equals("-")) {
            bytes = System.in.readAllBytes();
        } else {
            bytes = value.getBytes(StandardCharsets.UTF_8);
        }
        PutOptions options = PutOptions.defaults().withKeyspace(client.keyspace)
                .withConsistency(ClientOptions.level(consistency)).withW(ClientOptions.count(consistency));
        if (context != null) {
            options = options.withContext(Base64.getDecoder().decode(context));
        }
        try (RingkvClient c = client.connect()) {
            PutResult r = c.put(key, bytes, options);
            System.out.println("ok: " + bytes.length + " bytes, timestamp " + r.timestampMillis() + ", ring epoch "
                    + r.ringEpoch());
        }
        return 0;
    }
}
