/**
 * Node configuration: read once at the edge from a YAML file, environment variables
 * ({@code RINGKV_*}) and command-line flags, in that order of precedence, into one validated
 * {@link io.ringkv.coordinator.config.NodeConfig}.
 */
package io.ringkv.coordinator.config;
