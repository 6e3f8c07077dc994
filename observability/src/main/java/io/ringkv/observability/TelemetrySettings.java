package io.ringkv.observability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * OpenTelemetry settings, validated: the standard {@code OTEL_*} environment variables, read as
 * config keys of the same name in lower case ({@code OTEL_TRACES_EXPORTER} is
 * {@code otel_traces_exporter}). Everything is off by default except the Prometheus text on
 * {@code /metrics}. Tracing is on only when {@link #tracesExporter} is {@code otlp}; when it is
 * off no span is ever created (the API is the no-op one).
 *
 * @param sdkDisabled            {@code otel_sdk_disabled}: no traces and no metrics at all ({@code /metrics} is empty)
 * @param serviceName            {@code otel_service_name}; null: the caller's default ({@code ringkv-node}, ...)
 * @param resourceAttributes     {@code otel_resource_attributes}, {@code k=v,k=v}
 * @param tracesExporter         {@code otel_traces_exporter}: {@code none} (default) or {@code otlp}
 * @param metricsExporters       {@code otel_metrics_exporter}: any of {@code prometheus} (default), {@code otlp}; or {@code none}
 * @param tracesEndpoint         where spans go (signal endpoint, or the base endpoint plus {@code /v1/traces} over HTTP)
 * @param metricsEndpoint        where OTLP metrics go
 * @param tracesProtocol         {@code grpc} (default) or {@code http/protobuf}
 * @param metricsProtocol        likewise for metrics
 * @param headers                {@code otel_exporter_otlp_headers}, sent with every export
 * @param exportTimeoutMillis    {@code otel_exporter_otlp_timeout}
 * @param exponentialHistograms  {@code otel_exporter_otlp_metrics_default_histogram_aggregation} is
 *                               {@code base2_exponential_bucket_histogram} (OTLP only; /metrics keeps explicit buckets)
 * @param sampler                {@code otel_traces_sampler}, e.g. {@code parentbased_traceidratio}
 * @param samplerRatio           {@code otel_traces_sampler_arg} for the ratio samplers, in [0, 1]
 * @param metricExportIntervalMillis {@code otel_metric_export_interval}
 * @param bspScheduleDelayMillis {@code otel_bsp_schedule_delay}
 * @param bspMaxQueueSize        {@code otel_bsp_max_queue_size}: spans held for export; more are dropped
 * @param bspMaxExportBatchSize  {@code otel_bsp_max_export_batch_size}
 */
public record TelemetrySettings(boolean sdkDisabled, String serviceName, Map<String, String> resourceAttributes,
                                String tracesExporter, Set<String> metricsExporters, String tracesEndpoint,
                                String metricsEndpoint, String tracesProtocol, String metricsProtocol,
                                Map<String, String> headers, long exportTimeoutMillis, boolean exponentialHistograms,
                                String sampler, double samplerRatio, long metricExportIntervalMillis,
                                long bspScheduleDelayMillis, int bspMaxQueueSize, int bspMaxExportBatchSize) {

    public static final String GRPC = "grpc";
    public static final String HTTP_PROTOBUF = "http/protobuf";
    public static final List<String> SAMPLERS = List.of("always_on", "always_off", "traceidratio",
            "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio");
    public static final long MAX_TIMEOUT_MILLIS = 600_000;
    public static final long MIN_EXPORT_INTERVAL_MILLIS = 100;
    public static final long MAX_EXPORT_INTERVAL_MILLIS = 86_400_000;
    public static final int MAX_QUEUE_SIZE = 1_000_000;

    /** Every key this record reads, lower case; their environment variables are the same names in upper case. */
    public static final Set<String> KEYS = Set.of("otel_sdk_disabled", "otel_service_name",
            "otel_resource_attributes", "otel_traces_exporter", "otel_metrics_exporter", "otel_exporter_otlp_endpoint",
            "otel_exporter_otlp_traces_endpoint", "otel_exporter_otlp_metrics_endpoint", "otel_exporter_otlp_protocol",
            "otel_exporter_otlp_traces_protocol", "otel_exporter_otlp_metrics_protocol", "otel_exporter_otlp_headers",
            "otel_exporter_otlp_timeout", "otel_exporter_otlp_metrics_default_histogram_aggregation",
            "otel_traces_sampler", "otel_traces_sampler_arg", "otel_metric_export_interval", "otel_bsp_schedule_delay",
            "otel_bsp_max_queue_size", "otel_bsp_max_export_batch_size");

    /** The defaults: Prometheus text on /metrics, nothing else. */
    public static final TelemetrySettings DEFAULTS = from(Map.of());

    public TelemetrySettings {
        resourceAttributes = Map.copyOf(resourceAttributes);
        metricsExporters = Set.copyOf(metricsExporters);
        headers = Map.copyOf(headers);
        if (!tracesExporter.equals("none") && !tracesExporter.equals("otlp")) {
            throw new IllegalArgumentException("otel_traces_exporter must be none or otlp, was '" + tracesExporter + "'");
        }
        for (String e : metricsExporters) {
            if (!e.equals("prometheus") && !e.equals("otlp")) {
                throw new IllegalArgumentException("otel_metrics_exporter takes prometheus, otlp or none, was '" + e + "'");
            }
        }
        checkProtocol("otel_exporter_otlp_traces_protocol", tracesProtocol);
        checkProtocol("otel_exporter_otlp_metrics_protocol", metricsProtocol);
        checkEndpoint("otel_exporter_otlp_traces_endpoint", tracesEndpoint);
        checkEndpoint("otel_exporter_otlp_metrics_endpoint", metricsEndpoint);
        checkRange("otel_exporter_otlp_timeout", exportTimeoutMillis, 1, MAX_TIMEOUT_MILLIS);
        if (!SAMPLERS.contains(sampler)) {
            throw new IllegalArgumentException("otel_traces_sampler must be one of " + SAMPLERS + ", was '" + sampler + "'");
        }
        if (!(samplerRatio >= 0 && samplerRatio <= 1)) {
            throw new IllegalArgumentException("otel_traces_sampler_arg must be in [0, 1], was " + samplerRatio);
        }
        checkRange("otel_metric_export_interval", metricExportIntervalMillis, MIN_EXPORT_INTERVAL_MILLIS,
                MAX_EXPORT_INTERVAL_MILLIS);
        checkRange("otel_bsp_schedule_delay", bspScheduleDelayMillis, 1, MAX_TIMEOUT_MILLIS);
        checkRange("otel_bsp_max_queue_size", bspMaxQueueSize, 1, MAX_QUEUE_SIZE);
        checkRange("otel_bsp_max_export_batch_size", bspMaxExportBatchSize, 1, bspMaxQueueSize);
    }

    /** True when spans are recorded and exported; false means the no-op tracer, no span objects at all. */
    public boolean tracingEnabled() {
        return !sdkDisabled && tracesExporter.equals("otlp");
    }

    public boolean prometheusEnabled() {
        return !sdkDisabled && metricsExporters.contains("prometheus");
    }

    public boolean otlpMetricsEnabled() {
        return !sdkDisabled && metricsExporters.contains("otlp");
    }

    /**
     * Reads the keys present in {@code values} (lower-case key names; values as strings or YAML
     * scalars); absent keys take their defaults. Keys not in {@link #KEYS} are ignored: callers
     * check their own key sets.
     *
     * @throws IllegalArgumentException with a one-line reason when a value is out of range
     */
    public static TelemetrySettings from(Map<String, ?> values) {
        Map<String, String> v = new LinkedHashMap<>();
        values.forEach((k, val) -> {
            String key = k.toLowerCase(Locale.ROOT);
            if (KEYS.contains(key) && val != null && !String.valueOf(val).isBlank()) {
                v.put(key, String.valueOf(val).trim());
            }
        });
        String protocol = v.getOrDefault("otel_exporter_otlp_protocol", GRPC);
        String tracesProtocol = v.getOrDefault("otel_exporter_otlp_traces_protocol", protocol);
        String metricsProtocol = v.getOrDefault("otel_exporter_otlp_metrics_protocol", protocol);
        String base = v.get("otel_exporter_otlp_endpoint");
        String tracesEndpoint = v.getOrDefault("otel_exporter_otlp_traces_endpoint",
                signalEndpoint(base, tracesProtocol, "/v1/traces"));
        String metricsEndpoint = v.getOrDefault("otel_exporter_otlp_metrics_endpoint",
                signalEndpoint(base, metricsProtocol, "/v1/metrics"));
        String histogram = v.getOrDefault("otel_exporter_otlp_metrics_default_histogram_aggregation",
                "explicit_bucket_histogram");
        if (!histogram.equals("explicit_bucket_histogram") && !histogram.equals("base2_exponential_bucket_histogram")) {
            throw new IllegalArgumentException("otel_exporter_otlp_metrics_default_histogram_aggregation must be "
                    + "explicit_bucket_histogram or base2_exponential_bucket_histogram, was '" + histogram + "'");
        }
        Set<String> metrics = new TreeSet<>(List.of(v.getOrDefault("otel_metrics_exporter", "prometheus").split(",")));
        metrics.removeIf(String::isBlank);
        metrics = new TreeSet<>(metrics.stream().map(String::trim).toList());
        if (metrics.contains("none")) {
            if (metrics.size() > 1) {
                throw new IllegalArgumentException("otel_metrics_exporter: none cannot be combined with " + metrics);
            }
            metrics.clear();
        }
        int queue = (int) number(v, "otel_bsp_max_queue_size", 2048);
        return new TelemetrySettings(bool(v, "otel_sdk_disabled"), v.get("otel_service_name"),
                pairs(v.get("otel_resource_attributes"), "otel_resource_attributes"),
                v.getOrDefault("otel_traces_exporter", "none"), metrics, tracesEndpoint, metricsEndpoint,
                tracesProtocol, metricsProtocol, pairs(v.get("otel_exporter_otlp_headers"), "otel_exporter_otlp_headers"),
                number(v, "otel_exporter_otlp_timeout", 10_000), histogram.startsWith("base2"),
                v.getOrDefault("otel_traces_sampler", "parentbased_always_on"),
                ratio(v.getOrDefault("otel_traces_sampler_arg", "1.0")),
                number(v, "otel_metric_export_interval", 60_000), number(v, "otel_bsp_schedule_delay", 5_000),
                queue, (int) number(v, "otel_bsp_max_export_batch_size", Math.min(512, queue)));
    }

    /**
     * Reads the {@code OTEL_*} variables of {@code env} over {@code base} (config-file values,
     * lower-case keys): the environment wins, as for every other key.
     */
    public static TelemetrySettings from(Map<String, ?> base, Map<String, String> env) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        for (String key : KEYS) {
            String value = env.get(key.toUpperCase(Locale.ROOT));
            if (value != null && !value.isBlank()) {
                merged.put(key, value);
            }
        }
        return from(merged);
    }

    /** The entries of {@code env} that are {@code OTEL_*} variables this record reads (nothing else). */
    public static Map<String, String> variables(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : KEYS) {
            String name = key.toUpperCase(Locale.ROOT);
            if (env.get(name) != null) {
                out.put(name, env.get(name));
            }
        }
        return out;
    }

    private static String signalEndpoint(String base, String protocol, String path) {
        if (protocol.equals(HTTP_PROTOBUF)) {
            String b = base == null ? "http://localhost:4318" : base;
            return (b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + path;
        }
        return base == null ? "http://localhost:4317" : base;
    }

    private static void checkProtocol(String key, String protocol) {
        if (!protocol.equals(GRPC) && !protocol.equals(HTTP_PROTOBUF)) {
            throw new IllegalArgumentException(key + " must be grpc or http/protobuf, was '" + protocol + "'");
        }
    }

    private static void checkEndpoint(String key, String endpoint) {
        if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            throw new IllegalArgumentException(key + " must be an http:// or https:// URL, was '" + endpoint + "'");
        }
    }

    private static void checkRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], was " + value);
        }
    }

    private static boolean bool(Map<String, String> v, String key) {
        String s = v.getOrDefault(key, "false").toLowerCase(Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false, was '" + s + "'");
        }
        return s.equals("true");
    }

    private static long number(Map<String, String> v, String key, long dflt) {
        String s = v.get(key);
        if (s == null) {
            return dflt;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number (milliseconds or a count), was '" + s + "'");
        }
    }

    private static double ratio(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("otel_traces_sampler_arg must be a number in [0, 1], was '" + s + "'");
        }
    }

    /** {@code k=v,k=v} as in OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS (values may be %-encoded). */
    static Map<String, String> pairs(String raw, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String part : raw.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(key + " must be k=v pairs separated by commas, was '" + raw + "'");
            }
            out.put(part.substring(0, eq).trim(),
                    java.net.URLDecoder.decode(part.substring(eq + 1).trim(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
    }
}
