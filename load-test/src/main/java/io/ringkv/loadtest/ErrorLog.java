package io.ringkv.loadtest;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** Prints the first failure of each kind once, so a run that fails says why (off the hot path). */
final class ErrorLog {
    private final PrintStream err;
    private final AtomicReferenceArray<String> seen = new AtomicReferenceArray<>(ErrorKind.ALL.length);

    ErrorLog(PrintStream err) {
        this.err = err;
    }

    void first(ErrorKind kind, OpType op, String key, Throwable failure) {
        if (seen.get(kind.ordinal()) != null) {
            return;
        }
        String what = failure == null ? "" : ": " + oneLine(failure);
        if (seen.compareAndSet(kind.ordinal(), null, key)) {
            err.println("ringkv bench: first " + kind.label() + " error (" + op.label() + " " + key + ")" + what);
        }
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
