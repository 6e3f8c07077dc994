package io.ringkv.loadtest;

import io.ringkv.client.Consistency;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One benchmark's settings, checked: the constructor throws IllegalArgumentException naming the
 * first bad one.
 *
 * @param targetOps 0 for a closed loop; otherwise the open loop's total rate in operations per second
 * @param maxOps    0 for no limit; otherwise the most operations the measured phase issues
 */
public record BenchConfig(List<String> seeds, int threads, boolean virtualThreads, double durationSeconds,
                          double warmupSeconds, long records, boolean load, int loadThreads,
                          double readProportion, int valueSize, KeyDistribution keyDistribution,
                          Consistency readConsistency, Consistency writeConsistency, String keyspace,
                          Duration requestTimeout, long seed, double targetOps, long maxOps, boolean validate,
                          Path jsonFile, double progressIntervalSeconds) {
    /** Values above this would need more memory per thread than a load generator should take. */
    public static final int MAX_VALUE_SIZE = 16 << 20;

    public BenchConfig {
        seeds = List.copyOf(seeds);
        Objects.requireNonNull(keyDistribution, "keyDistribution");
        Objects.requireNonNull(readConsistency, "readConsistency");
        Objects.requireNonNull(writeConsistency, "writeConsistency");
        Objects.requireNonNull(keyspace, "keyspace");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        require(!seeds.isEmpty(), "--seeds needs at least one host:port");
        for (String s : seeds) {
            require(s.lastIndexOf(':') > 0 && s.lastIndexOf(':') < s.length() - 1, "--seeds: not host:port: '" + s + "'");
        }
        require(threads >= 1 && threads <= 10_000, "--threads must be in [1, 10000], was " + threads);
        require(loadThreads >= 1 && loadThreads <= 10_000, "--load-threads must be in [1, 10000], was " + loadThreads);
        require(durationSeconds > 0 && durationSeconds <= 86_400, "--duration must be in (0, 86400] seconds, was " + durationSeconds);
        require(warmupSeconds >= 0 && warmupSeconds <= 86_400, "--warmup must be in [0, 86400] seconds, was " + warmupSeconds);
        require(records >= 1 && records <= Keys.MAX_RECORDS - 1, "--records must be in [1, " + (Keys.MAX_RECORDS - 1) + "], was " + records);
        require(readProportion >= 0 && readProportion <= 1, "--read-proportion must be in [0, 1], was " + readProportion);
        require(valueSize >= ValueCodec.HEADER_BYTES && valueSize <= MAX_VALUE_SIZE,
                "--value-size must be in [" + ValueCodec.HEADER_BYTES + ", " + MAX_VALUE_SIZE + "] (values carry an "
                        + ValueCodec.HEADER_BYTES + "-byte checksum), was " + valueSize);
        require(!requestTimeout.isNegative() && !requestTimeout.isZero(), "--request-timeout must be > 0");
        require(targetOps >= 0 && targetOps <= 100_000_000, "--target-ops must be in [0, 1e8], was " + targetOps);
        require(maxOps >= 0, "--max-ops must be >= 0, was " + maxOps);
        require(progressIntervalSeconds > 0, "--progress-interval must be > 0, was " + progressIntervalSeconds);
    }

    public boolean openLoop() {
        return targetOps > 0;
    }

    public long durationNanos() {
        return Math.round(durationSeconds * 1e9);
    }

    public long warmupNanos() {
        return Math.round(warmupSeconds * 1e9);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
