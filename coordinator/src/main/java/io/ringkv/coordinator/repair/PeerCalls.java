package io.ringkv.coordinator.repair;

import io.ringkv.coordinator.concurrent.Failures;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** Helpers for keeping several {@link RepairPeer} calls in flight and failing as the blocking calls would. */
final class PeerCalls {
    private PeerCalls() {
    }

    /** A peer's async call, with an exception thrown before it returned a future taken as its failure. */
    static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Waits for both futures; throws the failure of {@code first} if it failed, else that of
     * {@code second}: what the blocking calls one after the other would have thrown first.
     */
    static void awaitBoth(CompletableFuture<?> first, CompletableFuture<?> second) {
        try {
            CompletableFuture.allOf(first, second).join();
        } catch (CompletionException | CancellationException ignored) {
            // Reported below, in argument order.
        }
        RuntimeException failure = firstFailure(first, second);
        if (failure != null) {
            throw failure;
        }
    }

    /** The failure of the first future that failed, in argument order, or null; all must be complete. */
    static RuntimeException firstFailure(CompletableFuture<?>... futures) {
        for (CompletableFuture<?> f : futures) {
            if (f.isCompletedExceptionally()) {
                try {
                    f.join();
                } catch (CompletionException | CancellationException e) {
                    return unwrap(e);
                }
            }
        }
        return null;
    }

    /** The exception a blocking call would have thrown, from a future's wrapped failure. */
    static RuntimeException unwrap(Throwable e) {
        Throwable t = Failures.cause(e);
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(t);
    }
}
