/**
 * Who is in the cluster and which ring is current: the {@link io.ringkv.coordinator.membership.RingHolder}
 * every component reads the ring from, and static membership (a fixed member list, the
 * embedded default) that forms the ring with the planner once every member has answered.
 */
package io.ringkv.coordinator.membership;
