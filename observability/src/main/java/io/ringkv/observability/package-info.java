/**
 * OpenTelemetry for ringkv: one place that configures the SDK for a node, a client or the load
 * tester ({@link io.ringkv.observability.Telemetry}, from {@link io.ringkv.observability.TelemetrySettings}),
 * the metric names and instruments ({@link io.ringkv.observability.RingkvMetrics}), the span names
 * and the small APIs handoff and repair report through, the Prometheus text for {@code /metrics},
 * and log correlation. Nothing here knows the coordinator; the coordinator calls in.
 */
package io.ringkv.observability;
