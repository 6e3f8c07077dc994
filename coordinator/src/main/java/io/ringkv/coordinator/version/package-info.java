/**
 * Versions and conflict resolution, pure logic with no I/O: the hybrid logical clock and
 * {@link io.ringkv.coordinator.version.LwwVersion} for last-writer-wins keyspaces, and version
 * vectors with dotted version vector sets ({@link io.ringkv.coordinator.version.DvvSet}) for
 * causal keyspaces, where concurrent writes are kept as siblings.
 *
 * <p>Everything here is an immutable value except {@link
 * io.ringkv.coordinator.version.HybridLogicalClock}, which is thread-safe and takes time as an
 * {@link java.time.InstantSource}. {@link io.ringkv.coordinator.version.Records} merges stored records by these rules, the one
 * rule replicas and coordinators share. Encodings are canonical and reject
 * malformed input with {@link java.lang.IllegalArgumentException}.
 */
package io.ringkv.coordinator.version;
