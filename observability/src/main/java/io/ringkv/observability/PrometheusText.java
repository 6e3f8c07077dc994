package io.ringkv.observability;

import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The Prometheus text exposition (format 0.0.4) of one meter provider, collected on each call:
 * what a node serves on {@code /metrics} from its own port, so there is no second listener.
 */
public final class PrometheusText {
    /** The content type Prometheus expects for this format. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
    static final PrometheusText EMPTY = new PrometheusText(null);

    private final PrometheusMetricReader reader;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    PrometheusText(PrometheusMetricReader reader) {
        this.reader = reader;
    }

    public boolean enabled() {
        return reader != null;
    }

    /** Every metric now, as Prometheus text; empty when Prometheus is off. */
    public String scrape() {
        if (reader == null) {
            return "";
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, reader.collect());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
