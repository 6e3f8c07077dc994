package io.ringkv.loadtest.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.ringkv.observability.Telemetry;
import io.ringkv.observability.TelemetrySettings;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The bench's OpenTelemetry, built once at start from {@link #settings}: the client's spans and
 * a span per operation when tracing is on, {@link BenchMetrics} over OTLP when metrics are on.
 * {@link #OFF} (no traces, no metrics) starts nothing; {@link #close()} flushes the exporters and
 * is called after the run's last operation.
 */
public final class BenchTelemetry implements AutoCloseable {
    /** {@code service.name} unless {@code OTEL_SERVICE_NAME} says otherwise. */
    public static final String SERVICE_NAME = "ringkv-bench";
    /** The instrumentation scope of the bench's spans and metrics. */
    static final String SCOPE = "io.ringkv.loadtest";

    /** Held so the handler set on it is not lost when java.util.logging drops an unreferenced logger. */
    private static final Logger SDK_LOG = Logger.getLogger("io.opentelemetry");

    /** Nothing: the client gets no OpenTelemetry, workers start no spans, nothing records metrics. */
    public static final BenchTelemetry OFF = new BenchTelemetry(null);

    private final Telemetry telemetry;
    private final OperationTracer tracer;
    private final BenchMetrics metrics;

    private BenchTelemetry(Telemetry telemetry) {
        this.telemetry = telemetry;
        boolean tracing = telemetry != null && telemetry.settings().tracingEnabled();
        boolean otlpMetrics = telemetry != null && telemetry.settings().otlpMetricsEnabled();
        OpenTelemetry otel = telemetry == null ? null : telemetry.openTelemetry();
        this.tracer = tracing ? new OperationTracer(otel.getTracer(SCOPE)) : null;
        this.metrics = otlpMetrics ? new BenchMetrics(otel.getMeter(SCOPE)) : null;
    }

    /**
     * The settings of a run: the {@code OTEL_*} variables of {@code env}, overridden by
     * {@code flags} ({@code --otel KEY=VALUE}: a variable's name with or without {@code OTEL_}, any
     * case, {@code -} or {@code _}). The bench serves no {@code /metrics}, so the metrics exporter
     * {@code prometheus} is dropped and the default is {@code none}; {@code otlp} exports.
     *
     * @throws IllegalArgumentException with a one-line reason for an unknown key or a bad value
     */
    public static TelemetrySettings settings(Map<String, String> env, Map<String, String> flags) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String key : TelemetrySettings.KEYS) {
            String value = env.get(key.toUpperCase(Locale.ROOT));
            if (value != null && !value.isBlank()) {
                values.put(key, value);
            }
        }
        flags.forEach((name, value) -> values.put(flagKey(name), value));
        Object metrics = values.get("otel_metrics_exporter");
        TreeSet<String> exporters = new TreeSet<>();
        if (metrics != null) {
            for (String e : String.valueOf(metrics).split(",")) {
                if (!e.isBlank() && !e.trim().equals("prometheus")) {
                    exporters.add(e.trim());
                }
            }
        }
        values.put("otel_metrics_exporter", exporters.isEmpty() ? "none" : String.join(",", exporters));
        return TelemetrySettings.from(values);
    }

    /** {@code traces-exporter}, {@code OTEL_TRACES_EXPORTER} and {@code otel_traces_exporter} are one key. */
    static String flagKey(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        if (!key.startsWith("otel_")) {
            key = "otel_" + key;
        }
        if (!TelemetrySettings.KEYS.contains(key)) {
            throw new IllegalArgumentException("--otel: unknown setting '" + name + "' (the OTEL_* variables' names, "
                    + "e.g. traces_exporter=otlp, exporter_otlp_endpoint=http://host:4317)");
        }
        return key;
    }

    /**
     * Starts what {@code settings} turn on; {@link #OFF} when neither traces nor OTLP metrics are.
     *
     * @param instanceId {@code service.instance.id}, unless the resource attributes name one
     */
    public static BenchTelemetry start(TelemetrySettings settings, String instanceId) {
        if (!settings.tracingEnabled() && !settings.otlpMetricsEnabled()) {
            return OFF;
        }
        return new BenchTelemetry(Telemetry.start(settings, SERVICE_NAME, instanceId));
    }

    /**
     * Sends the SDK's warnings (an unreachable collector, a full span queue) to {@code err} as one
     * line each, instead of java.util.logging's two lines and a stack trace per failed export.
     */
    public static void logTo(PrintStream err) {
        for (Handler h : SDK_LOG.getHandlers()) {
            SDK_LOG.removeHandler(h);
        }
        SDK_LOG.setUseParentHandlers(false);
        SDK_LOG.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() < Level.WARNING.intValue()) {
                    return;
                }
                String message = r.getParameters() == null ? r.getMessage()
                        : java.text.MessageFormat.format(r.getMessage(), r.getParameters());
                Throwable t = r.getThrown();
                err.println("ringkv bench: telemetry: " + message + (t == null ? "" : " (" + t.getMessage() + ")"));
            }

            @Override
            public void flush() {
                err.flush();
            }

            @Override
            public void close() {
            }
        });
    }

    public boolean tracingEnabled() {
        return tracer != null;
    }

    /** The OpenTelemetry to hand to the client; only meaningful when {@link #tracingEnabled()}. */
    public OpenTelemetry openTelemetry() {
        return telemetry == null ? OpenTelemetry.noop() : telemetry.openTelemetry();
    }

    /** The span per operation, or null when tracing is off (workers then start none). */
    public OperationTracer operationTracer() {
        return tracer;
    }

    /** The bench's metrics, or null when OTLP metrics are off (nothing is then recorded). */
    public BenchMetrics metrics() {
        return metrics;
    }

    /** One line for stderr saying what is exported where, or null when everything is off. */
    public String describe() {
        if (telemetry == null) {
            return null;
        }
        TelemetrySettings s = telemetry.settings();
        StringBuilder b = new StringBuilder("ringkv bench: telemetry: ");
        b.append("traces ");
        if (s.tracingEnabled()) {
            b.append("otlp ").append(s.tracesProtocol()).append(" to ").append(s.tracesEndpoint())
                    .append(" (sampler ").append(s.sampler());
            if (s.sampler().endsWith("traceidratio")) {
                b.append(' ').append(s.samplerRatio());
            }
            b.append(')');
        } else {
            b.append("off");
        }
        b.append(", metrics ");
        if (s.otlpMetricsEnabled()) {
            b.append("otlp ").append(s.metricsProtocol()).append(" to ").append(s.metricsEndpoint()).append(" every ")
                    .append(s.metricExportIntervalMillis()).append(" ms");
        } else {
            b.append("off");
        }
        return b.toString();
    }

    /** Flushes spans and metrics still held and stops the exporters (waits up to 10 s for each). */
    @Override
    public void close() {
        if (telemetry != null) {
            telemetry.close();
        }
    }
}
