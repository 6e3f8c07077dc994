package io.ringkv.coordinator.cli;

import io.ringkv.client.GetResult;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.Versioned;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ringkv get KEY}: prints the value's bytes (exit 1 when absent), or JSON with {@code --json}. */
@Command(name = "get", mixinStandardHelpOptions = true, description = "Read a key. Exit code 1 when it is not found.")
final class GetCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;
    @Parameters(index = "0", description = "key")
    String key;
    @Option(names = "--consistency", description = "one, quorum, all or a number of replicas (default: the keyspace's R)")
    String consistency;
    @Option(names = "--json", description = "print JSON: key, found, values (value or value_base64, timestamp_millis), context, ring_epoch")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ReadOptions options = ReadOptions.defaults().withKeyspace(client.keyspace)
                .withConsistency(ClientOptions.level(consistency)).withR(ClientOptions.count(consistency));
        GetResult r;
        try (RingkvClient c = client.connect()) {
            r = c.get(key, options);
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("key", key);
            out.put("found", r.found());
            List<Map<String, Object>> values = new ArrayList<>();
            for (Versioned v : r.values()) {
                Map<String, Object> entry = Json.bytes(v.value());
                entry.put("timestamp_millis", v.timestampMillis());
                values.add(entry);
            }
            out.put("values", values);
            out.put("context", Base64.getEncoder().encodeToString(r.context()));
            out.put("ring_epoch", r.ringEpoch());
            System.out.println(Json.write(out));
            return r.found() ? 0 : 1;
        }
        if (!r.found()) {
            System.err.println("ringkv: key '" + key + "' not found");
            return 1;
        }
        if (r.hasSiblings()) {
            System.err.println("ringkv: " + r.values().size() + " concurrent values (siblings); printing each on its own line; "
                    + "merge them and put with --context " + Base64.getEncoder().encodeToString(r.context()));
        }
        for (Versioned v : r.values()) {
            System.out.write(v.value());
            System.out.println();
        }
        System.out.flush();
        return 0;
    }
}
