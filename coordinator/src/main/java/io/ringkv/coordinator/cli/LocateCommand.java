package io.ringkv.coordinator.cli;

import io.ringkv.client.Location;
import io.ringkv.client.RingSnapshot;
import io.ringkv.client.RingkvClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ringkv locate KEY}: the key's token, vnode and replicas on the current ring. */
@Command(name = "locate", mixinStandardHelpOptions = true, description = "Show a key's token, vnode and replicas.")
final class LocateCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;
    @Parameters(index = "0", description = "key")
    String key;
    @Option(names = "--json", description = "print JSON: key, token, vnode, replicas [{id, address, rack}], ring_epoch")
    boolean json;

    @Override
    public Integer call() {
        Location l;
        try (RingkvClient c = client.connect()) {
            l = c.locate(key);
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("key", key);
            out.put("token", Long.toUnsignedString(l.token()));
            out.put("vnode", l.vnode());
            out.put("replicas", l.replicas().stream().map(LocateCommand::node).toList());
            out.put("ring_epoch", l.ringEpoch());
            System.out.println(Json.write(out));
        } else {
            System.out.println("key " + key + ": token " + Long.toUnsignedString(l.token()) + ", vnode " + l.vnode()
                    + " (ring epoch " + l.ringEpoch() + ")");
            for (int i = 0; i < l.replicas().size(); i++) {
                RingSnapshot.Node n = l.replicas().get(i);
                System.out.println("  " + (i + 1) + ". " + n.id() + "  " + n.address() + "  " + n.rack());
            }
        }
        return 0;
    }

    static Map<String, Object> node(RingSnapshot.Node n) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", n.id());
        out.put("address", n.address());
        out.put("rack", n.rack());
        out.put("state", n.state().name().toLowerCase(java.util.Locale.ROOT));
        out.put("bulk_port", n.bulkPort());
        return out;
    }
}
