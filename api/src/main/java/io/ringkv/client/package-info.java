/**
 * The Java client of ringkv: {@link io.ringkv.client.RingkvClient} routes each request to a
 * replica of its key using the cluster's ring, retries idempotent reads on other replicas, streams
 * large values in chunks, and reports failures as {@link io.ringkv.client.RingkvException}s that
 * mirror the gRPC status codes.
 */
package io.ringkv.client;
