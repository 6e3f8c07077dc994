package io.ringkv.storage.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecordCodecTest {
    private static final long SEED = 20261204L;

    @Test
    void roundTripsValuesTombstonesAndBothKinds() {
        Random random = new Random(SEED);
        for (int size : new int[] {0, 1, 127, 128, 16_383, 16_384, 70_000}) {
            byte[] value = new byte[size];
            random.nextBytes(value);
            byte[] version = new byte[random.nextInt(40)];
            random.nextBytes(version);
            for (VersionKind kind : VersionKind.values()) {
                Record r = Record.value(kind, version, random.nextLong(), value);
                assertThat(RecordCodec.decode(RecordCodec.encode(r))).isEqualTo(r);
                assertThat(RecordCodec.version(RecordCodec.encode(r))).isEqualTo(version);
            }
        }
        Record tomb = Record.tombstone(VersionKind.LWW, new byte[] {1, 2, 3}, 42);
        Record back = RecordCodec.decode(RecordCodec.encode(tomb));
        assertThat(back.tombstone()).isTrue();
        assertThat(back).isEqualTo(tomb);
    }

    @Test
    void aRecordInPiecesDecodesAsTheWholeDoesWhereverItIsCut() {
        Random random = new Random(SEED + 1);
        for (int round = 0; round < 300; round++) {
            byte[] value = new byte[random.nextInt(4) == 0 ? random.nextInt(300_000) : random.nextInt(200)];
            random.nextBytes(value);
            byte[] version = new byte[random.nextInt(300)];
            random.nextBytes(version);
            Record r = random.nextInt(10) == 0 ? Record.tombstone(VersionKind.CAUSAL, version, round)
                    : Record.value(random.nextBoolean() ? VersionKind.LWW : VersionKind.CAUSAL, version, random.nextLong(), value);
            byte[] encoded = RecordCodec.encode(r);
            List<ByteBuffer> pieces = cut(encoded, random);
            assertThat(RecordCodec.decode(pieces)).as("round %d, %d pieces", round, pieces.size()).isEqualTo(r);
            assertThat(pieces.stream().mapToInt(ByteBuffer::remaining).sum()).as("positions left alone").isEqualTo(encoded.length);
        }
    }

    @Test
    void aRecordInPiecesIsCheckedAsTheWholeIs() {
        Random random = new Random(SEED + 2);
        byte[] encoded = RecordCodec.encode(Record.value(VersionKind.CAUSAL, new byte[] {1, 2, 3, 4}, 99, "value bytes".getBytes()));
        for (int len = 0; len < encoded.length; len++) {
            List<ByteBuffer> pieces = cut(Arrays.copyOf(encoded, len), random);
            assertThatThrownBy(() -> RecordCodec.decode(pieces)).as("truncated to %d bytes", len)
                    .isInstanceOf(CorruptRecordException.class);
        }
        for (int bit = 0; bit < encoded.length * 8; bit++) {
            byte[] garbled = encoded.clone();
            garbled[bit / 8] ^= (byte) (1 << (bit % 8));
            List<ByteBuffer> pieces = cut(garbled, random);
            String expected = catchMessage(() -> RecordCodec.decode(garbled));
            assertThatThrownBy(() -> RecordCodec.decode(pieces)).as("bit %d flipped", bit)
                    .isInstanceOf(CorruptRecordException.class).hasMessage(expected);
        }
        assertThatThrownBy(() -> RecordCodec.decode(cut(Arrays.copyOf(encoded, encoded.length + 3), random)))
                .isInstanceOf(CorruptRecordException.class);
    }

    private static String catchMessage(Runnable r) {
        try {
            r.run();
        } catch (CorruptRecordException e) {
            return e.getMessage();
        }
        throw new AssertionError("no CorruptRecordException");
    }

    /** {@code bytes} in 1-8 pieces, some empty, heap and direct, some with a position past 0. */
    private static List<ByteBuffer> cut(byte[] bytes, Random random) {
        int count = 1 + random.nextInt(8);
        int[] cuts = new int[count + 1];
        for (int i = 1; i < count; i++) {
            cuts[i] = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
        }
        cuts[count] = bytes.length;
        Arrays.sort(cuts);
        List<ByteBuffer> pieces = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = cuts[i + 1] - cuts[i];
            int pad = random.nextInt(3);
            ByteBuffer b = random.nextBoolean() ? ByteBuffer.allocate(pad + n) : ByteBuffer.allocateDirect(pad + n);
            b.position(pad);
            b.put(bytes, cuts[i], n);
            b.position(pad);
            pieces.add(b);
        }
        return pieces;
    }

    @Test
    void theVersionIsReadFromTheHeadOfARecordAlone() {
        byte[] version = {5, 6, 7, 8, 9};
        byte[] encoded = RecordCodec.encode(Record.value(VersionKind.LWW, version, 42, new byte[300]));
        assertThat(RecordCodec.versionOfHead(java.util.Arrays.copyOf(encoded, 100))).isEqualTo(version);
        assertThat(RecordCodec.versionOfHead(encoded)).isEqualTo(RecordCodec.version(encoded));
        assertThatThrownBy(() -> RecordCodec.versionOfHead(java.util.Arrays.copyOf(encoded, 13)))
                .isInstanceOf(CorruptRecordException.class);
        byte[] unknown = encoded.clone();
        unknown[0] = 77;
        assertThatThrownBy(() -> RecordCodec.versionOfHead(unknown)).isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("unknown record format");
    }

    @Test
    void everyTruncationIsReportedCorrupt() {
        byte[] encoded = RecordCodec.encode(Record.value(VersionKind.LWW, new byte[] {9, 9}, 7, "hello world".getBytes()));
        for (int len = 0; len < encoded.length; len++) {
            byte[] cut = Arrays.copyOf(encoded, len);
            assertThatThrownBy(() -> RecordCodec.decode(cut)).as("truncated to %d bytes", len)
                    .isInstanceOf(CorruptRecordException.class);
            assertThatThrownBy(() -> RecordCodec.version(cut)).as("version of a record truncated to %d bytes", len)
                    .isInstanceOf(CorruptRecordException.class);
        }
    }

    @Test
    void everySingleBitFlipIsReportedCorrupt() {
        byte[] encoded = RecordCodec.encode(Record.value(VersionKind.CAUSAL, new byte[] {1, 2, 3, 4}, 99, "value bytes".getBytes()));
        for (int bit = 0; bit < encoded.length * 8; bit++) {
            byte[] garbled = encoded.clone();
            garbled[bit / 8] ^= (byte) (1 << (bit % 8));
            int b = bit;
            assertThatThrownBy(() -> RecordCodec.decode(garbled)).as("bit %d flipped", b)
                    .isInstanceOf(CorruptRecordException.class);
            assertThatThrownBy(() -> RecordCodec.version(garbled)).as("version with bit %d flipped", b)
                    .isInstanceOf(CorruptRecordException.class);
        }
    }

    @Test
    void unknownFormatIsNamed() {
        byte[] encoded = RecordCodec.encode(Record.value(VersionKind.LWW, new byte[0], 1, new byte[] {1}));
        encoded[0] = 9;
        assertThatThrownBy(() -> RecordCodec.decode(encoded)).hasMessage("unknown record format 9");
    }

    @Test
    void appendedGarbageIsReportedCorrupt() {
        byte[] encoded = RecordCodec.encode(Record.value(VersionKind.LWW, new byte[0], 1, new byte[] {1, 2}));
        byte[] longer = Arrays.copyOf(encoded, encoded.length + 3);
        assertThatThrownBy(() -> RecordCodec.decode(longer)).isInstanceOf(CorruptRecordException.class);
    }

    @org.junit.jupiter.api.Test
    void theHeadOfARecordNamesItsKindVersionAndValueLengthFromAPrefix() {
        byte[] version = new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        byte[] value = new byte[300_000];
        byte[] encoded = RecordCodec.encode(Record.value(VersionKind.LWW, version, 42, value));
        RecordCodec.Head head = RecordCodec.headOf(java.util.Arrays.copyOf(encoded, 64));
        org.assertj.core.api.Assertions.assertThat(head.kind()).isEqualTo(VersionKind.LWW);
        org.assertj.core.api.Assertions.assertThat(head.tombstone()).isFalse();
        org.assertj.core.api.Assertions.assertThat(head.version()).isEqualTo(version);
        org.assertj.core.api.Assertions.assertThat(head.valueLength()).isEqualTo(300_000);
        // A prefix that ends inside the header tells nothing.
        org.assertj.core.api.Assertions.assertThat(RecordCodec.headOf(java.util.Arrays.copyOf(encoded, 15))).isNull();
        org.assertj.core.api.Assertions.assertThat(RecordCodec.headOf(new byte[3])).isNull();
        RecordCodec.Head tomb = RecordCodec.headOf(RecordCodec.encode(Record.tombstone(VersionKind.CAUSAL, version, 42)));
        org.assertj.core.api.Assertions.assertThat(tomb.tombstone()).isTrue();
        org.assertj.core.api.Assertions.assertThat(tomb.kind()).isEqualTo(VersionKind.CAUSAL);
        byte[] bad = encoded.clone();
        bad[0] = 9;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RecordCodec.headOf(bad))
                .isInstanceOf(CorruptRecordException.class);
    }
}
