package io.ringkv.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.SyncMode;
import io.ringkv.storage.WriteBatch;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TracingStorageEngineTest {
    @TempDir
    Path dir;

    @Test
    void untracedTelemetryLeavesTheEngineAsItIs() {
        try (Telemetry t = Telemetry.start(TelemetrySettings.DEFAULTS, "ringkv-node", "n1");
             StorageEngine engine = StorageEngines.open("memory", new EngineConfig(dir, SyncMode.NEVER, 1, Map.of()))) {
            assertThat(TracingStorageEngine.wrap(engine, t)).isSameAs(engine);
        }
    }

    @Test
    void eachOperationIsASpanUnderTheCurrentOne() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (Telemetry t = Telemetry.withExporters(TelemetrySettings.DEFAULTS, "ringkv-node", "n1", exporter);
             StorageEngine engine = TracingStorageEngine.wrap(
                     StorageEngines.open("memory", new EngineConfig(dir, SyncMode.NEVER, 1, Map.of())), t)) {
            SpanScope parent = t.spans().child("replica.write", Attributes.empty());
            try (Scope ignored = parent.makeCurrent()) {
                engine.put(Namespace.DATA, new byte[] {1}, new byte[] {2, 3});
                assertThat(engine.get(Namespace.DATA, new byte[] {1})).containsExactly(2, 3);
                engine.write(new WriteBatch().delete(Namespace.DATA, new byte[] {1}));
                engine.delete(Namespace.DATA, new byte[] {9});
            }
            parent.end();
            List<SpanData> spans = exporter.getFinishedSpanItems();
            SpanData root = TelemetryTest.byName(spans, "replica.write");
            assertThat(spans.stream().filter(s -> s.getParentSpanId().equals(root.getSpanId())).map(SpanData::getName))
                    .containsExactly("storage.put", "storage.get", "storage.write", "storage.delete");
            assertThat(TelemetryTest.byName(spans, "storage.get").getAttributes().asMap().toString())
                    .contains("db.namespace=data", "found=1");
        }
    }

    @Test
    void underAnUnsampledTraceOperationsReachTheEngineWithoutSpans() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        TelemetrySettings neverSampled = TelemetrySettings.from(Map.of(
                "otel_traces_sampler", "parentbased_traceidratio", "otel_traces_sampler_arg", "0"));
        try (Telemetry t = Telemetry.withExporters(neverSampled, "ringkv-node", "n1", exporter);
             StorageEngine engine = TracingStorageEngine.wrap(
                     StorageEngines.open("memory", new EngineConfig(dir, SyncMode.NEVER, 1, Map.of())), t)) {
            assertThat(engine).isInstanceOf(TracingStorageEngine.class);
            SpanScope request = t.spans().child("kv.put", Attributes.empty());
            try (Scope ignored = request.makeCurrent()) {
                assertThat(t.spans().startsUnderCurrent()).isFalse();
                engine.put(Namespace.DATA, new byte[] {1}, new byte[] {2, 3});
                engine.write(new WriteBatch().put(Namespace.DATA, new byte[] {4}, new byte[] {5}));
                engine.delete(Namespace.DATA, new byte[] {4});
                assertThat(engine.get(Namespace.DATA, new byte[] {1})).containsExactly(2, 3);
                assertThat(engine.get(Namespace.DATA, new byte[] {4})).isNull();
            }
            request.end();
            assertThat(exporter.getFinishedSpanItems()).isEmpty();
        }
    }
}
