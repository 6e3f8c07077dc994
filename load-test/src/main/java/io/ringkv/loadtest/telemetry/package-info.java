/**
 * OpenTelemetry for {@code ringkv bench}: settings from the standard {@code OTEL_*} variables and
 * {@code --otel} flags, a span per benchmark operation around the client's spans, and the bench's
 * own latency and error metrics. Everything here is off by default, and then the workers do no
 * telemetry work at all.
 */
package io.ringkv.loadtest.telemetry;
