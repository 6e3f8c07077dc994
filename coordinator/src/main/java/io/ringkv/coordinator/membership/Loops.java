package io.ringkv.coordinator.membership;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Helpers shared by the background loops that talk to Consul. */
final class Loops {
    private static final Logger log = LoggerFactory.getLogger(Loops.class);

    private Loops() {
    }

    /**
     * The index for the next blocking query, after Consul's rules: take the returned index, which
     * resets it when it went backwards (a restarted store), and never use 0 again after the first
     * answer (0 does not block).
     */
    static long nextIndex(long previous, Long returned) {
        long next = returned == null ? previous : returned;
        return Math.max(1, next);
    }

    /** Sleeps; false if interrupted (the loop should end). */
    static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Interrupts the threads, which also aborts a blocking socket read of a virtual thread, and
     * waits for them to end, at most {@code timeoutMillis} in all.
     */
    static void stopAll(List<Thread> threads, long timeoutMillis) {
        threads.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            try {
                if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                    log.warn("{} did not stop within {} ms", t.getName(), timeoutMillis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
