package io.ringkv.loadtest.cluster;

import io.ringkv.net.LoopbackPorts;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Consul dev agent (in memory) for a benchmark cluster, as the coordinator's
 * {@code membership.LocalConsulAgent} runs one: bound to 127.0.0.1 on free ports, DNS and gRPC
 * off. The binary is {@code $RINGKV_CONSUL_BIN} or {@code consul} on PATH ({@code bin/ringkv bench}
 * sets the variable from {@code scripts/get-consul} when {@code --membership consul} is given).
 */
final class ConsulAgent implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final long STOP_TIMEOUT_SECONDS = 10;

    private final int httpPort;
    private final Process process;
    private final Path log;

    private ConsulAgent(int httpPort, Process process, Path log) {
        this.httpPort = httpPort;
        this.process = process;
        this.log = log;
    }

    /** Starts an agent and waits until it has elected itself (its serfHealth check passes). */
    static ConsulAgent start(Path log) throws IOException, InterruptedException {
        List<Integer> ports = LoopbackPorts.free(4);
        String node = "ringkv-bench-" + ports.getFirst();
        List<String> command = List.of(binary().toString(), "agent", "-dev", "-node", node,
                "-client", "127.0.0.1", "-bind", "127.0.0.1", "-dns-port", "-1", "-grpc-port", "-1",
                "-http-port", ports.get(0).toString(), "-serf-lan-port", ports.get(1).toString(),
                "-serf-wan-port", ports.get(2).toString(), "-server-port", ports.get(3).toString(), "-log-level", "warn");
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ConsulAgent agent = new ConsulAgent(ports.getFirst(), p, log);
        try {
            agent.awaitReady(node);
        } catch (IOException | InterruptedException | RuntimeException e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    long pid() {
        return process.pid();
    }

    private void awaitReady(String node) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI uri = URI.create(url() + "/v1/health/node/" + node);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IOException("the consul agent exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"serfHealth\"") && r.body().contains("\"passing\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("the consul agent was not ready within " + READY_TIMEOUT.toSeconds() + " s; see " + log);
    }

    private static Path binary() throws IOException {
        String configured = System.getenv("RINGKV_CONSUL_BIN");
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (!Files.isExecutable(p)) {
                throw new IOException("RINGKV_CONSUL_BIN=" + configured + " is not an executable file");
            }
            return p;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "consul");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IOException("no consul binary: put one on PATH or set RINGKV_CONSUL_BIN (scripts/get-consul prints one)");
    }

    /** SIGTERM, then SIGKILL if it has not exited in time (the agent exits with 1 on SIGTERM: normal). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
