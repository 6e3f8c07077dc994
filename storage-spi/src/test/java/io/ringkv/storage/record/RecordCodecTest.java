package io.ringkv.storage.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
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
