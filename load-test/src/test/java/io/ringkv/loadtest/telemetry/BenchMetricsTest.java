package io.ringkv.loadtest.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.ringkv.loadtest.OpType;
import java.util.Collection;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BenchMetricsTest {
    private static Histogram[] histograms() {
        Histogram[] h = new Histogram[OpType.values().length];
        for (int i = 0; i < h.length; i++) {
            h[i] = new Histogram(3);
        }
        return h;
    }

    @Test
    void eachRecordedLatencyBecomesOneObservationInSeconds() {
        InMemoryMetricReader reader = InMemoryMetricReader.create();
        try (SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader).build()) {
            BenchMetrics metrics = new BenchMetrics(provider.get(BenchTelemetry.SCOPE));
            Histogram[] tick = histograms();
            tick[OpType.READ.ordinal()].recordValueWithCount(100, 3); // 100 us, three times
            tick[OpType.READ.ordinal()].recordValue(2_000);
            long[] failures = new long[OpType.values().length];
            failures[OpType.UPDATE.ordinal()] = 2;
            metrics.record(tick, failures);
            Histogram[] second = histograms();
            second[OpType.READ.ordinal()].recordValue(1_000); // below 2048 us a value is kept exactly
            failures[OpType.UPDATE.ordinal()] = 1;
            metrics.record(second, failures);

            Collection<MetricData> data = reader.collectAllMetrics();
            HistogramPointData reads = data.stream().filter(m -> m.getName().equals(BenchMetrics.DURATION))
                    .flatMap(m -> m.getHistogramData().getPoints().stream())
                    .filter(p -> p.getAttributes().equals(Attributes.of(BenchMetrics.OPERATION, "read")))
                    .findFirst().orElseThrow();
            assertThat(reads.getCount()).isEqualTo(5);
            assertThat(reads.getSum()).isCloseTo(3 * 0.0001 + 0.002 + 0.001, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(reads.getBoundaries()).startsWith(0.00005, 0.0001);
            // Buckets include their upper bound: 0.0001 is in (0.00005, 0.0001], 0.001 in (0.00075, 0.001].
            assertThat(reads.getCounts().get(1)).isEqualTo(3);
            assertThat(reads.getCounts().get(reads.getBoundaries().indexOf(0.002))).isEqualTo(1);
            assertThat(reads.getCounts().get(reads.getBoundaries().indexOf(0.001))).isEqualTo(1);
            // Only operations that happened have series.
            assertThat(data.stream().filter(m -> m.getName().equals(BenchMetrics.DURATION))
                    .flatMap(m -> m.getHistogramData().getPoints().stream())).hasSize(1);

            LongPointData errors = data.stream().filter(m -> m.getName().equals(BenchMetrics.ERRORS))
                    .flatMap(m -> m.getLongSumData().getPoints().stream()).findFirst().orElseThrow();
            assertThat(errors.getAttributes()).isEqualTo(Attributes.of(BenchMetrics.OPERATION, "update"));
            assertThat(errors.getValue()).isEqualTo(3);
        }
    }
}
