package io.ringkv.coordinator.server;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Collects a client-streamed upload: exactly one header message, first, then chunks in order, up
 * to {@code maxBytes}; then hands header and bytes to {@code onDone}. A malformed or oversized
 * stream fails the call with INVALID_ARGUMENT and the rest of it is ignored. Chunks are joined as
 * a rope, so the bytes are copied once, by whoever reads them.
 *
 * @param <M> the stream's message type
 * @param <H> its header type
 */
final class ChunkedUpload<M, H> implements StreamObserver<M> {
    private final String call;
    private final Function<M, H> headerOf;
    private final Function<M, ByteString> chunkOf;
    private final Function<H, String> headerProblem;
    private final long maxBytes;
    private final StreamObserver<?> out;
    private final BiConsumer<H, ByteString> onDone;
    private H header;
    private ByteString bytes = ByteString.EMPTY;
    private boolean failed;

    /**
     * @param headerOf      the header of a message, or null when the message is a chunk
     * @param headerProblem why a header is unacceptable, or null when it is fine
     */
    ChunkedUpload(String call, Function<M, H> headerOf, Function<M, ByteString> chunkOf, Function<H, String> headerProblem,
                  long maxBytes, StreamObserver<?> out, BiConsumer<H, ByteString> onDone) {
        this.call = call;
        this.headerOf = headerOf;
        this.chunkOf = chunkOf;
        this.headerProblem = headerProblem;
        this.maxBytes = maxBytes;
        this.out = out;
        this.onDone = onDone;
    }

    @Override
    public void onNext(M message) {
        if (failed) {
            return;
        }
        H h = headerOf.apply(message);
        if (h != null) {
            String problem = header != null ? call + " takes one header, first" : headerProblem.apply(h);
            if (problem != null) {
                fail(problem);
                return;
            }
            header = h;
        } else if (header == null) {
            fail(call + " must start with a header");
        } else {
            ByteString chunk = chunkOf.apply(message);
            if ((long) bytes.size() + chunk.size() > maxBytes) {
                fail(call + " carried more than the limit of " + maxBytes + " bytes");
            } else {
                bytes = bytes.concat(chunk);
            }
        }
    }

    private void fail(String reason) {
        failed = true;
        out.onError(Status.INVALID_ARGUMENT.withDescription(reason).asRuntimeException());
    }

    @Override
    public void onError(Throwable t) {
        failed = true;
    }

    @Override
    public void onCompleted() {
        if (failed) {
            return;
        }
        if (header == null) {
            fail(call + " carried no header");
            return;
        }
        onDone.accept(header, bytes);
    }
}
