package io.ringkv.loadtest;

import org.HdrHistogram.Histogram;

/**
 * What the loading phase produced.
 *
 * @param loaded          keys written
 * @param failedKeys      the indexes of the keys whose every attempt failed, ascending: such a key
 *                        may or may not exist, so the run does not count a read that misses it as
 *                        a validation error
 * @param failedAttempts  per {@link ErrorKind}: attempts that failed (retried or not)
 * @param latencies       microseconds of the successful writes
 */
public record LoadResult(long records, long loaded, long[] failedKeys, double durationSeconds, long[] failedAttempts,
                         Histogram latencies) {
    /** How many keys failed every attempt. */
    public long failed() {
        return failedKeys.length;
    }

    public double throughput() {
        return durationSeconds > 0 ? loaded / durationSeconds : 0;
    }
}
