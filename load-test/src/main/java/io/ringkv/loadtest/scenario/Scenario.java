package io.ringkv.loadtest.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A fault scenario: steps in time order. The file has one step a line,
 * {@code [at] TIME ACTION NODE}, e.g. {@code at 10s sigstop n2}; TIME is seconds ({@code 10},
 * {@code 2.5s}), milliseconds ({@code 500ms}) or minutes ({@code 1m}) after the start of the run;
 * ACTION is sigkill, sigstop, sigcont, sigterm or restart; NODE is {@code n1}..{@code nN} (or
 * just the number). Blank lines and {@code #} comments are ignored. Times never go backwards, and
 * each step must make sense after the ones before it (no sigcont of a node that is not stopped,
 * no signal to a node that was killed and not restarted).
 *
 * @param source where it came from (the file name), for messages
 */
public record Scenario(String source, List<ScenarioStep> steps) {
    /** A time later than a day is surely a typo. */
    public static final double MAX_SECONDS = 86_400;
    /** No scenario needs more steps than this; a bigger file is not a scenario. */
    public static final int MAX_STEPS = 10_000;

    public Scenario {
        steps = List.copyOf(steps);
    }

    /** Thrown for a bad scenario; the message is one line: {@code source:line: reason}. */
    public static final class ScenarioException extends IllegalArgumentException {
        public ScenarioException(String message) {
            super(message);
        }
    }

    /** Reads and parses a scenario file. */
    public static Scenario read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ScenarioException(file + ": no such scenario file");
        } catch (IOException e) {
            throw new ScenarioException(file + ": cannot read: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses a scenario's text; {@code source} names it in messages. */
    public static Scenario parse(String text, String source) {
        List<ScenarioStep> steps = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        double last = 0;
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("\\s+");
            int w = words[0].equalsIgnoreCase("at") ? 1 : 0;
            if (words.length - w != 3) {
                throw error(source, lineNo, "expected '[at] TIME ACTION NODE' (e.g. 'at 10s sigstop n2'), got '" + line + "'");
            }
            double at = seconds(words[w], source, lineNo);
            FaultAction action = FaultAction.parse(words[w + 1]);
            if (action == null) {
                throw error(source, lineNo, "unknown action '" + words[w + 1]
                        + "' (expected sigkill, sigstop, sigcont, sigterm or restart)");
            }
            int node = node(words[w + 2], source, lineNo);
            if (at < last) {
                throw error(source, lineNo, "time " + words[w] + " is before the previous step's; list steps in time order");
            }
            last = at;
            if (steps.size() == MAX_STEPS) {
                throw error(source, lineNo, "more than " + MAX_STEPS + " steps");
            }
            steps.add(new ScenarioStep(at, action, node, lineNo));
        }
        if (steps.isEmpty()) {
            throw new ScenarioException(source + ": no steps (each line is '[at] TIME ACTION NODE')");
        }
        Scenario scenario = new Scenario(source, steps);
        scenario.checkTransitions();
        return scenario;
    }

    /** Checks that every step names a node among the {@code nodes} the tester starts. */
    public void checkNodes(int nodes) {
        for (ScenarioStep s : steps) {
            if (s.node() > nodes) {
                throw error(source, s.line(), "node " + s.nodeId() + " does not exist: the cluster has " + nodes
                        + " node" + (nodes == 1 ? "" : "s") + " (n1..n" + nodes + ")");
            }
        }
    }

    /** The time of the last step. */
    public double lastSeconds() {
        return steps.getLast().atSeconds();
    }

    private enum State { RUNNING, STOPPED, DEAD }

    private void checkTransitions() {
        java.util.Map<Integer, State> states = new java.util.HashMap<>();
        for (ScenarioStep s : steps) {
            State state = states.getOrDefault(s.node(), State.RUNNING);
            String problem = switch (s.action()) {
                case SIGSTOP -> state == State.RUNNING ? null : s.nodeId() + " is " + describe(state) + ", not running";
                case SIGCONT -> state == State.STOPPED ? null : s.nodeId() + " is " + describe(state) + ", not stopped (sigstop)";
                case SIGKILL, SIGTERM -> state == State.DEAD ? s.nodeId() + " is already dead; restart it first" : null;
                case RESTART -> null;
            };
            if (problem != null) {
                throw error(source, s.line(), s.action().label() + ": " + problem);
            }
            states.put(s.node(), switch (s.action()) {
                case SIGSTOP -> State.STOPPED;
                case SIGCONT, RESTART -> State.RUNNING;
                case SIGKILL, SIGTERM -> State.DEAD;
            });
        }
    }

    private static String describe(State state) {
        return switch (state) {
            case RUNNING -> "running";
            case STOPPED -> "stopped (sigstop)";
            case DEAD -> "dead";
        };
    }

    private static double seconds(String word, String source, int line) {
        String t = word.toLowerCase(Locale.ROOT);
        double unit = 1;
        if (t.endsWith("ms")) {
            unit = 0.001;
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            unit = 60;
            t = t.substring(0, t.length() - 1);
        }
        if (!t.matches("-?[0-9]+(\\.[0-9]+)?")) {
            // Plain decimals only (Double.parseDouble would also take "2d", "1e3" or "NaN").
            throw error(source, line, "not a time: '" + word + "' (e.g. 10s, 2.5s, 500ms, 1m)");
        }
        double v = Double.parseDouble(t) * unit;
        if (!(v >= 0 && v <= MAX_SECONDS)) {
            throw error(source, line, "time '" + word + "' must be in [0s, " + (long) MAX_SECONDS + "s]");
        }
        return v;
    }

    private static int node(String word, String source, int line) {
        String t = word.toLowerCase(Locale.ROOT);
        if (t.startsWith("node")) {
            t = t.substring(4);
        } else if (t.startsWith("n")) {
            t = t.substring(1);
        }
        try {
            int n = Integer.parseInt(t);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error(source, line, "not a node: '" + word + "' (expected n1, n2, ...)");
    }

    private static ScenarioException error(String source, int line, String reason) {
        return new ScenarioException(source + ":" + line + ": " + reason);
    }
}
