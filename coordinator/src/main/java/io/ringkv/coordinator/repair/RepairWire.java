package io.ringkv.coordinator.repair;

import com.google.protobuf.UnsafeByteOperations;
import io.ringkv.api.v1.RepairKeyDigest;
import io.ringkv.api.v1.RepairTreeSpec;

/** Conversions between repair values and their {@code ringkv.v1} messages, for both ends of the wire. */
public final class RepairWire {
    /** Digests per streamed page: at most about half a MiB with the longest keys. */
    public static final int DIGESTS_PER_PAGE = 512;

    private RepairWire() {
    }

    public static RepairTreeSpec spec(TreeSpec s) {
        return RepairTreeSpec.newBuilder().setKeyspace(s.keyspace()).setVnode(s.vnode()).setVnodeCount(s.vnodeCount())
                .setDepth(s.depth()).build();
    }

    /** @throws IllegalArgumentException for a spec no tree can have */
    public static TreeSpec spec(RepairTreeSpec s) {
        return new TreeSpec(s.getKeyspace(), s.getVnode(), s.getVnodeCount(), s.getDepth());
    }

    public static RepairKeyDigest digest(KeyDigest d) {
        return RepairKeyDigest.newBuilder().setStoredKey(UnsafeByteOperations.unsafeWrap(d.storedKey()))
                .setVersionDigest(d.versionDigest()).setTombstone(d.tombstone()).setWriteTimeMillis(d.writeTimeMillis())
                .build();
    }

    public static KeyDigest digest(RepairKeyDigest d) {
        return new KeyDigest(d.getStoredKey().toByteArray(), d.getVersionDigest(), d.getTombstone(),
                d.getWriteTimeMillis());
    }
}
