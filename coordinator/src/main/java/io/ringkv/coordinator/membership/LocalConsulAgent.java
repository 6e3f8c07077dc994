package io.ringkv.coordinator.membership;

import io.ringkv.net.LoopbackPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local Consul agent for tests and {@code ringkv dev --consul}: {@code consul agent -dev} (in
 * memory) bound to 127.0.0.1 on free ports, with DNS and gRPC off, never a system agent. The
 * binary is {@code $RINGKV_CONSUL_BIN}, else {@code consul} on PATH, else what
 * {@code scripts/get-consul} prints. {@link #stop()}
 * and {@link #restart()} (same ports, empty state: dev mode keeps nothing) let tests stage outages.
 * The agent's output goes to {@code target/consul-agent-<http port>.log}. A JVM shutdown hook kills
 * it if a test run dies before {@link #close()}.
 */
public final class LocalConsulAgent implements AutoCloseable {
    private static final String LOOPBACK = "127.0.0.1";
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger CLUSTERS = new AtomicInteger();
    private static Path binary;

    private final int httpPort;
    private final int serfLanPort;
    private final int serfWanPort;
    private final int serverPort;
    private final String nodeName;
    private final Path logFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final Thread exitHook;
    private volatile Process process;

    private LocalConsulAgent() throws IOException {
        List<Integer> ports = LoopbackPorts.free(4);
        this.httpPort = ports.get(0);
        this.serfLanPort = ports.get(1);
        this.serfWanPort = ports.get(2);
        this.serverPort = ports.get(3);
        this.nodeName = "ringkv-test-" + httpPort;
        Path logs = Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(System.getProperty("java.io.tmpdir"));
        this.logFile = logs.resolve("consul-agent-" + httpPort + ".log").toAbsolutePath();
        this.exitHook = new Thread(() -> {
            Process p = process;
            if (p != null) {
                p.destroyForcibly();
            }
        });
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    /**
     * Leaves stopping the agent to the caller, who stops what uses it first: at the JVM's exit this
     * agent's own hook would kill it while the nodes on it still deregister (shutdown hooks run at
     * once, in no order).
     */
    public void stoppedByCaller() {
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs already; nothing to leave
        }
    }

    /** Starts an agent on free ports and waits until it serves KV, sessions and the catalog. */
    public static LocalConsulAgent start() throws IOException, InterruptedException {
        LocalConsulAgent agent = new LocalConsulAgent();
        try {
            agent.launch();
        } catch (IOException | InterruptedException | RuntimeException e) {
            agent.stop();
            throw e;
        }
        return agent;
    }

    /** {@code 127.0.0.1:<http port>}. */
    public String httpAddress() {
        return LOOPBACK + ":" + httpPort;
    }

    public int httpPort() {
        return httpPort;
    }

    /** Settings for a fresh cluster name on this agent, with test-sized waits and backoff. */
    public ConsulSettings settings() {
        String cluster = "t" + CLUSTERS.incrementAndGet();
        return ConsulSettings.defaults(LOOPBACK, httpPort, cluster)
                .withWatchWaitSeconds(5)
                .withBackoffMillis(50, 500);
    }

    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** Stops the agent (SIGTERM, then SIGKILL after 10 s); it exits with 1 on SIGTERM, which is normal. */
    public void stop() throws InterruptedException {
        Process p = process;
        process = null;
        if (p == null) {
            return;
        }
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Stops and starts the agent again on the same ports; dev mode starts with empty state. */
    public void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void launch() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            // A session of its own: Ctrl-C at a terminal reaches the JVM, which stops the nodes
            // before the agent, and not the agent directly.
            command.add(SETSID.toString());
        }
        command.addAll(List.of(consulBinary().toString(), "agent", "-dev",
                "-node", nodeName, "-client", LOOPBACK, "-bind", LOOPBACK,
                "-dns-port", "-1", "-grpc-port", "-1",
                "-http-port", Integer.toString(httpPort), "-serf-lan-port", Integer.toString(serfLanPort),
                "-serf-wan-port", Integer.toString(serfWanPort), "-server-port", Integer.toString(serverPort),
                "-log-level", "warn"));
        Files.writeString(logFile, "=== " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        awaitReady();
    }

    /** Ready when this node's serfHealth check passes: then there is a leader, KV and sessions work. */
    private void awaitReady() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        URI uri = URI.create("http://" + httpAddress() + "/v1/health/node/" + nodeName);
        while (System.nanoTime() < deadline) {
            Process p = process;
            if (p == null || !p.isAlive()) {
                throw new IllegalStateException("consul agent exited early; see " + logFile + ":\n" + tail());
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.ofString());
                String body = response.body();
                if (response.statusCode() == 200 && body.contains("\"serfHealth\"") && body.contains("\"passing\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("consul agent on " + httpAddress() + " not ready within " + READY_TIMEOUT
                + "; see " + logFile + ":\n" + tail());
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** The path {@code scripts/get-consul} prints (run once per JVM). */
    private static synchronized Path consulBinary() throws IOException, InterruptedException {
        if (binary != null) {
            return binary;
        }
        String configured = System.getenv("RINGKV_CONSUL_BIN");
        if (configured != null && !configured.isBlank() && Files.isExecutable(Path.of(configured))) {
            binary = Path.of(configured);
            return binary;
        }
        for (String dirOnPath : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dirOnPath.isEmpty() ? "." : dirOnPath, "consul");
            if (Files.isExecutable(candidate)) {
                binary = candidate;
                return binary;
            }
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isExecutable(dir.resolve("scripts/get-consul"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("scripts/get-consul not found above " + Path.of("").toAbsolutePath());
        }
        Process p = new ProcessBuilder(dir.resolve("scripts/get-consul").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
            throw new IllegalStateException("scripts/get-consul found no consul binary (output: '" + out + "')");
        }
        String[] lines = out.split("\n");
        binary = Path.of(lines[lines.length - 1].trim());
        return binary;
    }
}
