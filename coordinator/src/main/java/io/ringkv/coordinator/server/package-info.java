/**
 * The node's network face: one Armeria server per node serving the gRPC services (KV, Replica,
 * Admin) plus reflection, health, {@code /docs} and {@code /healthz} on one port, and the wiring
 * that builds a node from its configuration.
 */
package io.ringkv.coordinator.server;
