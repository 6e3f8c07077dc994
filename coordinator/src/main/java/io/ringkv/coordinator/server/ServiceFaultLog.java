package io.ringkv.coordinator.server;

import com.linecorp.armeria.common.ClosedSessionException;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.stream.AbortedStreamException;
import com.linecorp.armeria.common.stream.CancelledSubscriptionException;
import com.linecorp.armeria.common.stream.ClosedStreamException;
import com.linecorp.armeria.common.util.Exceptions;
import com.linecorp.armeria.server.HttpResponseException;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.RequestTimeoutException;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the failures of a node's services that are the node's own fault, at most once per interval.
 *
 * <p>Armeria's default reports every failed call every 10 s as a warning with a stack trace, and
 * most are outcomes, not faults: a client that gave up (CANCELLED), a deadline, a quorum not met, a
 * bad argument. Those are counted by {@code ringkv.request.errors}; a warning for each would teach
 * operators to ignore the log. What is left (gRPC UNKNOWN, INTERNAL, DATA_LOSS, UNIMPLEMENTED, or a
 * throwable no status names) is logged here with its stack, and Armeria's report is turned off.
 */
final class ServiceFaultLog implements ServerErrorHandler {
    /** How often at most a fault is logged; the faults in between are counted in the next line. */
    static final Duration REPORT_INTERVAL = Duration.ofSeconds(10);

    /** Where a report goes: production logs a warning. */
    interface Sink {
        void fault(String message, Throwable cause);
    }

    private static final Logger log = LoggerFactory.getLogger(ServiceFaultLog.class);

    private final Sink sink;
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private final AtomicLong nextReportNanos;
    private final AtomicLong unreported = new AtomicLong();

    ServiceFaultLog() {
        this(log::warn, System::nanoTime, REPORT_INTERVAL);
    }

    ServiceFaultLog(Sink sink, LongSupplier nanoClock, Duration interval) {
        this.sink = sink;
        this.nanoClock = nanoClock;
        this.intervalNanos = interval.toNanos();
        this.nextReportNanos = new AtomicLong(nanoClock.getAsLong());
    }

    @Override
    public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
        ctx.setShouldReportUnloggedExceptions(false);
        if (isFault(cause)) {
            report(ctx.method() + " " + ctx.path(), cause);
        }
        // Null: Armeria's default handler answers the call as before.
        return null;
    }

    /** Whether {@code cause} is the node's fault rather than an outcome the request metrics count. */
    static boolean isFault(Throwable cause) {
        if (cause == null || Exceptions.isExpected(cause)
                || cause instanceof ClosedStreamException || cause instanceof ClosedSessionException
                || cause instanceof CancelledSubscriptionException || cause instanceof AbortedStreamException
                || cause instanceof RequestTimeoutException) {
            return false;
        }
        if (cause instanceof HttpStatusException e) {
            return e.httpStatus().isServerError();
        }
        if (cause instanceof HttpResponseException) {
            return false;
        }
        return switch (Status.fromThrowable(cause).getCode()) {
            case UNKNOWN, INTERNAL, DATA_LOSS, UNIMPLEMENTED -> true;
            default -> false;
        };
    }

    void report(String call, Throwable cause) {
        long now = nanoClock.getAsLong();
        long next = nextReportNanos.get();
        if (now - next < 0 || !nextReportNanos.compareAndSet(next, now + intervalNanos)) {
            unreported.incrementAndGet();
            return;
        }
        long before = unreported.getAndSet(0);
        sink.fault(call + " failed on the node's side" + (before == 0 ? ""
                : " (" + before + " more such failures since the last of these lines were not logged)"), cause);
    }
}
