package io.ringkv.observability.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Marker;

/**
 * Drops the WARN, with its stack trace, that Armeria's client logs when a streaming call's request
 * ends because the call itself ended (deadline exceeded, cancelled): the caller gets that outcome from
 * the call and handles it (a timed-out bulk-lane upload counts as an overloaded peer), so under
 * large-value load the node's log filled with one stack trace per timed-out upload. Any other
 * exception from that logger, and the same exception from any other logger, still gets through.
 */
public final class EndedCallFilter extends TurboFilter {
    /** The Armeria logger whose lines this filter looks at. */
    static final String ARMERIA_REQUEST_LOGGER = "com.linecorp.armeria.client.AbstractHttpRequestHandler";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (logger == null || !ARMERIA_REQUEST_LOGGER.equals(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        // With parameterized logging the throwable arrives as the last parameter, not as t.
        Throwable thrown = t != null ? t
                : params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last ? last : null;
        return endsTheCall(thrown) ? FilterReply.DENY : FilterReply.NEUTRAL;
    }

    private static boolean endsTheCall(Throwable thrown) {
        if (!(thrown instanceof StatusRuntimeException e)) {
            return false;
        }
        Status.Code code = e.getStatus().getCode();
        return code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.CANCELLED;
    }
}
