package io.ringkv.coordinator.request;

import io.ringkv.coordinator.version.Sibling;
import java.util.List;

/** What a read returns: live values (several when concurrent writes are siblings) and the causal context. */
public record GetOutcome(boolean found, List<Sibling> values, byte[] context, long ringEpoch) {
}
