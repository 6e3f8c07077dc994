/**
 * Hinted handoff: writes a replica did not acknowledge are kept durably in this node's engine
 * ({@code hints} namespace, oldest first per target, bounded per target and in total) and
 * replayed when the target is seen healthy again, a bounded window of hints in flight per target,
 * throttled in bytes per second and paced by the target's latency; a hint is deleted only after
 * the target acknowledged it, dropped after repeated refusals, and purged when its target left the ring. Sloppy-quorum
 * fallbacks keep the writes they take for a down primary here too. {@link
 * io.ringkv.coordinator.handoff.HintedHandoff} is the one object a node builds and closes; it
 * reports the backlog, every hint stored, delivered or dropped (by reason) and its spans through
 * the node's {@code HandoffTelemetry}.
 */
package io.ringkv.coordinator.handoff;
