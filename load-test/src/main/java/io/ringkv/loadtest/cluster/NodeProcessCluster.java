package io.ringkv.loadtest.cluster;

import io.ringkv.loadtest.scenario.FaultAction;
import io.ringkv.loadtest.scenario.FaultTarget;
import io.ringkv.net.LoopbackPorts;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ringkv node} processes the tester started itself: {@code n1..nN} on free 127.0.0.1 ports,
 * data and logs under one directory, static seeds or a Consul dev agent of their own. Only these
 * processes are ever signalled, always by the pid they were started as. {@link #close()} stops
 * every process it started (SIGCONT for a frozen one, SIGTERM, SIGKILL after
 * {@value #STOP_TIMEOUT_SECONDS} s), and a JVM shutdown hook does the same when the tester is
 * interrupted (Ctrl-C).
 */
public final class NodeProcessCluster implements FaultTarget, AutoCloseable {
    static final long STOP_TIMEOUT_SECONDS = 20;
    private static final String MAIN_CLASS = "io.ringkv.coordinator.cli.Main";

    private final ClusterSpec spec;
    private final Path dir;
    private final boolean temporary;
    private final PrintStream log;
    private final List<Integer> ports;
    private final Process[] current;
    private final boolean[] suspended;
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private final List<List<Long>> pidHistory = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final Thread shutdownHook;
    private ConsulAgent agent;
    private String clusterName;
    private boolean closed;

    private NodeProcessCluster(ClusterSpec spec, Path dir, boolean temporary, PrintStream log) throws IOException {
        this.spec = spec;
        this.dir = dir;
        this.temporary = temporary;
        this.log = log;
        this.ports = LoopbackPorts.free(spec.nodes());
        this.current = new Process[spec.nodes()];
        this.suspended = new boolean[spec.nodes()];
        for (int i = 0; i < spec.nodes(); i++) {
            pidHistory.add(new ArrayList<>());
        }
        this.shutdownHook = new Thread(this::killAll, "ringkv-bench-cluster-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts the cluster and waits until every node serves a ring; stops what it started if that fails. */
    public static NodeProcessCluster start(ClusterSpec spec, PrintStream log) throws IOException, InterruptedException {
        boolean temporary = spec.dir() == null;
        Path dir = temporary ? Files.createTempDirectory("ringkv-bench-cluster-") : spec.dir().toAbsolutePath();
        Files.createDirectories(dir);
        NodeProcessCluster cluster = new NodeProcessCluster(spec, dir, temporary, log);
        try {
            cluster.launch();
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close(false);
            throw e;
        }
        return cluster;
    }

    private void launch() throws IOException, InterruptedException {
        if (spec.membership() == ClusterSpec.Membership.CONSUL) {
            agent = ConsulAgent.start(dir.resolve("consul.log"));
            clusterName = "bench" + ports.getFirst();
            log.println("ringkv bench: consul dev agent at " + agent.url() + " (pid " + agent.pid() + ")");
        }
        for (int i = 1; i <= spec.nodes(); i++) {
            startNode(i);
        }
        long deadline = System.nanoTime() + spec.startTimeout().toNanos();
        for (int i = 1; i <= spec.nodes(); i++) {
            awaitHealthy(i, deadline);
        }
        log.println("ringkv bench: started " + spec.nodes() + " " + spec.membership().name().toLowerCase()
                + " node" + (spec.nodes() == 1 ? "" : "s") + " " + String.join(",", addresses()) + " (pids "
                + String.join(",", Stream.of(current).map(p -> Long.toString(p.pid())).toList()) + "), data and logs in " + dir);
    }

    /** The nodes' addresses, n1 first. */
    public List<String> addresses() {
        return ports.stream().map(p -> "127.0.0.1:" + p).toList();
    }

    public Path dir() {
        return dir;
    }

    public ClusterSpec spec() {
        return spec;
    }

    /** The pids every node ran as, in start order (more than one for a restarted node). */
    public synchronized List<List<Long>> pids() {
        return pidHistory.stream().map(List::copyOf).toList();
    }

    private synchronized void startNode(int node) throws IOException {
        String id = "n" + node;
        String address = "127.0.0.1:" + ports.get(node - 1);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(spec.jvmOptions());
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", spec.nodeClasspath(), MAIN_CLASS, "node",
                "--id", id, "--listen", address, "--data-dir", dir.resolve(id).toString(), "--rack", "rack" + node,
                "--backend", spec.backend(), "--sync", spec.sync()));
        if (agent != null) {
            command.addAll(List.of("--membership", "consul", "--consul-url", agent.url(), "--cluster", clusterName,
                    "--min-nodes", Integer.toString(spec.nodes())));
        } else {
            command.addAll(List.of("--membership", "static", "--seeds", String.join(",", addresses())));
        }
        Path logFile = dir.resolve(id + ".log");
        mark(logFile, "starting " + String.join(" ", command));
        ProcessBuilder pb = new ProcessBuilder(command);
        // The node takes its settings from these flags only, never from this shell's RINGKV_* variables.
        pb.environment().keySet().removeIf(k -> k.startsWith("RINGKV_"));
        // The OTEL_* variables reach the nodes as with `ringkv dev`, except the bench's own service name.
        pb.environment().remove("OTEL_SERVICE_NAME");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Process p = pb.start();
        started.add(p);
        pidHistory.get(node - 1).add(p.pid());
        current[node - 1] = p;
        suspended[node - 1] = false;
    }

    private void awaitHealthy(int node, long deadline) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + ports.get(node - 1) + "/healthz");
        while (System.nanoTime() - deadline < 0) {
            Process p = current[node - 1];
            if (!p.isAlive()) {
                throw new IOException("node n" + node + " exited with " + p.exitValue() + " while starting; see "
                        + dir.resolve("n" + node + ".log"));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not serving yet
            }
            Thread.sleep(100);
        }
        throw new IOException("node n" + node + " did not serve a ring within " + spec.startTimeout().toSeconds()
                + " s; see " + dir.resolve("n" + node + ".log"));
    }

    @Override
    public synchronized String apply(FaultAction action, int node) throws IOException, InterruptedException {
        if (node < 1 || node > spec.nodes()) {
            throw new IllegalArgumentException("no node n" + node + " (the cluster has n1..n" + spec.nodes() + ")");
        }
        int i = node - 1;
        Process p = current[i];
        Path logFile = dir.resolve("n" + node + ".log");
        mark(logFile, action.label());
        switch (action) {
            case SIGKILL -> {
                requireAlive(p, node, action);
                p.destroyForcibly();
                p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                suspended[i] = false;
                return "pid " + p.pid();
            }
            case SIGTERM -> {
                requireAlive(p, node, action);
                if (suspended[i]) {
                    Processes.signal("CONT", p.pid());
                }
                stop(p);
                suspended[i] = false;
                return "pid " + p.pid() + " exited " + (p.isAlive() ? "(still alive)" : Integer.toString(p.exitValue()));
            }
            case SIGSTOP -> {
                requireAlive(p, node, action);
                Processes.signal("STOP", p.pid());
                suspended[i] = true;
                return "pid " + p.pid();
            }
            case SIGCONT -> {
                requireAlive(p, node, action);
                Processes.signal("CONT", p.pid());
                suspended[i] = false;
                return "pid " + p.pid();
            }
            case RESTART -> {
                String killed = "";
                if (p.isAlive()) {
                    p.destroyForcibly();
                    p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    killed = "killed pid " + p.pid() + ", ";
                }
                startNode(node);
                return killed + "started pid " + current[i].pid();
            }
        }
        throw new AssertionError(action);
    }

    private static void requireAlive(Process p, int node, FaultAction action) throws IOException {
        if (!p.isAlive()) {
            throw new IOException(action.label() + ": n" + node + " (pid " + p.pid() + ") is not running");
        }
    }

    private static void mark(Path logFile, String event) {
        try {
            Files.writeString(logFile, "---- ringkv bench: " + event + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** The shutdown hook's last resort: every process started, SIGCONT then SIGKILL. */
    private void killAll() {
        for (Process p : started) {
            if (p.isAlive()) {
                try {
                    Processes.signal("CONT", p.pid());
                } catch (IOException | InterruptedException ignored) {
                    // SIGKILL works on a stopped process too
                }
                p.destroyForcibly();
            }
        }
        if (agent != null) {
            try {
                agent.close();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops everything; deletes a temporary directory (data and logs). */
    @Override
    public void close() throws InterruptedException {
        close(true);
    }

    /**
     * Stops every process it started (nodes first, then the Consul agent); deletes the directory
     * only when it was a temporary one and {@code deleteData}, so a failed run's logs stay.
     */
    public synchronized void close(boolean deleteData) throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < current.length; i++) {
            Process p = current[i];
            if (p != null && p.isAlive() && suspended[i]) {
                try {
                    Processes.signal("CONT", p.pid());
                } catch (IOException e) {
                    log.println("ringkv bench: SIGCONT of pid " + p.pid() + " failed: " + e.getMessage());
                }
            }
        }
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroy();
            }
        }
        for (Process p : started) {
            if (!p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
        if (agent != null) {
            agent.close();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: nothing left for it to do
        }
        if (temporary && deleteData) {
            deleteTree(dir);
        } else {
            log.println("ringkv bench: cluster data and logs kept in " + dir);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
