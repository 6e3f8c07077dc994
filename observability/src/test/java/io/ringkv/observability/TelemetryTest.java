package io.ringkv.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.NamespaceStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class TelemetryTest {
    @Test
    void prometheusTextParsesAndNamesEveryRecordedMetric() {
        try (Telemetry t = Telemetry.start(TelemetrySettings.DEFAULTS, "ringkv-node", "n1")) {
            t.metrics().request("get", "default", "QUORUM", null, RingkvMetrics.SMALL, 300_000);
            t.metrics().request("put", "default", "QUORUM", "UNAVAILABLE", RingkvMetrics.SMALL, 2_000_000);
            t.metrics().replicaCall("n2", "read", "ok", RingkvMetrics.SMALL, 150_000);
            t.metrics().forwarded("put");
            t.metrics().registerStorage(() -> new EngineStats("memory", Map.of("data", new NamespaceStats(3, 120))));
            HandoffTelemetry h = t.handoff();
            h.registerBacklog(() -> List.of(new HandoffTelemetry.Backlog("n3", 7, 700)));
            h.stored("n3", 7);
            h.delivered("n3", 2);
            h.dropped("n3", "expired", 1);
            RepairTelemetry r = t.repair();
            r.registerRepairProgress(() -> List.of(new RepairTelemetry.RepairProgress("on_demand", 3, 8)));
            r.registerTransferProgress(() -> List.of(new RepairTelemetry.TransferProgress("in", 2, 5)));
            r.compared("on_demand", 100);
            r.repaired("on_demand", 4, 400);
            r.streamed("in", 10, 1000);

            String text = t.prometheus().scrape();
            List<PrometheusSamples.Sample> samples = PrometheusSamples.parse(text);
            assertThat(PrometheusSamples.names(text)).contains(
                    "ringkv_request_duration_seconds_bucket", "ringkv_request_duration_seconds_count",
                    "ringkv_request_errors_total", "ringkv_request_forwarded_total",
                    "ringkv_replica_call_duration_seconds_bucket", "ringkv_storage_keys", "ringkv_storage_size_bytes",
                    "ringkv_hints_pending", "ringkv_hints_pending_size_bytes", "ringkv_hints_stored_total",
                    "ringkv_hints_delivered_total", "ringkv_hints_dropped_total", "ringkv_repair_vnodes_done",
                    "ringkv_repair_vnodes_planned", "ringkv_repair_keys_compared_total", "ringkv_repair_keys_repaired_total",
                    "ringkv_repair_size_bytes_total",
                    "ringkv_transfer_vnodes_pending", "ringkv_transfer_vnodes_done", "ringkv_transfer_size_bytes_total",
                    "ringkv_transfer_keys_total", "jvm_memory_used_bytes", "jvm_thread_count", "jvm_gc_collections_total",
                    "jvm_cpu_count");
            // A 300 us read falls in the sub-millisecond buckets, not in the first one.
            assertThat(samples).anySatisfy(s -> {
                assertThat(s.name()).isEqualTo("ringkv_request_duration_seconds_bucket");
                assertThat(s.labels()).containsEntry("operation", "get").containsEntry("le", "3.0E-4");
                assertThat(s.value()).isEqualTo(1.0);
            });
            assertThat(samples).anySatisfy(s -> {
                assertThat(s.name()).isEqualTo("ringkv_request_duration_seconds_bucket");
                assertThat(s.labels()).containsEntry("operation", "get").containsEntry("le", "2.0E-4");
                assertThat(s.value()).isZero();
            });
            assertThat(samples).anySatisfy(s -> {
                assertThat(s.name()).isEqualTo("ringkv_hints_pending");
                assertThat(s.labels()).containsEntry("target", "n3");
                assertThat(s.value()).isEqualTo(7.0);
            });
        }
    }

    /** Requests and replica calls carry value_class: large past the 64 KiB chunking threshold, small up to it. */
    @Test
    void latencyIsLabelledSmallOrLargeAtTheChunkingThreshold() {
        assertThat(RingkvMetrics.valueClass(0)).isEqualTo("small");
        assertThat(RingkvMetrics.valueClass(64 * 1024)).isEqualTo("small");
        assertThat(RingkvMetrics.valueClass(64 * 1024 + 1)).isEqualTo("large");
        try (Telemetry t = Telemetry.start(TelemetrySettings.DEFAULTS, "ringkv-node", "n1")) {
            t.request("put", "default", "QUORUM").valueBytes(1024).end(null, null);
            t.request("put", "default", "QUORUM").valueBytes(2 << 20).end(null, null);
            t.request("get", "default", "QUORUM").end(null, null);
            t.replicaCall("n2", "read").complete(CompletableFuture.completedFuture(new byte[100_000]), e -> false, b -> b.length);
            t.replicaCall("n2", "write").valueBytes(10).complete(CompletableFuture.completedFuture(null), e -> false);
            List<PrometheusSamples.Sample> samples = PrometheusSamples.parse(t.prometheus().scrape());
            java.util.function.BiFunction<String, Map<String, String>, Double> count = (name, labels) -> samples.stream()
                    .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                    .mapToDouble(PrometheusSamples.Sample::value).sum();
            assertThat(count.apply("ringkv_request_duration_seconds_count", Map.of("operation", "put", "value_class", "small"))).isEqualTo(1.0);
            assertThat(count.apply("ringkv_request_duration_seconds_count", Map.of("operation", "put", "value_class", "large"))).isEqualTo(1.0);
            assertThat(count.apply("ringkv_request_duration_seconds_count", Map.of("operation", "get", "value_class", "small"))).isEqualTo(1.0);
            assertThat(count.apply("ringkv_replica_call_duration_seconds_count", Map.of("operation", "read", "value_class", "large"))).isEqualTo(1.0);
            assertThat(count.apply("ringkv_replica_call_duration_seconds_count", Map.of("operation", "write", "value_class", "small"))).isEqualTo(1.0);
        }
    }

    @Test
    void tracingOffCreatesNoSpansAndHandsBackTheSameObjects() {
        try (Telemetry t = Telemetry.start(TelemetrySettings.DEFAULTS, "ringkv-node", "n1")) {
            assertThat(t.tracingEnabled()).isFalse();
            assertThat(t.grpcServerInterceptors()).isEmpty();
            assertThat(t.grpcClientInterceptors()).isEmpty();
            KvRequest request = t.request("get", "default", "QUORUM");
            Runnable task = () -> { };
            assertThat(request.wrap(task)).isSameAs(task);
            assertThat(Spans.wrap(task)).isSameAs(task);
            java.util.function.Supplier<String> work = () -> "w";
            assertThat(Spans.wrap(work)).isSameAs(work);
            CompletableFuture<String> reply = new CompletableFuture<>();
            assertThat(t.replicaCall("n2", "read").complete(reply, e -> false)).isSameAs(reply);
            request.end(null, null);
        }
        try (Telemetry off = Telemetry.disabled()) {
            assertThat(off.prometheus().scrape()).isEmpty();
        }
    }

    @Test
    void aWrappedSupplierRunsInItsCallersContextOnAnotherThread() throws Exception {
        io.opentelemetry.context.ContextKey<String> key = io.opentelemetry.context.ContextKey.named("request");
        java.util.function.Supplier<String> seen = () -> io.opentelemetry.context.Context.current().get(key);
        java.util.function.Supplier<String> wrapped;
        try (io.opentelemetry.context.Scope ignored = io.opentelemetry.context.Context.current().with(key, "r1").makeCurrent()) {
            wrapped = Spans.wrap(seen);
        }
        assertThat(CompletableFuture.supplyAsync(wrapped, Thread::startVirtualThread).get(10, java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo("r1");
        assertThat(CompletableFuture.supplyAsync(seen, Thread::startVirtualThread).get(10, java.util.concurrent.TimeUnit.SECONDS))
                .isNull();
    }

    @Test
    void aReadTracesItsReplicaCallsRepairsAndSpeculativeReads() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (Telemetry t = Telemetry.withExporters(TelemetrySettings.DEFAULTS, "ringkv-node", "n1", exporter)) {
            KvRequest request = t.request("get", "default", "QUORUM").vnode(17);
            CompletableFuture<Void> speculative;
            try (Scope ignored = request.makeCurrent()) {
                CompletableFuture<String> first = new CompletableFuture<>();
                CompletableFuture<String> second = new CompletableFuture<>();
                CompletableFuture<String> a = t.replicaCall("n1", "read").complete(first, e -> false);
                t.replicaCall("n2", "read").complete(second, e -> true);
                // The repair is sent from the reply's callback, as QuorumRead does.
                a.thenRun(() -> t.replicaCall("n2", "write").complete(CompletableFuture.completedFuture(null), e -> false));
                speculative = CompletableFuture.runAsync(Spans.wrapTimerTask(() -> t.replicaCall("n3", "read")
                        .complete(CompletableFuture.completedFuture("late"), e -> false)));
                Thread.ofVirtual().start(() -> first.complete("v"));
                second.completeExceptionally(new RuntimeException("deadline"));
            }
            speculative.join();
            await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems().size() == 4);
            request.end(null, null);
            List<SpanData> spans = exporter.getFinishedSpanItems();
            SpanData get = byName(spans, "kv.get");
            assertThat(get.getParentSpanId()).isEqualTo(SpanId.getInvalid());
            assertThat(get.getAttributes().asMap().toString()).contains("vnode=17", "replicas.asked=3",
                    "replicas.answered=2", "keyspace=default", "consistency=QUORUM");
            for (String name : List.of("replica.read", "kv.read_repair", "kv.speculative_read")) {
                SpanData s = byName(spans, name);
                assertThat(s.getTraceId()).isEqualTo(get.getTraceId());
                assertThat(s.getParentSpanId()).isEqualTo(get.getSpanId());
            }
            assertThat(spans.stream().filter(s -> s.getName().equals("replica.read")).count()).isEqualTo(2);
            assertThat(byName(spans, "kv.read_repair").getLinks()).singleElement()
                    .satisfies(l -> assertThat(l.getSpanContext().getSpanId()).isEqualTo(get.getSpanId()));
            assertThat(spans.stream().filter(s -> s.getName().equals("replica.read"))
                    .filter(s -> s.getStatus().getStatusCode() == io.opentelemetry.api.trace.StatusCode.ERROR)
                    .map(s -> s.getAttributes().asMap().toString())).singleElement().asString().contains("timeout");
        }
    }

    @Test
    void underAnUnsampledTraceNoChildSpanIsStartedButTheTraceContextStaysCurrent() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        TelemetrySettings ratioZero = TelemetrySettings.from(Map.of("otel_traces_sampler", "parentbased_traceidratio",
                "otel_traces_sampler_arg", "0"));
        try (Telemetry t = Telemetry.withExporters(ratioZero, "ringkv-node", "n1", exporter)) {
            // The request's own span is a root: the ratio sampler decides, and says no.
            KvRequest request = t.request("get", "default", "QUORUM");
            SpanScope root = t.spans().child("kv.get", io.opentelemetry.api.common.Attributes.empty());
            assertThat(root).isNotSameAs(SpanScope.NOOP);
            try (io.opentelemetry.context.Scope ignored = root.makeCurrent()) {
                assertThat(io.opentelemetry.api.trace.Span.current().getSpanContext().isValid()).isTrue();
                assertThat(io.opentelemetry.api.trace.Span.current().getSpanContext().isSampled()).isFalse();
                // Its children could never be sampled: they are not started.
                assertThat(t.spans().child("replica.read", io.opentelemetry.api.common.Attributes.empty()))
                        .isSameAs(SpanScope.NOOP);
                assertThat(t.spans().linked("kv.read_repair", io.opentelemetry.api.common.Attributes.empty()))
                        .isSameAs(SpanScope.NOOP);
            }
            root.end();
            request.end(null, null);
            assertThat(exporter.getFinishedSpanItems()).isEmpty();
        }

        // always_off samples nothing: not even the request's span is started.
        try (Telemetry t = Telemetry.withExporters(TelemetrySettings.from(Map.of("otel_traces_sampler", "always_off")),
                "ringkv-node", "n1", InMemorySpanExporter.create())) {
            assertThat(t.spans().child("kv.get", io.opentelemetry.api.common.Attributes.empty())).isSameAs(SpanScope.NOOP);
        }

        // Under a sampled parent (the default sampler), children are started and exported.
        InMemorySpanExporter sampled = InMemorySpanExporter.create();
        try (Telemetry t = Telemetry.withExporters(TelemetrySettings.DEFAULTS, "ringkv-node", "n1", sampled)) {
            SpanScope root = t.spans().child("kv.get", io.opentelemetry.api.common.Attributes.empty());
            try (io.opentelemetry.context.Scope ignored = root.makeCurrent()) {
                assertThat(io.opentelemetry.api.trace.Span.current().getSpanContext().isSampled()).as("root sampled").isTrue();
                SpanScope child = t.spans().child("replica.read", io.opentelemetry.api.common.Attributes.empty());
                assertThat(child).isNotSameAs(SpanScope.NOOP);
                child.end();
            }
            root.end();
            // Read before close: closing shuts the in-memory exporter down, which empties it.
            assertThat(sampled.getFinishedSpanItems()).extracting(SpanData::getName)
                    .containsExactlyInAnyOrder("kv.get", "replica.read");
        }
    }

    @Test
    void backgroundWorkStartsItsOwnTraceLinkedToItsCause() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (Telemetry t = Telemetry.withExporters(TelemetrySettings.DEFAULTS, "ringkv-node", "n1", exporter)) {
            KvRequest request = t.request("put", "default", "QUORUM");
            try (Scope ignored = request.makeCurrent()) {
                t.handoff().storeSpan("n3", 5).end();
                t.handoff().replaySpan("n3").end();
            }
            request.end("UNAVAILABLE", "1 of 3 acknowledged");
            SpanData put = byName(exporter.getFinishedSpanItems(), "kv.put");
            SpanData store = byName(exporter.getFinishedSpanItems(), "hint.store");
            SpanData replay = byName(exporter.getFinishedSpanItems(), "hint.replay");
            assertThat(store.getParentSpanId()).isEqualTo(put.getSpanId());
            assertThat(replay.getTraceId()).isNotEqualTo(put.getTraceId());
            assertThat(replay.getLinks()).singleElement()
                    .satisfies(l -> assertThat(l.getSpanContext().getSpanId()).isEqualTo(put.getSpanId()));
            assertThat(put.getStatus().getDescription()).isEqualTo("1 of 3 acknowledged");
        }
    }

    static SpanData byName(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans.stream().map(SpanData::getName).toList()));
    }
}
