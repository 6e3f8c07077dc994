/**
 * How coordinator logic reaches replicas: the small {@link io.ringkv.coordinator.transport.Transport}
 * interface and its messages, the failure detector that lets requests skip dead peers, and the
 * gRPC implementation, which sends small calls on one multiplexed stream per peer
 * ({@link io.ringkv.coordinator.transport.ReplicaChannelClient}) and large records as unary or
 * streaming RPCs, to the peer's bulk lane when its port is known
 * ({@link io.ringkv.coordinator.transport.BulkLane}: event loops of lower CPU priority at both ends).
 * A simulated implementation lives in the tests.
 */
package io.ringkv.coordinator.transport;
