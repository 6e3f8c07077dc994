package io.ringkv.coordinator.priority;

import io.ringkv.priority.ThreadNice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LargeValueExecutorTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 19})
    void itsThreadsRunAtTheConfiguredNiceValue(int nice) throws Exception {
        assumeTrue(ThreadNice.supported(), "setting a thread's nice value needs Linux");
        Optional<Integer> caller = ThreadNice.current();
        // Unprivileged, a thread can only go lower than where it started.
        assumeTrue(caller.isPresent() && caller.get() < nice, "this JVM already runs at nice " + caller);
        try (LargeValueExecutor executor = new LargeValueExecutor(new LargeValueSettings(2, nice))) {
            CompletableFuture<Optional<Integer>> seen = new CompletableFuture<>();
            executor.execute(() -> seen.complete(ThreadNice.current()));
            assertThat(seen.get(10, TimeUnit.SECONDS)).contains(nice);
        }
        // The caller's own priority is untouched: only the pool's threads were lowered.
        assertThat(ThreadNice.current()).isEqualTo(caller);
    }

    @Test
    void aSuppliedResultReachesItsDependentsOnANormalPriorityThread() throws Exception {
        Optional<Integer> caller = ThreadNice.current();
        try (LargeValueExecutor executor = new LargeValueExecutor(new LargeValueSettings(2, 10))) {
            CountDownLatch registered = new CountDownLatch(1);
            CompletableFuture<Integer> supplied = executor.supply(() -> {
                await(registered); // the dependent below is registered before the result exists
                return 7;
            }, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
            CompletableFuture<String> dependent = supplied.thenApply(v -> v + " on " + Thread.currentThread().getName()
                    + " at nice " + ThreadNice.current().orElse(-1));
            registered.countDown();
            assertThat(dependent.get(10, TimeUnit.SECONDS)).startsWith("7 on ringkv-large-done-")
                    .endsWith(" at nice " + caller.orElse(-1));
            CompletableFuture<Integer> failed = executor.supply(() -> {
                throw new IllegalStateException("boom");
            }, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
            assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void niceZeroLeavesTheInheritedPriority() throws Exception {
        Optional<Integer> caller = ThreadNice.current();
        try (LargeValueExecutor executor = new LargeValueExecutor(new LargeValueSettings(1, 0))) {
            CompletableFuture<Optional<Integer>> seen = new CompletableFuture<>();
            executor.execute(() -> seen.complete(ThreadNice.current()));
            assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(caller);
        }
    }

    @Test
    void tasksRunOnAtMostTheConfiguredNumberOfThreads() throws Exception {
        try (LargeValueExecutor executor = new LargeValueExecutor(new LargeValueSettings(2, 0))) {
            CountDownLatch twoRunning = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> third = new CompletableFuture<>();
            for (int i = 0; i < 2; i++) {
                executor.execute(() -> {
                    twoRunning.countDown();
                    await(release);
                });
            }
            executor.execute(() -> third.complete(null));
            assertThat(twoRunning.await(10, TimeUnit.SECONDS)).isTrue();
            // Both threads are busy: the third task waits its turn rather than getting a thread of its own.
            Thread.sleep(100);
            assertThat(third).isNotDone();
            release.countDown();
            third.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClosedExecutorRefusesNewWork() {
        LargeValueExecutor executor = new LargeValueExecutor(LargeValueSettings.DEFAULTS);
        executor.close();
        assertThatThrownBy(() -> executor.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void pastTheQueueATaskIsRefusedByNameAndTheQueuedOnesStillRun() throws Exception {
        try (LargeValueExecutor executor = new LargeValueExecutor(new LargeValueSettings(1, 0, 2))) {
            HeldThread held = HeldThread.of(executor);
            CountDownLatch queuedRan = new CountDownLatch(2);
            executor.execute(queuedRan::countDown);
            executor.execute(queuedRan::countDown);
            assertThatThrownBy(() -> executor.execute(() -> { }))
                    .isInstanceOf(LargeValueExecutor.Full.class)
                    .hasMessage("the large-value queue is full: 2 tasks waiting (large_value_queue)");
            assertThatThrownBy(() -> executor.supply(() -> 1, System.nanoTime() + TimeUnit.SECONDS.toNanos(10)))
                    .isInstanceOf(LargeValueExecutor.Full.class);
            held.close();
            assertThat(queuedRan.await(10, TimeUnit.SECONDS)).isTrue();
            // Room again once the queue drained.
            assertThat(executor.supply(() -> 7, System.nanoTime() + TimeUnit.SECONDS.toNanos(10)).get(10, TimeUnit.SECONDS))
                    .isEqualTo(7);
        }
    }

    @Test
    void aSuppliedTaskStillWaitingAtItsDeadlineIsNotRun() throws Exception {
        try (LargeValueExecutor executor = new LargeValueExecutor(new LargeValueSettings(1, 0, 4))) {
            HeldThread held = HeldThread.of(executor);
            java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
            CompletableFuture<Integer> late = executor.supply(() -> {
                ran.set(true);
                return 1;
            }, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));
            CompletableFuture<Integer> inTime = executor.supply(() -> 2, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
            Thread.sleep(100); // both wait behind the held thread; the first one's deadline passes
            held.close();
            assertThat(inTime.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(LargeValueExecutor.Expired.class)
                    .hasMessageContaining("past its deadline; not run");
            assertThat(ran).isFalse();
        }
    }

    @Test
    void settingsAreCheckedAtTheirEdges() {
        assertThat(new LargeValueSettings(1, 0).threads()).isEqualTo(1);
        assertThat(new LargeValueSettings(64, 19).nice()).isEqualTo(19);
        assertThatThrownBy(() -> new LargeValueSettings(0, 10)).hasMessage("large_value_threads must be in [1, 64], was 0");
        assertThatThrownBy(() -> new LargeValueSettings(65, 10)).hasMessage("large_value_threads must be in [1, 64], was 65");
        assertThatThrownBy(() -> new LargeValueSettings(2, -1)).hasMessage("large_value_nice must be in [0, 19], was -1");
        assertThatThrownBy(() -> new LargeValueSettings(2, 20)).hasMessage("large_value_nice must be in [0, 19], was 20");
        assertThat(new LargeValueSettings(2, 10, 1).queue()).isEqualTo(1);
        assertThat(new LargeValueSettings(2, 10, 65_536).queue()).isEqualTo(65_536);
        assertThatThrownBy(() -> new LargeValueSettings(2, 10, 0)).hasMessage("large_value_queue must be in [1, 65536], was 0");
        assertThatThrownBy(() -> new LargeValueSettings(2, 10, 65_537))
                .hasMessage("large_value_queue must be in [1, 65536], was 65537");
        assertThat(new LargeValueSettings(2, 10).queue()).isEqualTo(LargeValueSettings.DEFAULT_QUEUE);
        assertThatThrownBy(() -> ThreadNice.set(20)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
