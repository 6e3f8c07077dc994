package io.ringkv.client;

import java.util.List;
import java.util.Objects;

/** Where a key lives in one ring epoch: its token, its vnode and the vnode's replicas, primary first. */
public record Location(String key, long token, int vnode, List<RingSnapshot.Node> replicas, long ringEpoch) {
    public Location {
        Objects.requireNonNull(key, "key");
        replicas = List.copyOf(replicas);
    }
}
