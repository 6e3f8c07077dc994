/**
 * Anti-entropy: per vnode, replicas compare {@link io.ringkv.coordinator.repair.MerkleTree}s of
 * their records top-down and exchange only the keys of differing leaves
 * ({@link io.ringkv.coordinator.repair.TreeExchange}, pure logic over the
 * {@link io.ringkv.coordinator.repair.RepairPeer} interface); sessions record their progress in
 * the system catalog and resume after a restart; a scheduler repairs every vnode once per
 * interval at a bounded rate; tombstones are purged after {@code gc_grace} only once their vnode
 * was fully repaired since they were written. {@link io.ringkv.coordinator.repair.RepairService}
 * is the one facade the node builds; it reports progress gauges, key and byte counters and a
 * trace per session (a span per vnode) through {@code io.ringkv.observability.RepairTelemetry}.
 */
package io.ringkv.coordinator.repair;
