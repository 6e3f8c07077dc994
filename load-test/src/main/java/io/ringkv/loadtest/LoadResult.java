package io.ringkv.loadtest;

import org.HdrHistogram.Histogram;

/**
 * What the loading phase produced.
 *
 * @param loaded          keys written
 * @param failed          keys whose every attempt failed
 * @param failedAttempts  per {@link ErrorKind}: attempts that failed (retried or not)
 * @param latencies       microseconds of the successful writes
 */
public record LoadResult(long records, long loaded, long failed, double durationSeconds, long[] failedAttempts,
                         Histogram latencies) {
    public double throughput() {
        return durationSeconds > 0 ? loaded / durationSeconds : 0;
    }
}
