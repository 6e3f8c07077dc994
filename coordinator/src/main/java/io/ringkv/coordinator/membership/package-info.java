/**
 * Who is in the cluster, who leads it, and which ring is current.
 *
 * <ul>
 *   <li>{@link io.ringkv.coordinator.membership.RingHolder}: the ring this node serves; every
 *       component reads it from there.</li>
 *   <li>{@link io.ringkv.coordinator.membership.Membership} and
 *       {@link io.ringkv.coordinator.membership.LeaderElection}: what a node needs from a
 *       membership service. {@link io.ringkv.coordinator.membership.ConsulMembership} and
 *       {@link io.ringkv.coordinator.membership.ConsulLeaderElection} implement them with Consul
 *       (service registration with a TTL check, blocking queries, a session lock);
 *       {@link io.ringkv.coordinator.membership.StaticMembership} is the embedded default, a fixed
 *       member list forming the ring with the planner.</li>
 *   <li>The leader's ring work: {@link io.ringkv.coordinator.membership.RingFormation} decides
 *       (pure), {@link io.ringkv.coordinator.membership.RingPublisher} writes with check-and-set,
 *       {@link io.ringkv.coordinator.membership.LeaderDuties} runs the loop.
 *       {@link io.ringkv.coordinator.membership.RingCodec} is the ring's form in Consul's KV.</li>
 * </ul>
 */
package io.ringkv.coordinator.membership;
