package io.ringkv.coordinator.request;

/** What an acknowledged write returns: its causal context and timestamp. */
public record PutOutcome(byte[] context, long timestampMillis, long ringEpoch, int acks) {
}
