/** Helpers for the futures the request, replica and repair paths pass around. */
package io.ringkv.coordinator.concurrent;
