package io.ringkv.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.stream.ClosedStreamException;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ServiceFaultLogTest {
    private record Line(String message, Throwable cause) {
    }

    @Test
    void outcomesAreNotFaultsAndBugsAre() {
        for (Status s : List.of(Status.CANCELLED, Status.DEADLINE_EXCEEDED, Status.UNAVAILABLE, Status.INVALID_ARGUMENT,
                Status.FAILED_PRECONDITION, Status.RESOURCE_EXHAUSTED, Status.NOT_FOUND, Status.ABORTED)) {
            assertThat(ServiceFaultLog.isFault(s.asRuntimeException())).as(s.getCode().name()).isFalse();
            assertThat(ServiceFaultLog.isFault(s.asException())).as(s.getCode().name()).isFalse();
        }
        for (Status s : List.of(Status.UNKNOWN, Status.INTERNAL, Status.DATA_LOSS, Status.UNIMPLEMENTED)) {
            assertThat(ServiceFaultLog.isFault(s.asRuntimeException())).as(s.getCode().name()).isTrue();
        }
        assertThat(ServiceFaultLog.isFault(new IllegalStateException("a bug"))).isTrue();
        assertThat(ServiceFaultLog.isFault(Status.UNKNOWN.withCause(new NullPointerException()).asRuntimeException()))
                .isTrue();
        assertThat(ServiceFaultLog.isFault(ClosedStreamException.get())).isFalse();
        assertThat(ServiceFaultLog.isFault(new ClosedChannelException())).isFalse();
        assertThat(ServiceFaultLog.isFault(HttpStatusException.of(HttpStatus.BAD_REQUEST))).isFalse();
        assertThat(ServiceFaultLog.isFault(HttpStatusException.of(HttpStatus.INTERNAL_SERVER_ERROR))).isTrue();
        assertThat(ServiceFaultLog.isFault(null)).isFalse();
    }

    @Test
    void logsTheFirstFaultAtOnceAndCountsTheRestUntilTheIntervalEnds() {
        AtomicLong now = new AtomicLong(1_000);
        List<Line> lines = new ArrayList<>();
        ServiceFaultLog faults = new ServiceFaultLog((m, c) -> lines.add(new Line(m, c)), now::get, Duration.ofSeconds(10));
        IllegalStateException first = new IllegalStateException("first");
        faults.report("POST /a", first);
        assertThat(lines).containsExactly(new Line("POST /a failed on the node's side", first));
        for (int i = 0; i < 3; i++) {
            faults.report("POST /b", new IllegalStateException("quiet"));
        }
        now.addAndGet(TimeUnit.SECONDS.toNanos(10) - 1);
        faults.report("POST /c", new IllegalStateException("still quiet"));
        assertThat(lines).hasSize(1);
        now.addAndGet(1);
        IllegalStateException later = new IllegalStateException("later");
        faults.report("POST /d", later);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).isEqualTo(new Line(
                "POST /d failed on the node's side (4 more such failures since the last of these lines were not logged)",
                later));
    }

    /** A real server: Armeria's own report of unlogged exceptions, every 50 ms, seen by a list appender. */
    private static List<String> serve(boolean withFaultLog, List<Line> lines) throws Exception {
        Logger reporter = (Logger) LoggerFactory.getLogger("com.linecorp.armeria.server.DefaultUnloggedExceptionsReporter");
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        reporter.addAppender(seen);
        ServerBuilder b = Server.builder()
                .port(new InetSocketAddress("127.0.0.1", 0), com.linecorp.armeria.common.SessionProtocol.HTTP)
                .unloggedExceptionsReportInterval(Duration.ofMillis(50))
                .service("/bug", (ctx, req) -> {
                    throw new IllegalStateException("a bug");
                })
                .service("/bad", (ctx, req) -> {
                    throw HttpStatusException.of(HttpStatus.BAD_REQUEST, new IllegalArgumentException("bad input"));
                });
        if (withFaultLog) {
            b.errorHandler(new ServiceFaultLog((m, c) -> lines.add(new Line(m, c)), System::nanoTime, Duration.ofSeconds(10)));
        }
        Server server = b.build();
        try {
            server.start().get(10, TimeUnit.SECONDS);
            WebClient client = WebClient.of("http://127.0.0.1:" + server.activeLocalPort());
            assertThat(client.get("/bug").aggregate().get(10, TimeUnit.SECONDS).status()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
            assertThat(client.get("/bad").aggregate().get(10, TimeUnit.SECONDS).status()).isEqualTo(HttpStatus.BAD_REQUEST);
            // Several report intervals: Armeria's reporter, when on, has spoken by then.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (seen.list.isEmpty() && System.nanoTime() - until < 0) {
                Thread.sleep(20);
            }
        } finally {
            server.stop().get(10, TimeUnit.SECONDS);
            reporter.detachAppender(seen);
        }
        return seen.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void onARealServerTheFaultIsLoggedOnceAndArmeriasReportIsOff() throws Exception {
        List<Line> ignored = new ArrayList<>();
        assertThat(serve(false, ignored)).as("Armeria's report without the handler").isNotEmpty();

        List<Line> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        assertThat(serve(true, lines)).as("Armeria's report with the handler").isEmpty();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).message()).isEqualTo("GET /bug failed on the node's side");
        assertThat(lines.get(0).cause()).hasMessage("a bug");
    }
}
