package io.ringkv.coordinator.membership;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.NodeState;
import io.ringkv.coordinator.ring.Ring;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The ring as the value of the Consul key {@code ringkv/<cluster>/ring}: a small JSON document an
 * operator can read with {@code consul kv get}, with the replica table packed as base64.
 *
 * <pre>{"format":1,"epoch":7,"vnodeCount":1024,"replicationFactor":3,"replicasPerVnode":3,
 *  "nodes":[{"id":"n1","address":"10.0.0.1:7000","rack":"r1","state":"ACTIVE"},...],
 *  "indexBytes":1,"replicas":"AAECAQID..."}</pre>
 *
 * {@code replicas} is the vnode-major table of indexes into {@code nodes} ({@link Ring#replicaIndexes}
 * of vnode 0, then vnode 1, ...), each index {@code indexBytes} wide (1 up to 256 nodes, else 2,
 * big-endian). The epoch is inside the value, so every new ring is a new value: Consul does not bump
 * a key's ModifyIndex for an identical write, and watchers would not wake. The text is pure ASCII
 * (anything else is \\u-escaped). Q = 65536 with N = 3 encodes to about 260 KB, under Consul's
 * 512 KiB value limit; larger rings are refused by {@link #encode}.
 */
public final class RingCodec {

    /** Version of this layout; {@link #decode} refuses any other. */
    public static final int FORMAT = 1;

    /** Consul's default limit on a KV value (kv_max_value_size). */
    public static final int MAX_ENCODED_BYTES = 512 * 1024;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    record WireNode(String id, String address, String rack, String state) {
    }

    record Wire(int format, long epoch, int vnodeCount, int replicationFactor, int replicasPerVnode,
                List<WireNode> nodes, int indexBytes, String replicas) {
    }

    private RingCodec() {
    }

    /**
     * The ring as a KV value.
     *
     * @throws IllegalArgumentException if the encoded ring would exceed {@link #MAX_ENCODED_BYTES}
     */
    public static String encode(Ring ring) {
        List<Node> nodes = ring.nodes();
        int width = nodes.size() <= 256 ? 1 : 2;
        int perVnode = ring.replicasPerVnode();
        byte[] table = new byte[ring.vnodeCount() * perVnode * width];
        int at = 0;
        for (int v = 0; v < ring.vnodeCount(); v++) {
            for (int i = 0; i < perVnode; i++) {
                int index = ring.replicaIndex(v, i);
                if (width == 2) {
                    table[at++] = (byte) (index >>> 8);
                }
                table[at++] = (byte) index;
            }
        }
        List<WireNode> wireNodes = nodes.stream()
                .map(n -> new WireNode(n.id(), n.address(), n.rack(), n.state().name()))
                .toList();
        Wire wire = new Wire(FORMAT, ring.epoch(), ring.vnodeCount(), ring.replicationFactor(), perVnode, wireNodes,
                width, Base64.getEncoder().encodeToString(table));
        String text;
        try {
            text = JSON.writeValueAsString(wire);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not encode " + ring, e);
        }
        if (text.length() > MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException(ring + " encodes to " + text.length() + " bytes, more than Consul's "
                    + MAX_ENCODED_BYTES + "-byte value limit");
        }
        return text;
    }

    /**
     * The ring a KV value holds, validated by {@link Ring#of}.
     *
     * @throws IllegalArgumentException if the text is not a ring of {@link #FORMAT}, saying what is wrong
     */
    public static Ring decode(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("ring value is empty");
        }
        Wire wire;
        try {
            wire = JSON.readValue(text, Wire.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("ring value is not JSON of the expected shape: "
                    + e.getOriginalMessage(), e);
        }
        if (wire == null || wire.format() != FORMAT) {
            throw new IllegalArgumentException("ring value has format " + (wire == null ? "none" : wire.format())
                    + ", this node reads format " + FORMAT);
        }
        int vnodes = wire.vnodeCount();
        if (vnodes < 1 || vnodes > Ring.MAX_VNODE_COUNT || Integer.bitCount(vnodes) != 1) {
            throw new IllegalArgumentException("ring value has vnodeCount " + vnodes);
        }
        int perVnode = wire.replicasPerVnode();
        if (perVnode < 0 || perVnode > Ring.MAX_REPLICATION_FACTOR) {
            throw new IllegalArgumentException("ring value has replicasPerVnode " + perVnode);
        }
        if (wire.nodes() == null || wire.replicas() == null) {
            throw new IllegalArgumentException("ring value lacks " + (wire.nodes() == null ? "nodes" : "replicas"));
        }
        int width = wire.indexBytes();
        if (width != 1 && width != 2) {
            throw new IllegalArgumentException("ring value has indexBytes " + width + ", expected 1 or 2");
        }
        List<Node> nodes = new ArrayList<>(wire.nodes().size());
        for (WireNode n : wire.nodes()) {
            if (n == null || n.state() == null) {
                throw new IllegalArgumentException("ring value has a node without a state");
            }
            NodeState state;
            try {
                state = NodeState.valueOf(n.state());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ring value has node " + n.id() + " in unknown state " + n.state());
            }
            nodes.add(new Node(n.id(), n.address(), n.rack(), state));
        }
        byte[] table;
        try {
            table = Base64.getDecoder().decode(wire.replicas().getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ring value's replicas are not base64: " + e.getMessage());
        }
        if (table.length != vnodes * perVnode * width) {
            throw new IllegalArgumentException("ring value's replica table has " + table.length + " bytes, expected "
                    + vnodes + " vnodes x " + perVnode + " replicas x " + width + " bytes");
        }
        int[][] assignments = new int[vnodes][perVnode];
        int at = 0;
        for (int v = 0; v < vnodes; v++) {
            for (int i = 0; i < perVnode; i++) {
                int index = table[at++] & 0xff;
                if (width == 2) {
                    index = (index << 8) | (table[at++] & 0xff);
                }
                assignments[v][i] = index;
            }
        }
        return Ring.of(wire.epoch(), vnodes, wire.replicationFactor(), nodes, assignments);
    }
}
