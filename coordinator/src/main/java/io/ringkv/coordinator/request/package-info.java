/**
 * Quorum coordination of single-key requests: each get, put and delete is a small state
 * machine ({@link io.ringkv.coordinator.request.QuorumWrite}, {@link io.ringkv.coordinator.request.QuorumRead})
 * fed by replica replies and timer events, talking to replicas only through
 * {@link io.ringkv.coordinator.transport.Transport} and to time only through the injected clock
 * and timer, so the same code runs over gRPC and in the deterministic cluster simulation.
 */
package io.ringkv.coordinator.request;
