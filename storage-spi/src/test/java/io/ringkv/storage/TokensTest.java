package io.ringkv.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TokensTest {
    /** Published MurmurHash3_x64_128 vectors (the reference C++ implementation, as in Guava's tests). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0|629942693e10f867|92db0b82baeb5347|hell",
        "1|a78ddff5adae8d10|128900ef20900135|hello",
        "2|8a486b23f422e826|f962a2c58947765f|'hello '",
        "3|2ea59f466f6bed8c|c610990acc428a17|hello w",
        "4|79f6305a386c572c|46305aed3483b94e|hello wo",
        "5|c2219d213ec1f1b5|a1d8e2e0a52785bd|hello wor",
        "0|e34bbc7bbc071b6c|7a433ca9c49a9347|The quick brown fox jumps over the lazy dog",
        "0|658ca970ff85269a|43fee3eaa68e5c3e|The quick brown fox jumps over the lazy cog",
    })
    void matchesReferenceVectors(int seed, String h1, String h2, String input) {
        byte[] data = input.getBytes(StandardCharsets.UTF_8);
        long[] hash = Tokens.murmur3x64_128(data, 0, data.length, seed);
        assertThat(hash[0]).isEqualTo(Long.parseUnsignedLong(h1, 16));
        assertThat(hash[1]).isEqualTo(Long.parseUnsignedLong(h2, 16));
    }

    @Test
    void emptyInputHashesToZero() {
        assertThat(Tokens.of("")).isZero();
    }

    @Test
    void tokenIsFirstHalfOfSeedZeroHash() {
        assertThat(Tokens.of("The quick brown fox jumps over the lazy dog")).isEqualTo(0xe34bbc7bbc071b6cL);
    }

    @Test
    void everyTailLengthIsHashedAndOffsetsRespected() {
        byte[] data = "0123456789abcdefXYZ0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        for (int len = 0; len <= 32; len++) {
            byte[] copy = java.util.Arrays.copyOfRange(data, 3, 3 + len);
            assertThat(Tokens.murmur3x64_128(data, 3, len, 0)).containsExactly(Tokens.murmur3x64_128(copy, 0, len, 0));
        }
    }
}
