package io.ringkv.loadtest;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real OTLP/gRPC metrics receiver on 127.0.0.1 (a free port): the collector's
 * {@code MetricsService}, keeping every export. Metrics are cumulative, so the largest count
 * seen for a series is its latest.
 */
final class OtlpMetricsReceiver implements AutoCloseable {
    private final List<ExportMetricsServiceRequest> requests = new CopyOnWriteArrayList<>();
    private final Server server;

    OtlpMetricsReceiver() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new MetricsServiceGrpc.MetricsServiceImplBase() {
                    @Override
                    public void export(ExportMetricsServiceRequest request,
                                       StreamObserver<ExportMetricsServiceResponse> out) {
                        requests.add(request);
                        out.onNext(ExportMetricsServiceResponse.getDefaultInstance());
                        out.onCompleted();
                    }
                })
                .build().start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** The {@code service.name} of every export. */
    List<String> services() {
        return requests.stream().flatMap(r -> r.getResourceMetricsList().stream())
                .map(rm -> attribute(rm.getResource().getAttributesList(), "service.name")).distinct().toList();
    }

    /** The latest count of histogram {@code name}'s series with {@code operation}, or -1 if never seen. */
    long histogramCount(String name, String operation) {
        long count = -1;
        for (Metric m : metrics(name)) {
            for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
                if (operation.equals(attribute(p.getAttributesList(), "operation"))) {
                    count = Math.max(count, p.getCount());
                }
            }
        }
        return count;
    }

    /** The latest value of counter {@code name}'s series with {@code operation}, or -1 if never seen. */
    long counterValue(String name, String operation) {
        long value = -1;
        for (Metric m : metrics(name)) {
            for (NumberDataPoint p : m.getSum().getDataPointsList()) {
                if (operation.equals(attribute(p.getAttributesList(), "operation"))) {
                    value = Math.max(value, p.getAsInt());
                }
            }
        }
        return value;
    }

    private List<Metric> metrics(String name) {
        return requests.stream().flatMap(r -> r.getResourceMetricsList().stream())
                .flatMap((ResourceMetrics rm) -> rm.getScopeMetricsList().stream())
                .flatMap((ScopeMetrics sm) -> sm.getMetricsList().stream())
                .filter(m -> m.getName().equals(name)).toList();
    }

    private static String attribute(List<KeyValue> attributes, String key) {
        for (KeyValue kv : attributes) {
            if (kv.getKey().equals(key)) {
                return kv.getValue().getStringValue();
            }
        }
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
    }
}
