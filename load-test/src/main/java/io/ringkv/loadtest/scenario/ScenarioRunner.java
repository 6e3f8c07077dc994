package io.ringkv.loadtest.scenario;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Applies a scenario's steps at their times on a thread of its own, from {@link #start(long)}
 * until the steps are done or {@link #stop()}; steps due after the stop are not applied. Each step
 * becomes a {@link FaultEvent} and a line on {@code log}.
 */
public final class ScenarioRunner {
    private final Scenario scenario;
    private final FaultTarget target;
    private final PrintStream log;
    private final List<FaultEvent> events = new ArrayList<>();
    private volatile boolean stopped;
    private Thread thread;
    private long runStart;

    public ScenarioRunner(Scenario scenario, FaultTarget target, PrintStream log) {
        this.scenario = scenario;
        this.target = target;
        this.log = log;
    }

    /** Starts applying steps; {@code runStartNanos} (System.nanoTime) is time 0 of the scenario. */
    public void start(long runStartNanos) {
        this.runStart = runStartNanos;
        thread = Thread.ofPlatform().daemon(true).name("bench-scenario").start(this::run);
    }

    private void run() {
        for (ScenarioStep step : scenario.steps()) {
            long due = runStart + Math.round(step.atSeconds() * 1e9);
            long now;
            while (!stopped && (now = System.nanoTime()) - due < 0) {
                LockSupport.parkNanos(Math.min(due - now, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            if (stopped) {
                return;
            }
            double at = (System.nanoTime() - runStart) / 1e9;
            FaultEvent event;
            try {
                String detail = target.apply(step.action(), step.node());
                event = new FaultEvent(at, step.atSeconds(), step.action(), step.nodeId(), true, detail);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                event = new FaultEvent(at, step.atSeconds(), step.action(), step.nodeId(), false,
                        message.lines().findFirst().orElse(""));
            }
            synchronized (events) {
                events.add(event);
            }
            log.println(String.format(Locale.ROOT, "[%7.1fs] scenario: %s %s %s%s", at, event.action().label(),
                    event.node(), event.ok() ? "done" : "FAILED", event.detail().isEmpty() ? "" : " (" + event.detail() + ")"));
        }
    }

    /** Stops applying steps and waits for a step in progress to finish. */
    public void stop() throws InterruptedException {
        stopped = true;
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(120));
        }
    }

    /** The steps applied so far, in order. */
    public List<FaultEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }
}
