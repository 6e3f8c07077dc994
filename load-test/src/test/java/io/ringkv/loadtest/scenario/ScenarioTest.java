package io.ringkv.loadtest.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioTest {
    @Test
    void parsesStepsWithUnitsCommentsAndNodeNames() {
        Scenario s = Scenario.parse("""
                # freeze one node for five seconds, then crash another and bring it back
                at 10s sigstop n2
                at 15s   SIGCONT  node2   # resumes
                17.5 sigkill 3
                at 1500ms sigterm n1
                """.replace("at 1500ms sigterm n1", "at 20000ms sigterm n1") + "at 0.5m restart n3\n", "f.txt");
        assertThat(s.steps()).containsExactly(
                new ScenarioStep(10, FaultAction.SIGSTOP, 2, 2),
                new ScenarioStep(15, FaultAction.SIGCONT, 2, 3),
                new ScenarioStep(17.5, FaultAction.SIGKILL, 3, 4),
                new ScenarioStep(20, FaultAction.SIGTERM, 1, 5),
                new ScenarioStep(30, FaultAction.RESTART, 3, 6));
        assertThat(s.lastSeconds()).isEqualTo(30);
        assertThat(s.steps().get(1).nodeId()).isEqualTo("n2");
        s.checkNodes(3);
    }

    private static void bad(String text, String message) {
        assertThatThrownBy(() -> Scenario.parse(text, "s.txt"))
                .isInstanceOf(Scenario.ScenarioException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void badInputGetsOneLineMessagesWithFileAndLine() {
        bad("", "s.txt: no steps (each line is '[at] TIME ACTION NODE')");
        bad("# only a comment\n", "s.txt: no steps (each line is '[at] TIME ACTION NODE')");
        bad("at 10s sigstop", "s.txt:1: expected '[at] TIME ACTION NODE' (e.g. 'at 10s sigstop n2'), got 'at 10s sigstop'");
        bad("\nat 10s sigstop n2 now", "s.txt:2: expected '[at] TIME ACTION NODE' (e.g. 'at 10s sigstop n2'), got 'at 10s sigstop n2 now'");
        bad("at soon sigstop n2", "s.txt:1: not a time: 'soon' (e.g. 10s, 2.5s, 500ms, 1m)");
        bad("at -1s sigstop n2", "s.txt:1: time '-1s' must be in [0s, 86400s]");
        bad("at 2d sigstop n2", "s.txt:1: not a time: '2d' (e.g. 10s, 2.5s, 500ms, 1m)");
        bad("at 10s pause n2", "s.txt:1: unknown action 'pause' (expected sigkill, sigstop, sigcont, sigterm or restart)");
        bad("at 10s sigstop n0", "s.txt:1: not a node: 'n0' (expected n1, n2, ...)");
        bad("at 10s sigstop leader", "s.txt:1: not a node: 'leader' (expected n1, n2, ...)");
        bad("at 10s sigstop n2\nat 5s sigcont n2", "s.txt:2: time 5s is before the previous step's; list steps in time order");
        bad("at 10s sigcont n2", "s.txt:1: sigcont: n2 is running, not stopped (sigstop)");
        bad("at 1s sigstop n1\nat 2s sigstop n1", "s.txt:2: sigstop: n1 is stopped (sigstop), not running");
        bad("at 1s sigkill n1\nat 2s sigstop n1", "s.txt:2: sigstop: n1 is dead, not running");
        bad("at 1s sigkill n1\nat 2s sigterm n1", "s.txt:2: sigterm: n1 is already dead; restart it first");
        // A restart revives a dead node; a frozen node may be killed.
        Scenario.parse("at 1s sigkill n1\nat 2s restart n1\nat 3s sigstop n1\nat 4s sigkill n1", "ok.txt");
    }

    @Test
    void nodesBeyondTheClusterAreRefused() {
        Scenario s = Scenario.parse("at 1s sigstop n4\nat 2s sigcont n4", "s.txt");
        assertThatThrownBy(() -> s.checkNodes(3))
                .hasMessage("s.txt:1: node n4 does not exist: the cluster has 3 nodes (n1..n3)");
    }

    @Test
    void aMissingFileIsOneLine(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Scenario.read(dir.resolve("none.txt"))).hasMessageEndingWith("none.txt: no such scenario file");
        Path f = dir.resolve("ok.txt");
        Files.writeString(f, "at 1s sigstop n1\nat 2s sigcont n1\n");
        assertThat(Scenario.read(f).steps()).hasSize(2);
    }

    @Test
    void theRunnerAppliesStepsInOrderAndRecordsFailures() throws Exception {
        List<String> applied = new ArrayList<>();
        FaultTarget target = (action, node) -> {
            if (node == 2 && action == FaultAction.SIGCONT) {
                throw new java.io.IOException("kill -CONT 42 failed: no such process");
            }
            applied.add(action.label() + " n" + node);
            return "pid 4" + node;
        };
        Scenario s = Scenario.parse("at 0s sigstop n2\nat 0.05s sigcont n2\nat 0.1s sigkill n1\nat 60s restart n1", "s.txt");
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        ScenarioRunner runner = new ScenarioRunner(s, target, new java.io.PrintStream(log, true));
        runner.start(System.nanoTime());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (runner.events().size() < 3 && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        runner.stop(); // the 60 s step is never applied
        List<FaultEvent> events = runner.events();
        assertThat(applied).containsExactly("sigstop n2", "sigkill n1");
        assertThat(events).extracting(FaultEvent::ok).containsExactly(true, false, true);
        assertThat(events.get(1).detail()).isEqualTo("kill -CONT 42 failed: no such process");
        assertThat(events.get(2).atSeconds()).isGreaterThanOrEqualTo(0.1);
        assertThat(events.get(0).detail()).isEqualTo("pid 42");
        assertThat(log.toString()).contains("scenario: sigcont n2 FAILED");
    }
}
