package io.ringkv.coordinator.membership;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this node registers about itself: its id (the Consul service id), where its server listens,
 * its rack, and further metadata for other nodes and operators (ports, storage backend, version).
 * {@code rack} and {@code cluster} are added to the metadata by the membership; callers may not set them.
 *
 * @param meta at most 60 entries; keys 1-128 letters, digits, '_' or '-'; values up to 512 characters
 *     (Consul's limits)
 */
public record Registration(String nodeId, String host, int port, String rack, Map<String, String> meta) {

    /** Metadata keys the membership sets itself. */
    public static final String RACK = "rack";
    public static final String CLUSTER = "cluster";

    public Registration {
        if (nodeId == null || !nodeId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw new IllegalArgumentException("node id '" + nodeId + "' must be 1-63 letters, digits, '_', '.', '-'");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("registered host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("registered port must be 1..65535, got " + port);
        }
        if (rack == null || rack.isBlank() || rack.length() > 512) {
            throw new IllegalArgumentException("rack must be 1-512 characters, got '" + rack + "'");
        }
        if (meta.size() > 60) {
            throw new IllegalArgumentException("at most 60 metadata entries, got " + meta.size());
        }
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (!e.getKey().matches("[A-Za-z0-9_-]{1,128}")) {
                throw new IllegalArgumentException("metadata key '" + e.getKey()
                        + "' must be 1-128 letters, digits, '_', '-'");
            }
            if (e.getKey().equals(RACK) || e.getKey().equals(CLUSTER)) {
                throw new IllegalArgumentException("metadata key '" + e.getKey() + "' is set by the membership itself");
            }
            if (e.getValue() == null || e.getValue().length() > 512) {
                throw new IllegalArgumentException("metadata '" + e.getKey()
                        + "' must have a value of at most 512 characters");
            }
        }
        meta = Map.copyOf(meta);
    }

    /** The metadata as registered: the caller's entries plus rack and cluster. */
    Map<String, String> registeredMeta(String cluster) {
        Map<String, String> all = new LinkedHashMap<>(meta);
        all.put(RACK, rack);
        all.put(CLUSTER, cluster);
        return all;
    }
}
