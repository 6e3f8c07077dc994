package io.ringkv.coordinator.process;

import static org.awaitility.Awaitility.await;

import io.ringkv.coordinator.cli.Main;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One {@code ringkv node} run as its own JVM ({@code java -cp <test classpath> Main node ...}),
 * bound to 127.0.0.1 on a port of its own, with the same id, port, data directory and log for every
 * incarnation. Every process it starts is handed to its {@link ProcessCluster}, which kills it at
 * the end even when the test fails. The test's own actions on the node are written into its log
 * ({@link #mark}), so a log reads in order.
 */
final class NodeProcess {
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);

    final String id;
    final int port;
    final String rack;
    final Path dataDir;
    final Path log;
    private final ProcessCluster cluster;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private volatile Process current;
    private volatile boolean suspended;
    /** Extra environment of every incarnation (e.g. OTEL_* variables); set before {@link #start}. */
    final java.util.Map<String, String> environment = new java.util.concurrent.ConcurrentHashMap<>();

    NodeProcess(ProcessCluster cluster, String id, int port, String rack, Path dataDir, Path log) {
        this.cluster = cluster;
        this.id = id;
        this.port = port;
        this.rack = rack;
        this.dataDir = dataDir;
        this.log = log;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /** The latest incarnation, or null before the first start. */
    Process process() {
        return current;
    }

    boolean isAlive() {
        Process p = current;
        return p != null && p.isAlive();
    }

    boolean isSuspended() {
        return suspended && isAlive();
    }

    long pid() {
        return current.pid();
    }

    /**
     * Starts a new incarnation: {@code node --id --listen --data-dir --rack --backend rocks --sync batch}
     * followed by {@code membershipFlags} (a seed list or Consul settings). The node takes its
     * settings from these flags only, never from this machine's {@code RINGKV_*} variables.
     */
    Process start(List<String> membershipFlags) throws IOException {
        if (isAlive()) {
            throw new IllegalStateException(id + " is already running as pid " + current.pid());
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(cluster.jvmOptions());
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "node", "--id", id, "--listen", address(), "--data-dir", dataDir.toString(),
                "--rack", rack, "--backend", "rocks", "--sync", "batch"));
        command.addAll(membershipFlags);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("RINGKV_"));
        pb.environment().putAll(environment);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        mark("starting on " + address());
        Process p = pb.start();
        cluster.track(p);
        current = p;
        suspended = false;
        mark("started as pid " + p.pid());
        return p;
    }

    /** Notes in the node's log what the test did to it, so a failure's log tail reads in order. */
    void mark(String event) throws IOException {
        Files.writeString(log, "---- test: " + id + " " + event + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Status and body of {@code GET /healthz}, or empty when the node does not answer in 2 s. */
    Optional<HttpResponse<String>> healthz() {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address() + "/healthz"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        try {
            return Optional.of(http.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Waits until {@code /healthz} answers 200 (the node serves a ring); fails at once if the process exits. */
    void awaitHealthy(Duration timeout) {
        await("healthz of " + id).atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            Process p = current;
            if (!p.isAlive()) {
                throw new AssertionError(id + " exited with " + p.exitValue() + " before it was healthy; see " + log);
            }
            return healthz().map(r -> r.statusCode() == 200).orElse(false);
        });
    }

    /** SIGKILL (no shutdown hook, no RocksDB close) and wait for the exit. */
    void kill() throws IOException, InterruptedException {
        Process p = current;
        mark("SIGKILL");
        p.destroyForcibly();
        if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError(id + " (pid " + p.pid() + ") did not exit after SIGKILL");
        }
        suspended = false;
    }

    /** SIGTERM (the node closes cleanly), then SIGKILL if it has not exited in time. */
    void stop() throws IOException, InterruptedException {
        Process p = current;
        mark("SIGTERM");
        if (suspended) {
            resume();
        }
        p.destroy();
        if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * Freezes every thread of the node with SIGSTOP, as a long GC pause would: it neither answers
     * nor renews anything until {@link #resume()}. The cluster resumes it before killing it.
     */
    void suspend() throws IOException, InterruptedException {
        mark("SIGSTOP");
        signal("STOP", current.pid());
        suspended = true;
    }

    /** SIGCONT: the frozen node runs on from where it stopped. */
    void resume() throws IOException, InterruptedException {
        // Marked first: every line the node logs once it runs again comes after the mark.
        mark("SIGCONT");
        signal("CONT", current.pid());
        suspended = false;
    }

    /** {@code kill -<name> <pid>} (Java has no API for SIGSTOP and SIGCONT). */
    static void signal(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid))
                .redirectErrorStream(true).start();
        if (!kill.waitFor(SIGNAL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IOException("kill -" + name + " " + pid + " did not finish");
        }
        if (kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + pid + " failed: "
                    + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        }
    }

    /** The log's lines after the last {@code ---- test: <id> <event>} line (all lines if there is none). */
    List<String> logSince(String event) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        String marker = "---- test: " + id + " " + event;
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(marker)) {
                return lines.subList(i + 1, lines.size());
            }
        }
        return lines;
    }

    @Override
    public String toString() {
        return id + "@" + address();
    }
}
