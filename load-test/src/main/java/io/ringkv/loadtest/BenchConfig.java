package io.ringkv.loadtest;

import io.ringkv.client.Consistency;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One benchmark's settings, checked: the constructor throws IllegalArgumentException naming the
 * first bad one.
 *
 * @param workload    the operation mix
 * @param consistency per {@link OpType}: the consistency of its requests (a read-modify-write uses it for both)
 * @param targetOps   0 for a closed loop; otherwise the open loop's total rate in operations per second
 * @param maxOps      0 for no limit; otherwise the most operations the measured phase issues
 * @param htmlFile    where the HTML report goes, or null
 * @param readAttemptTimeout     how long one get attempt waits before the client asks the next replica
 *                               (0: the whole request timeout); null: the client's default
 * @param unreachableNodeBackoff how long the client tries a node that timed out or refused last
 *                               (0: never); null: the client's default
 * @param kvChannel   whether the client sends small calls on its multiplexed KV channel (else one RPC each)
 * @param bulkNice    the nice value of the client's threads for large values (0..19; 0: normal priority)
 */
public record BenchConfig(List<String> seeds, int threads, boolean virtualThreads, double durationSeconds,
                          double warmupSeconds, long records, boolean load, int loadThreads, Workload workload,
                          int multiReadMax, ValueSizes valueSizes, KeyDistribution keyDistribution,
                          double hotspotSetFraction, double hotspotOpFraction, Map<OpType, Consistency> consistency,
                          String keyspace, Duration requestTimeout, Duration readAttemptTimeout,
                          Duration unreachableNodeBackoff, boolean kvChannel, int bulkNice, long seed, double targetOps, long maxOps,
                          boolean validate, Path jsonFile, Path htmlFile, double progressIntervalSeconds,
                          double timelineIntervalSeconds) {
    /** Values above this would need more memory per thread than a load generator should take. */
    public static final int MAX_VALUE_SIZE = 16 << 20;
    /** A multi_read reads at most this many keys. */
    public static final int MAX_MULTI_READ = 1000;
    /** A value-size mix has at most this many classes (each has its own histograms per thread). */
    public static final int MAX_VALUE_CLASSES = 8;
    /** The longest run (warmup plus measured phase). */
    public static final double MAX_SECONDS = 86_400;
    /** The longest --request-timeout, --read-attempt-timeout and --unreachable-node-backoff (the client's own cap). */
    public static final long MAX_CLIENT_MILLIS = 3_600_000;

    public BenchConfig {
        seeds = List.copyOf(seeds);
        require(bulkNice >= 0 && bulkNice <= 19, "--bulk-nice must be in [0, 19], was " + bulkNice);
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(valueSizes, "valueSizes");
        Objects.requireNonNull(keyDistribution, "keyDistribution");
        Objects.requireNonNull(keyspace, "keyspace");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        EnumMap<OpType, Consistency> levels = new EnumMap<>(OpType.class);
        for (OpType op : OpType.ALL) {
            levels.put(op, Objects.requireNonNull(consistency.get(op), "consistency of " + op.label()));
        }
        consistency = java.util.Collections.unmodifiableMap(levels);
        require(!seeds.isEmpty(), "--seeds needs at least one host:port");
        for (String s : seeds) {
            require(s.lastIndexOf(':') > 0 && s.lastIndexOf(':') < s.length() - 1, "--seeds: not host:port: '" + s + "'");
        }
        require(threads >= 1 && threads <= 10_000, "--threads must be in [1, 10000], was " + threads);
        require(loadThreads >= 1 && loadThreads <= 10_000, "--load-threads must be in [1, 10000], was " + loadThreads);
        require(durationSeconds > 0 && durationSeconds <= MAX_SECONDS,
                "--duration must be in (0, " + (long) MAX_SECONDS + "] seconds, was " + durationSeconds);
        require(warmupSeconds >= 0 && warmupSeconds <= MAX_SECONDS,
                "--warmup must be in [0, " + (long) MAX_SECONDS + "] seconds, was " + warmupSeconds);
        require(records >= 1 && records <= Keys.MAX_RECORDS - 1, "--records must be in [1, " + (Keys.MAX_RECORDS - 1) + "], was " + records);
        require(multiReadMax >= 1 && multiReadMax <= MAX_MULTI_READ,
                "--multi-read-max must be in [1, " + MAX_MULTI_READ + "], was " + multiReadMax);
        require(valueSizes.min() >= ValueCodec.HEADER_BYTES && valueSizes.max() <= MAX_VALUE_SIZE,
                "--value-size must stay in [" + ValueCodec.HEADER_BYTES + ", " + MAX_VALUE_SIZE + "] bytes (values carry an "
                        + ValueCodec.HEADER_BYTES + "-byte checksum), was " + valueSizes.spec());
        require(valueSizes.classes().size() <= MAX_VALUE_CLASSES,
                "--value-size: at most " + MAX_VALUE_CLASSES + " parts in a mix, was " + valueSizes.classes().size());
        require(hotspotSetFraction > 0 && hotspotSetFraction <= 1,
                "--hotspot-set-fraction must be in (0, 1], was " + hotspotSetFraction);
        require(hotspotOpFraction >= 0 && hotspotOpFraction <= 1,
                "--hotspot-op-fraction must be in [0, 1], was " + hotspotOpFraction);
        require(!requestTimeout.isNegative() && !requestTimeout.isZero(), "--request-timeout must be > 0");
        require(requestTimeout.toMillis() <= MAX_CLIENT_MILLIS,
                "--request-timeout must be at most " + MAX_CLIENT_MILLIS + " ms, was " + requestTimeout.toMillis());
        require(readAttemptTimeout == null
                        || (!readAttemptTimeout.isNegative() && readAttemptTimeout.toMillis() <= MAX_CLIENT_MILLIS),
                "--read-attempt-timeout must be in [0, " + MAX_CLIENT_MILLIS + "] ms (0: one attempt may take the "
                        + "whole --request-timeout), was " + (readAttemptTimeout == null ? null : readAttemptTimeout.toMillis()));
        require(unreachableNodeBackoff == null
                        || (!unreachableNodeBackoff.isNegative() && unreachableNodeBackoff.toMillis() <= MAX_CLIENT_MILLIS),
                "--unreachable-node-backoff must be in [0, " + MAX_CLIENT_MILLIS + "] ms (0: never try a node last), was "
                        + (unreachableNodeBackoff == null ? null : unreachableNodeBackoff.toMillis()));
        require(targetOps >= 0 && targetOps <= 100_000_000, "--target-ops must be in [0, 1e8], was " + targetOps);
        require(maxOps >= 0, "--max-ops must be >= 0, was " + maxOps);
        require(progressIntervalSeconds > 0, "--progress-interval must be > 0, was " + progressIntervalSeconds);
        require(timelineIntervalSeconds >= 0.01, "--timeline-interval must be >= 0.01 s, was " + timelineIntervalSeconds);
        require(Timeline.points(timelineIntervalSeconds, warmupSeconds, durationSeconds) <= Timeline.MAX_POINTS,
                "--timeline-interval " + timelineIntervalSeconds + " s makes more than " + Timeline.MAX_POINTS
                        + " points for this run; use a larger one");
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

    public Consistency consistency(OpType op) {
        return consistency.get(op);
    }

    /** The default timeline interval: one second, or longer so a long run stays within 3600 points. */
    static double defaultTimelineInterval(double warmupSeconds, double durationSeconds) {
        return Math.max(1, Math.ceil((warmupSeconds + durationSeconds) / 3600));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
