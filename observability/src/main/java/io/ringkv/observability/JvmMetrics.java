package io.ringkv.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/**
 * A few JVM gauges from the platform MXBeans, named as OpenTelemetry's JVM semantic conventions
 * name them (the runtime-telemetry library is not in this build's dependency set).
 */
final class JvmMetrics {
    private static final AttributeKey<String> MEMORY_TYPE = AttributeKey.stringKey("jvm.memory.type");
    private static final AttributeKey<String> GC_NAME = AttributeKey.stringKey("jvm.gc.name");
    private static final Attributes HEAP = Attributes.of(MEMORY_TYPE, "heap");
    private static final Attributes NON_HEAP = Attributes.of(MEMORY_TYPE, "non_heap");

    private JvmMetrics() {
    }

    static void register(Meter meter) {
        var memory = ManagementFactory.getMemoryMXBean();
        meter.gaugeBuilder(MetricNames.JVM_MEMORY_USED).ofLongs().setUnit("By").setDescription("JVM memory in use")
                .buildWithCallback(m -> {
                    m.record(memory.getHeapMemoryUsage().getUsed(), HEAP);
                    m.record(memory.getNonHeapMemoryUsage().getUsed(), NON_HEAP);
                });
        meter.gaugeBuilder(MetricNames.JVM_MEMORY_COMMITTED).ofLongs().setUnit("By")
                .setDescription("JVM memory committed").buildWithCallback(m -> {
                    m.record(memory.getHeapMemoryUsage().getCommitted(), HEAP);
                    m.record(memory.getNonHeapMemoryUsage().getCommitted(), NON_HEAP);
                });
        meter.gaugeBuilder(MetricNames.JVM_MEMORY_LIMIT).ofLongs().setUnit("By")
                .setDescription("JVM memory limit (heap: -Xmx)").buildWithCallback(m -> {
                    MemoryUsage heap = memory.getHeapMemoryUsage();
                    if (heap.getMax() >= 0) {
                        m.record(heap.getMax(), HEAP);
                    }
                });
        var threads = ManagementFactory.getThreadMXBean();
        meter.gaugeBuilder(MetricNames.JVM_THREADS).ofLongs().setUnit("{thread}")
                .setDescription("Live platform threads").buildWithCallback(m -> m.record(threads.getThreadCount()));
        var classes = ManagementFactory.getClassLoadingMXBean();
        meter.gaugeBuilder(MetricNames.JVM_CLASSES).ofLongs().setUnit("{class}")
                .setDescription("Loaded classes").buildWithCallback(m -> m.record(classes.getLoadedClassCount()));
        meter.counterBuilder(MetricNames.JVM_GC_COLLECTIONS).setUnit("{collection}")
                .setDescription("Garbage collections, by collector").buildWithCallback(m -> {
                    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                        if (gc.getCollectionCount() >= 0) {
                            m.record(gc.getCollectionCount(), Attributes.of(GC_NAME, gc.getName()));
                        }
                    }
                });
        meter.counterBuilder(MetricNames.JVM_GC_TIME).ofDoubles().setUnit("s")
                .setDescription("Time spent in garbage collection, by collector").buildWithCallback(m -> {
                    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                        if (gc.getCollectionTime() >= 0) {
                            m.record(gc.getCollectionTime() / 1000.0, Attributes.of(GC_NAME, gc.getName()));
                        }
                    }
                });
        var os = ManagementFactory.getOperatingSystemMXBean();
        meter.gaugeBuilder(MetricNames.JVM_CPUS).ofLongs().setUnit("{cpu}")
                .setDescription("Processors available to the JVM").buildWithCallback(m -> m.record(os.getAvailableProcessors()));
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            meter.gaugeBuilder(MetricNames.JVM_CPU_UTILIZATION).setUnit("1")
                    .setDescription("Recent CPU use of this process, 0 to 1 of all processors")
                    .buildWithCallback(m -> {
                        double load = sun.getProcessCpuLoad();
                        if (load >= 0) {
                            m.record(load);
                        }
                    });
        }
    }
}
