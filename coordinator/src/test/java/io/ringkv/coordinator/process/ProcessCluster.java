package io.ringkv.coordinator.process;

import io.ringkv.coordinator.server.LocalCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The node processes of one multi-process test: {@link #node} makes a {@link NodeProcess} with a
 * free loopback port, its data directory and log under {@code dir}; every process any of them starts
 * is tracked here and killed by {@link #close()} (resumed first if it was frozen, descendants too),
 * which tests call from {@code @AfterEach}/{@code @AfterAll}. A JVM shutdown hook does the same if
 * the test JVM dies first.
 */
final class ProcessCluster implements AutoCloseable {
    private final String name;
    private final Path dir;
    private final List<String> jvmOptions;
    private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private final Thread killOnExit;

    /**
     * @param name for messages
     * @param dir where data directories and logs go
     * @param jvmOptions options of every node JVM (heap, GC)
     */
    ProcessCluster(String name, Path dir, List<String> jvmOptions) {
        this.name = name;
        this.dir = dir;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.killOnExit = new Thread(this::killAll, name + "-kill-on-exit");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** A node named {@code id} on a free port, data in {@code dir/id}, log {@code dir/id.log}; not started. */
    NodeProcess node(String id, String rack) throws IOException {
        NodeProcess n = new NodeProcess(this, id, portNoOtherNodeHas(), rack, dir.resolve(id), dir.resolve(id + ".log"));
        nodes.add(n);
        return n;
    }

    /**
     * A free port that no node of this cluster was given: the ports are picked before the nodes
     * start and bind them, so the kernel may hand the same free port out twice (a CI run saw two
     * nodes given one port, and the second failed to bind).
     */
    private int portNoOtherNodeHas() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = LocalCluster.freePort();
            if (nodes.stream().noneMatch(n -> n.port == port)) {
                return port;
            }
        }
        throw new IOException("no free port unlike the other nodes' in 100 attempts");
    }

    List<NodeProcess> nodes() {
        return List.copyOf(nodes);
    }

    List<String> jvmOptions() {
        return jvmOptions;
    }

    void track(Process p) {
        started.add(p);
    }

    /** Prints the last {@code lines} lines of every node's log. */
    void printLogTails(int lines) {
        for (NodeProcess n : nodes) {
            try {
                List<String> all = Files.readAllLines(n.log, StandardCharsets.UTF_8);
                System.out.println("---- last " + lines + " lines of " + n.id + " (" + n.log + ")");
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(System.out::println);
            } catch (IOException e) {
                System.out.println("---- no log for " + n.id + ": " + e);
            }
        }
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // The JVM is already shutting down, or the hook has run.
        }
    }

    /** SIGCONT (a frozen process would otherwise keep its SIGTERM pending), then SIGKILL, every process and its descendants. */
    private void killAll() {
        List<Process> all = new ArrayList<>(started);
        for (Process p : all) {
            if (p.isAlive()) {
                try {
                    NodeProcess.signal("CONT", p.pid());
                } catch (IOException e) {
                    // SIGKILL ends a stopped process too.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        for (Process p : all) {
            try {
                if (!p.waitFor(NodeProcess.STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    System.out.println(name + ": process " + p.pid() + " did not exit after SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        started.removeAll(all);
    }
}
