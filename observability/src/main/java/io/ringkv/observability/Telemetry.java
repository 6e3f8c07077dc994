package io.ringkv.observability;

import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.LoggerProvider;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.DefaultAggregationSelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry of one node, client or load tester, built from {@link TelemetrySettings}: its
 * own tracer and meter providers (several nodes may share a JVM, so nothing is global), the
 * instruments ({@link #metrics()}), the span helpers ({@link #spans()}), gRPC interceptors and the
 * Prometheus text. With tracing off the tracer provider is the no-op one and the interceptor lists
 * are empty, so the request path does no tracing work at all. {@link #close()} flushes and stops
 * the exporters; the owner closes it last.
 */
public final class Telemetry implements AutoCloseable {
    private final TelemetrySettings settings;
    private final OpenTelemetry openTelemetry;
    private final SdkTracerProvider tracerProvider;
    private final SdkMeterProvider meterProvider;
    private final PrometheusText prometheus;
    private final RingkvMetrics metrics;
    private final Spans spans;
    private final List<ServerInterceptor> serverInterceptors;
    private final List<ClientInterceptor> clientInterceptors;

    private Telemetry(TelemetrySettings settings, String serviceName, String instanceId, List<SpanExporter> testExporters) {
        this.settings = settings;
        Resource resource = resource(settings, serviceName, instanceId);
        boolean tracing = settings.tracingEnabled() || !testExporters.isEmpty();
        if (tracing) {
            SdkTracerProviderBuilder b = SdkTracerProvider.builder().setResource(resource).setSampler(sampler(settings));
            if (settings.tracingEnabled()) {
                b.addSpanProcessor(BatchSpanProcessor.builder(spanExporter(settings))
                        .setScheduleDelay(Duration.ofMillis(settings.bspScheduleDelayMillis()))
                        .setMaxQueueSize(settings.bspMaxQueueSize())
                        .setMaxExportBatchSize(settings.bspMaxExportBatchSize())
                        .setExporterTimeout(Duration.ofMillis(settings.exportTimeoutMillis()))
                        .build());
            }
            // Tests read what they export at once, in order.
            testExporters.forEach(e -> b.addSpanProcessor(SimpleSpanProcessor.create(e)));
            tracerProvider = b.build();
        } else {
            tracerProvider = null;
        }
        if (settings.prometheusEnabled() || settings.otlpMetricsEnabled()) {
            SdkMeterProviderBuilder b = SdkMeterProvider.builder().setResource(resource);
            PrometheusMetricReader reader = null;
            if (settings.prometheusEnabled()) {
                reader = PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false).build();
                b.registerMetricReader(reader);
            }
            if (settings.otlpMetricsEnabled()) {
                b.registerMetricReader(PeriodicMetricReader.builder(metricExporter(settings))
                        .setInterval(Duration.ofMillis(settings.metricExportIntervalMillis())).build());
            }
            meterProvider = b.build();
            prometheus = reader == null ? PrometheusText.EMPTY : new PrometheusText(reader);
        } else {
            meterProvider = null;
            prometheus = PrometheusText.EMPTY;
        }
        this.openTelemetry = new NodeOpenTelemetry(
                tracerProvider == null ? TracerProvider.noop() : tracerProvider,
                meterProvider == null ? MeterProvider.noop() : meterProvider);
        this.metrics = new RingkvMetrics(openTelemetry.getMeterProvider().get(RingkvMetrics.SCOPE));
        if (meterProvider != null) {
            JvmMetrics.register(openTelemetry.getMeterProvider().get(RingkvMetrics.SCOPE));
        }
        this.spans = tracing ? Spans.of(openTelemetry.getTracer(Spans.SCOPE), settings.sampler()) : Spans.NOOP;
        if (tracing) {
            GrpcTelemetry grpc = GrpcTelemetry.create(openTelemetry);
            serverInterceptors = List.of(grpc.createServerInterceptor());
            clientInterceptors = List.of(grpc.createClientInterceptor());
        } else {
            serverInterceptors = List.of();
            clientInterceptors = List.of();
        }
    }

    /**
     * Builds the telemetry {@code settings} describe.
     *
     * @param defaultServiceName the service name unless {@code otel_service_name} says otherwise
     *                           ({@code ringkv-node}, {@code ringkv-client}, {@code ringkv-bench})
     * @param instanceId         {@code service.instance.id}: the node id, or null
     */
    public static Telemetry start(TelemetrySettings settings, String defaultServiceName, String instanceId) {
        return new Telemetry(settings, defaultServiceName, instanceId, List.of());
    }

    /**
     * Telemetry with tracing on whatever the settings say, every span going to {@code exporters}
     * as soon as it ends (for tests: an in-memory exporter).
     */
    public static Telemetry withExporters(TelemetrySettings settings, String defaultServiceName, String instanceId,
                                          SpanExporter... exporters) {
        return new Telemetry(settings, defaultServiceName, instanceId, List.of(exporters));
    }

    /** Nothing at all: no spans, no metrics, an empty {@code /metrics}. */
    public static Telemetry disabled() {
        return start(TelemetrySettings.from(Map.of("otel_sdk_disabled", "true")), "ringkv", null);
    }

    public TelemetrySettings settings() {
        return settings;
    }

    /** The API to hand to instrumentation (never the global one). */
    public OpenTelemetry openTelemetry() {
        return openTelemetry;
    }

    public boolean tracingEnabled() {
        return tracerProvider != null;
    }

    public RingkvMetrics metrics() {
        return metrics;
    }

    public Spans spans() {
        return spans;
    }

    /**
     * Starts the telemetry of one client request this node coordinates: {@code operation} is
     * {@code get}, {@code put} or {@code delete}; the span ({@code kv.<operation>}) is a child of
     * the current context (the gRPC server span).
     */
    public KvRequest request(String operation, String keyspace, String consistency) {
        return new KvRequest(spans, metrics, operation, keyspace, consistency);
    }

    /** Starts the telemetry of one replica call ({@code read} or {@code write}) to {@code peer}. */
    public ReplicaCall replicaCall(String peer, String operation) {
        return ReplicaCall.start(spans, metrics, peer, operation);
    }

    /** What handoff reports through: hint spans and the hint metrics. */
    public HandoffTelemetry handoff() {
        return new HandoffTelemetry(spans, metrics);
    }

    /** What anti-entropy repair and rebalancing transfers report through. */
    public RepairTelemetry repair() {
        return new RepairTelemetry(spans, metrics);
    }

    /** Server interceptors that continue a caller's trace (W3C trace context); empty when tracing is off. */
    public List<ServerInterceptor> grpcServerInterceptors() {
        return serverInterceptors;
    }

    /** Client interceptors that send the current trace along; empty when tracing is off. */
    public List<ClientInterceptor> grpcClientInterceptors() {
        return clientInterceptors;
    }

    /** The Prometheus text of every metric now (empty when Prometheus is off). */
    public PrometheusText prometheus() {
        return prometheus;
    }

    @Override
    public void close() {
        if (tracerProvider != null) {
            tracerProvider.shutdown().join(10, TimeUnit.SECONDS);
        }
        if (meterProvider != null) {
            meterProvider.shutdown().join(10, TimeUnit.SECONDS);
        }
    }

    private static Resource resource(TelemetrySettings s, String defaultServiceName, String instanceId) {
        AttributesBuilder a = Attributes.builder();
        s.resourceAttributes().forEach(a::put);
        a.put("service.name", s.serviceName() != null ? s.serviceName()
                : s.resourceAttributes().getOrDefault("service.name", defaultServiceName));
        if (instanceId != null && !s.resourceAttributes().containsKey("service.instance.id")) {
            a.put("service.instance.id", instanceId);
        }
        a.put("telemetry.sdk.language", "java");
        return Resource.create(a.build());
    }

    static Sampler sampler(TelemetrySettings s) {
        return switch (s.sampler()) {
            case "always_on" -> Sampler.alwaysOn();
            case "always_off" -> Sampler.alwaysOff();
            case "traceidratio" -> Sampler.traceIdRatioBased(s.samplerRatio());
            case "parentbased_always_off" -> Sampler.parentBased(Sampler.alwaysOff());
            case "parentbased_traceidratio" -> Sampler.parentBased(Sampler.traceIdRatioBased(s.samplerRatio()));
            default -> Sampler.parentBased(Sampler.alwaysOn());
        };
    }

    private static SpanExporter spanExporter(TelemetrySettings s) {
        if (s.tracesProtocol().equals(TelemetrySettings.HTTP_PROTOBUF)) {
            OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder().setEndpoint(s.tracesEndpoint())
                    .setTimeout(Duration.ofMillis(s.exportTimeoutMillis()));
            s.headers().forEach(b::addHeader);
            return b.build();
        }
        OtlpGrpcSpanExporterBuilder b = OtlpGrpcSpanExporter.builder().setEndpoint(s.tracesEndpoint())
                .setTimeout(Duration.ofMillis(s.exportTimeoutMillis()));
        s.headers().forEach(b::addHeader);
        return b.build();
    }

    private static MetricExporter metricExporter(TelemetrySettings s) {
        DefaultAggregationSelector aggregation = s.exponentialHistograms()
                ? DefaultAggregationSelector.getDefault().with(InstrumentType.HISTOGRAM,
                        Aggregation.base2ExponentialBucketHistogram())
                : DefaultAggregationSelector.getDefault();
        if (s.metricsProtocol().equals(TelemetrySettings.HTTP_PROTOBUF)) {
            OtlpHttpMetricExporterBuilder b = OtlpHttpMetricExporter.builder().setEndpoint(s.metricsEndpoint())
                    .setTimeout(Duration.ofMillis(s.exportTimeoutMillis()))
                    .setAggregationTemporalitySelector(AggregationTemporalitySelector.alwaysCumulative())
                    .setDefaultAggregationSelector(aggregation);
            s.headers().forEach(b::addHeader);
            return b.build();
        }
        OtlpGrpcMetricExporterBuilder b = OtlpGrpcMetricExporter.builder().setEndpoint(s.metricsEndpoint())
                .setTimeout(Duration.ofMillis(s.exportTimeoutMillis()))
                .setAggregationTemporalitySelector(AggregationTemporalitySelector.alwaysCumulative())
                .setDefaultAggregationSelector(aggregation);
        s.headers().forEach(b::addHeader);
        return b.build();
    }

    /** The API view over this telemetry's providers, with W3C trace context propagation. */
    private record NodeOpenTelemetry(TracerProvider tracers, MeterProvider meters) implements OpenTelemetry {
        private static final ContextPropagators PROPAGATORS =
                ContextPropagators.create(W3CTraceContextPropagator.getInstance());

        @Override
        public TracerProvider getTracerProvider() {
            return tracers;
        }

        @Override
        public MeterProvider getMeterProvider() {
            return meters;
        }

        @Override
        public LoggerProvider getLogsBridge() {
            return LoggerProvider.noop();
        }

        @Override
        public ContextPropagators getPropagators() {
            return PROPAGATORS;
        }
    }
}
