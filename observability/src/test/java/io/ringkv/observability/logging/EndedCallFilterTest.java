package io.ringkv.observability.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

class EndedCallFilterTest {
    @Test
    void onlyArmeriasLineAboutACallThatEndedIsDropped() {
        LoggerContext context = new LoggerContext();
        EndedCallFilter filter = new EndedCallFilter();
        filter.start();
        context.addTurboFilter(filter);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(seen);
        Logger armeria = context.getLogger(EndedCallFilter.ARMERIA_REQUEST_LOGGER);
        Logger other = context.getLogger("io.ringkv.coordinator.transport.GrpcTransport");

        armeria.warn("{} Unexpected exception: a request publisher raised an exception", "[id: 0x1]",
                Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after 0ns.").asRuntimeException());
        armeria.warn("Unexpected exception", Status.CANCELLED.asRuntimeException());
        assertThat(seen.list).as("a deadline and a cancellation, from Armeria's request handler").isEmpty();

        armeria.warn("Unexpected exception", Status.INTERNAL.asRuntimeException());
        armeria.warn("Unexpected exception", new IllegalStateException("a bug"));
        other.warn("a call ended", Status.DEADLINE_EXCEEDED.asRuntimeException());
        armeria.warn("no exception at all");
        assertThat(seen.list).extracting(ILoggingEvent::getLoggerName).containsExactly(
                EndedCallFilter.ARMERIA_REQUEST_LOGGER, EndedCallFilter.ARMERIA_REQUEST_LOGGER,
                "io.ringkv.coordinator.transport.GrpcTransport", EndedCallFilter.ARMERIA_REQUEST_LOGGER);
    }
}
