/**
 * Thin adapters from the coordinator's seams to the observability module: a {@code Transport}
 * decorator (replica call spans and latency by peer) and a {@code Timer} decorator that carries
 * the request's trace context into timer tasks. The request logic itself knows nothing of them.
 */
package io.ringkv.coordinator.telemetry;
