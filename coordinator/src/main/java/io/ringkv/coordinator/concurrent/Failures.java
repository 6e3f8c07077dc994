package io.ringkv.coordinator.concurrent;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The failure behind the exceptions a future wraps it in. */
public final class Failures {
    private Failures() {
    }

    /**
     * {@code error} without the {@link CompletionException} and {@link ExecutionException} wrappers
     * that dependent stages and {@code get} add: what the failed call itself threw.
     */
    public static Throwable cause(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
