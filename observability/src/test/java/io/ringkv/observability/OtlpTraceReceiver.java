package io.ringkv.observability;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real OTLP/gRPC trace receiver on 127.0.0.1 (a free port): the collector's
 * {@code opentelemetry.proto.collector.trace.v1.TraceService}, keeping every span it is sent. For
 * tests of exporters in this JVM or in node processes.
 */
public final class OtlpTraceReceiver implements AutoCloseable {
    /** One received span with the service that sent it. */
    public record Received(String service, String traceId, String spanId, String parentSpanId, String name,
                           List<String> linkedSpanIds) {
    }

    private final List<Received> spans = new CopyOnWriteArrayList<>();
    private final Server server;

    public OtlpTraceReceiver() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request,
                                       StreamObserver<ExportTraceServiceResponse> out) {
                        spans.addAll(unpack(request));
                        out.onNext(ExportTraceServiceResponse.getDefaultInstance());
                        out.onCompleted();
                    }
                })
                .build().start();
    }

    /** {@code http://127.0.0.1:<port>}: the value for {@code OTEL_EXPORTER_OTLP_ENDPOINT} with protocol grpc. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getPort();
    }

    public List<Received> spans() {
        return List.copyOf(spans);
    }

    static List<Received> unpack(ExportTraceServiceRequest request) {
        HexFormat hex = HexFormat.of();
        List<Received> out = new ArrayList<>();
        for (ResourceSpans rs : request.getResourceSpansList()) {
            String service = "";
            for (KeyValue kv : rs.getResource().getAttributesList()) {
                if (kv.getKey().equals("service.name")) {
                    service = kv.getValue().getStringValue();
                }
            }
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span s : ss.getSpansList()) {
                    List<String> links = s.getLinksList().stream().map(l -> hex.formatHex(l.getSpanId().toByteArray())).toList();
                    out.add(new Received(service, hex.formatHex(s.getTraceId().toByteArray()),
                            hex.formatHex(s.getSpanId().toByteArray()), hex.formatHex(s.getParentSpanId().toByteArray()),
                            s.getName(), links));
                }
            }
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
    }
}
