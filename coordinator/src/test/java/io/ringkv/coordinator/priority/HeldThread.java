package io.ringkv.coordinator.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Test help: keeps the only thread of a one-thread {@link LargeValueExecutor} busy until closed, so
 * a test decides what waits in its queue.
 */
public final class HeldThread implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);

    private HeldThread() {
    }

    /** Occupies {@code executor}'s thread (it has one) and returns once that thread is held. */
    public static HeldThread of(LargeValueExecutor executor) throws InterruptedException {
        HeldThread held = new HeldThread();
        CountDownLatch running = new CountDownLatch(1);
        executor.execute(() -> {
            running.countDown();
            try {
                held.release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).as("the large-value thread took the holding task").isTrue();
        return held;
    }

    /** Lets the thread go. */
    @Override
    public void close() {
        release.countDown();
    }

    /** Returns once {@code executor} has room again: a probe task was taken and run. */
    public static void drained(LargeValueExecutor executor) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreException(LargeValueExecutor.Full.class)
                .until(() -> executor.supply(() -> true, System.nanoTime() + TimeUnit.SECONDS.toNanos(10))
                        .get(10, TimeUnit.SECONDS));
    }
}
