package io.ringkv.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StorageKeysTest {
    @Test
    void layoutIsTokenBigEndianThenKeyBytes() {
        byte[] stored = StorageKeys.encode("The quick brown fox jumps over the lazy dog", StorageLimits.DEFAULTS);
        assertThat(Arrays.copyOf(stored, 8)).containsExactly(0xe3, 0x4b, 0xbc, 0x7b, 0xbc, 0x07, 0x1b, 0x6c);
        assertThat(StorageKeys.token(stored)).isEqualTo(0xe34bbc7bbc071b6cL);
        assertThat(StorageKeys.userKey(stored)).isEqualTo("The quick brown fox jumps over the lazy dog");
    }

    @Test
    void vnodeIsTopBitsOfUnsignedToken() {
        assertThat(StorageKeys.vnodeOf(0L, 1024)).isZero();
        assertThat(StorageKeys.vnodeOf(-1L, 1024)).isEqualTo(1023);
        assertThat(StorageKeys.vnodeOf(Long.MIN_VALUE, 1024)).isEqualTo(512);
        assertThat(StorageKeys.vnodeOf(Long.MAX_VALUE, 1024)).isEqualTo(511);
        assertThat(StorageKeys.vnodeOf(-1L, 1)).isZero();
    }

    @Test
    void vnodeRangesTileTheKeySpace() {
        assertThat(StorageKeys.vnodeStart(0, 4)).containsExactly(0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(StorageKeys.vnodeEnd(0, 4)).isEqualTo(StorageKeys.vnodeStart(1, 4));
        assertThat(StorageKeys.vnodeStart(3, 4)[0] & 0xff).isEqualTo(0xc0);
        assertThat(StorageKeys.vnodeEnd(3, 4)).isNull();
        assertThat(StorageKeys.vnodeEnd(0, 1)).isNull();
    }

    @Test
    void limitsAreCheckedAtTheirEdges() {
        StorageLimits limits = new StorageLimits(4, 10);
        assertThat(StorageKeys.encode("abcd", limits)).hasSize(12);
        assertThatThrownBy(() -> StorageKeys.encode("abcde", limits))
                .isInstanceOf(LimitException.KeyTooLong.class).hasMessage("key is 5 bytes of UTF-8, over the limit of 4");
        // Two UTF-8 bytes per character: the limit is in bytes, not characters.
        assertThatThrownBy(() -> StorageKeys.encode("ééé", limits)).isInstanceOf(LimitException.KeyTooLong.class);
        assertThatThrownBy(() -> StorageKeys.encode("", limits)).isInstanceOf(LimitException.EmptyKey.class);
        limits.checkValue(10);
        assertThatThrownBy(() -> limits.checkValue(11)).isInstanceOf(LimitException.ValueTooLarge.class)
                .hasMessage("value is 11 bytes, over the limit of 10");
    }

    @Test
    void defaultKeyLimitIs1024Bytes() {
        StorageKeys.encode("k".repeat(1024), StorageLimits.DEFAULTS);
        assertThatThrownBy(() -> StorageKeys.encode("k".repeat(1025), StorageLimits.DEFAULTS))
                .isInstanceOf(LimitException.KeyTooLong.class);
    }

    @Test
    void rejectsVnodeCountsThatAreNotPowersOfTwo() {
        assertThatThrownBy(() -> StorageKeys.vnodeOf(1, 1000)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> StorageKeys.vnodeStart(4, 4)).hasMessageContaining("outside");
    }
}
