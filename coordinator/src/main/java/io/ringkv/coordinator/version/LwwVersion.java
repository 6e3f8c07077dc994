package io.ringkv.coordinator.version;

import java.util.Objects;

/**
 * The version of a write in a last-writer-wins keyspace: the coordinator's packed hybrid
 * logical clock reading, ties broken by the coordinator's node id so every replica picks the
 * same winner.
 *
 * <p>Encoded as {@code [format][hlc: 8 bytes big-endian][varint idLength][id UTF-8]}.
 */
public record LwwVersion(long hlc, String nodeId) implements Comparable<LwwVersion> {
    private static final int FORMAT_V1 = 1;
    private static final String WHAT = "LWW version";

    public LwwVersion {
        Codec.checkId(nodeId);
    }

    public HlcTimestamp timestamp() {
        return HlcTimestamp.unpack(hlc);
    }

    /** Orders by clock reading (unsigned), then by node id. */
    @Override
    public int compareTo(LwwVersion other) {
        int byClock = Long.compareUnsigned(hlc, other.hlc);
        return byClock != 0 ? byClock : nodeId.compareTo(other.nodeId);
    }

    public boolean isNewerThan(LwwVersion other) {
        return compareTo(other) > 0;
    }

    public byte[] encode() {
        byte[] id = Codec.idBytes(nodeId);
        return new Codec.Writer(1 + 8 + Codec.varintSize(id.length) + id.length)
                .put(FORMAT_V1).fixed64(hlc).lengthPrefixed(id).finish();
    }

    /** @throws IllegalArgumentException if {@code bytes} is not exactly one encoded version */
    public static LwwVersion decode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        Codec.Reader in = new Codec.Reader(bytes, 0, bytes.length, WHAT);
        int format = in.u8();
        if (format != FORMAT_V1) {
            throw in.corrupt("unknown format " + format);
        }
        long hlc = in.fixed64();
        String nodeId = in.id();
        in.expectEnd();
        return new LwwVersion(hlc, nodeId);
    }
}
