package io.ringkv.client;

import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.GetStreamResponse;
import io.ringkv.api.v1.Value;
import io.ringkv.api.v1.ValueChunk;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds a GetStream answer: a header with each sibling's size, then chunks in order. It checks
 * the stream against the header as it goes, so a truncated or overlong stream is an error and
 * never a silently wrong value. Single-threaded: gRPC delivers one stream's messages in order.
 */
final class StreamAssembler {
    /** The largest array the JVM reliably allocates. */
    static final long MAX_VALUE_BYTES = Integer.MAX_VALUE - 8;

    private final String node;
    private GetResponse header;
    private byte[][] values;
    private long[] timestamps;
    private int[] filled;

    StreamAssembler(String node) {
        this.node = node;
    }

    /** @throws ProtocolViolationException if the message does not fit the stream so far */
    void accept(GetStreamResponse message) {
        switch (message.getPartCase()) {
            case HEADER -> acceptHeader(message.getHeader());
            case CHUNK -> acceptChunk(message.getChunk());
            case PART_NOT_SET -> throw violation("stream message with neither header nor chunk");
        }
    }

    /** The reassembled result. @throws ProtocolViolationException if the stream fell short */
    GetResult finish() {
        if (header == null) {
            throw violation("stream ended without a header");
        }
        List<Versioned> result = new ArrayList<>(values.length);
        for (int i = 0; i < values.length; i++) {
            if (filled[i] != values[i].length) {
                throw violation("sibling " + i + ": header announced " + values[i].length
                        + " bytes, stream carried " + filled[i]);
            }
            result.add(new Versioned(values[i], timestamps[i]));
        }
        return new GetResult(header.getFound(), result, header.getContext().toByteArray(), header.getRingEpoch());
    }

    long ringEpoch() {
        return header == null ? 0 : header.getRingEpoch();
    }

    private void acceptHeader(GetResponse h) {
        if (header != null) {
            throw violation("second header in one stream");
        }
        int count = h.getValuesCount();
        values = new byte[count][];
        timestamps = new long[count];
        filled = new int[count];
        for (int i = 0; i < count; i++) {
            Value v = h.getValues(i);
            if (v.getSize() < 0 || v.getSize() > MAX_VALUE_BYTES) {
                throw violation("sibling " + i + " announces an impossible size " + v.getSize());
            }
            if (!v.getValue().isEmpty()) {
                throw violation("stream header carries value bytes for sibling " + i);
            }
            values[i] = new byte[(int) v.getSize()];
            timestamps[i] = v.getTimestampMillis();
        }
        header = h;
    }

    private void acceptChunk(ValueChunk chunk) {
        if (header == null) {
            throw violation("chunk before the header");
        }
        int sibling = chunk.getSibling();
        if (sibling < 0 || sibling >= values.length) {
            throw violation("chunk for sibling " + Integer.toUnsignedString(sibling) + " of " + values.length);
        }
        int length = chunk.getData().size();
        if ((long) filled[sibling] + length > values[sibling].length) {
            throw violation("sibling " + sibling + ": stream carries more than the announced "
                    + values[sibling].length + " bytes");
        }
        chunk.getData().copyTo(values[sibling], filled[sibling]);
        filled[sibling] += length;
    }

    private ProtocolViolationException violation(String message) {
        return new ProtocolViolationException("GetStream: " + message, node);
    }
}
