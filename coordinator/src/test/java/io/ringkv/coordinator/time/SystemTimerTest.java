package io.ringkv.coordinator.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SystemTimerTest {
    @Test
    void timersOfOneProcessShareAWheelAndAClosedOnesTasksDoNotRun() throws Exception {
        int before = SystemTimer.leases();
        SystemTimer a = new SystemTimer();
        SystemTimer b = new SystemTimer();
        try {
            assertThat(SystemTimer.leases()).isEqualTo(before + 2);
            AtomicBoolean closedRan = new AtomicBoolean();
            a.schedule(50, () -> closedRan.set(true));
            a.close();
            assertThatThrownBy(() -> a.schedule(1, () -> { })).isInstanceOf(IllegalStateException.class)
                    .hasMessage("timer closed");
            // The other timer still runs its tasks, after the closed one's would have run.
            CountDownLatch ran = new CountDownLatch(1);
            b.schedule(150, ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(closedRan).isFalse();
            assertThat(SystemTimer.leases()).isEqualTo(before + 1);
        } finally {
            a.close();
            b.close();
        }
        assertThat(SystemTimer.leases()).isEqualTo(before);
        // A timer made after every lease ended starts a wheel again.
        try (SystemTimer c = new SystemTimer()) {
            CountDownLatch ran = new CountDownLatch(1);
            c.schedule(1, ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicBoolean cancelledRan = new AtomicBoolean();
            c.schedule(100, () -> cancelledRan.set(true)).cancel();
            CountDownLatch later = new CountDownLatch(1);
            c.schedule(200, later::countDown);
            assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(cancelledRan).isFalse();
        }
    }
}
