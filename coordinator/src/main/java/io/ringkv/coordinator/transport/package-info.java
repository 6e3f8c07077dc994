/**
 * How coordinator logic reaches replicas: the small {@link io.ringkv.coordinator.transport.Transport}
 * interface and its messages, the failure detector that lets requests skip dead peers, and the
 * gRPC implementation. A simulated implementation lives in the tests.
 */
package io.ringkv.coordinator.transport;
