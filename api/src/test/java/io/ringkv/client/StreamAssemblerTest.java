package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.GetStreamResponse;
import io.ringkv.api.v1.Value;
import io.ringkv.api.v1.ValueChunk;
import org.junit.jupiter.api.Test;

class StreamAssemblerTest {
    private static GetStreamResponse header(long... sizes) {
        GetResponse.Builder h = GetResponse.newBuilder().setFound(true).setRingEpoch(3)
                .setContext(ByteString.copyFromUtf8("ctx"));
        for (int i = 0; i < sizes.length; i++) {
            h.addValues(Value.newBuilder().setSize(sizes[i]).setTimestampMillis(100 + i));
        }
        return GetStreamResponse.newBuilder().setHeader(h).build();
    }

    private static GetStreamResponse chunk(int sibling, String data) {
        return GetStreamResponse.newBuilder()
                .setChunk(ValueChunk.newBuilder().setSibling(sibling).setData(ByteString.copyFromUtf8(data))).build();
    }

    @Test
    void reassemblesInterleavedSiblings() {
        StreamAssembler a = new StreamAssembler("n");
        a.accept(header(5, 3, 0));
        a.accept(chunk(0, "hel"));
        a.accept(chunk(1, "ab"));
        a.accept(chunk(0, "lo"));
        a.accept(chunk(1, "c"));
        GetResult result = a.finish();
        assertThat(result.found()).isTrue();
        assertThat(result.ringEpoch()).isEqualTo(3);
        assertThat(result.context()).isEqualTo("ctx".getBytes());
        assertThat(result.values()).extracting(v -> new String(v.value())).containsExactly("hello", "abc", "");
        assertThat(result.values()).extracting(Versioned::timestampMillis).containsExactly(100L, 101L, 102L);
    }

    @Test
    void anEmptyStreamForAMissingKeyIsNotFound() {
        StreamAssembler a = new StreamAssembler("n");
        a.accept(GetStreamResponse.newBuilder().setHeader(GetResponse.newBuilder().setRingEpoch(1)).build());
        assertThat(a.finish().found()).isFalse();
    }

    @Test
    void rejectsStreamsThatDisagreeWithTheirHeader() {
        StreamAssembler shortStream = new StreamAssembler("n");
        shortStream.accept(header(5));
        shortStream.accept(chunk(0, "abc"));
        assertThatThrownBy(shortStream::finish).isInstanceOf(ProtocolViolationException.class)
                .hasMessageContaining("sibling 0: header announced 5 bytes, stream carried 3");

        StreamAssembler longStream = new StreamAssembler("n");
        longStream.accept(header(2));
        assertThatThrownBy(() -> longStream.accept(chunk(0, "abc"))).hasMessageContaining("more than the announced 2");

        StreamAssembler noHeader = new StreamAssembler("n");
        assertThatThrownBy(() -> noHeader.accept(chunk(0, "a"))).hasMessageContaining("chunk before the header");
        assertThatThrownBy(noHeader::finish).hasMessageContaining("without a header");

        StreamAssembler badSibling = new StreamAssembler("n");
        badSibling.accept(header(1));
        assertThatThrownBy(() -> badSibling.accept(chunk(1, "a"))).hasMessageContaining("sibling 1 of 1");
        assertThatThrownBy(() -> badSibling.accept(header(1))).hasMessageContaining("second header");

        assertThatThrownBy(() -> new StreamAssembler("n").accept(header(-1))).hasMessageContaining("impossible size");
    }
}
