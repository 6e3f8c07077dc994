package io.ringkv.coordinator.repair;

/**
 * What one or more tree exchanges did.
 *
 * @param leavesDiffering leaves whose hashes differed
 * @param keysCompared    key digests compared in those leaves
 * @param keysStreamed    records written to a replica that lacked them or held an older version
 * @param bytesStreamed   encoded size of those records
 */
public record ExchangeResult(long leavesDiffering, long keysCompared, long keysStreamed, long bytesStreamed) {
    public static final ExchangeResult NONE = new ExchangeResult(0, 0, 0, 0);

    public ExchangeResult plus(ExchangeResult o) {
        return new ExchangeResult(leavesDiffering + o.leavesDiffering, keysCompared + o.keysCompared,
                keysStreamed + o.keysStreamed, bytesStreamed + o.bytesStreamed);
    }
}
