package io.ringkv.coordinator.repair;

/**
 * What a session repairs: one keyspace or all ({@code keyspace} null), and one vnode, every vnode
 * a node replicates, every vnode, or the vnodes the scheduler found due.
 */
public record RepairScope(String keyspace, Integer vnode, String node, boolean scheduled) {
    public RepairScope {
        if (keyspace != null && keyspace.isEmpty()) {
            keyspace = null;
        }
        if (node != null && node.isEmpty()) {
            node = null;
        }
        if (vnode != null && node != null) {
            throw new IllegalArgumentException("give a vnode or a node, not both");
        }
        if (scheduled && (vnode != null || node != null)) {
            throw new IllegalArgumentException("a scheduled repair covers the vnodes found due");
        }
    }

    public static RepairScope all(String keyspace) {
        return new RepairScope(keyspace, null, null, false);
    }

    public static RepairScope ofVnode(String keyspace, int vnode) {
        return new RepairScope(keyspace, vnode, null, false);
    }

    public static RepairScope ofNode(String keyspace, String node) {
        return new RepairScope(keyspace, null, node, false);
    }

    public static RepairScope background() {
        return new RepairScope(null, null, null, true);
    }

    /** {@code background} for a scheduled session, {@code on_demand} otherwise: how telemetry tells them apart. */
    public String kind() {
        return scheduled ? "background" : "on_demand";
    }

    /** The catalog's form: {@code all}, {@code vnode:<v>}, {@code node:<id>} or {@code scheduled}. */
    public String describe() {
        return scheduled ? "scheduled" : vnode != null ? "vnode:" + vnode : node != null ? "node:" + node : "all";
    }

    /** The inverse of {@link #describe()}. */
    public static RepairScope parse(String scope, String keyspace) {
        if (scope.equals("scheduled")) {
            return new RepairScope(keyspace, null, null, true);
        }
        if (scope.startsWith("vnode:")) {
            return ofVnode(keyspace, Integer.parseInt(scope.substring("vnode:".length())));
        }
        if (scope.startsWith("node:")) {
            return ofNode(keyspace, scope.substring("node:".length()));
        }
        if (scope.equals("all")) {
            return all(keyspace);
        }
        throw new IllegalArgumentException("unknown repair scope '" + scope + "'");
    }
}
