package io.ringkv.coordinator.version;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.testing.Seeds.Gen;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Three replicas of one causal key, clients that read and write through them, and an oracle
 * that knows nothing of dots: it keeps every write with the set of writes its client had seen,
 * and says a write is live at a replica iff the replica knows it and knows no write that saw it.
 *
 * <p>One rule of {@link DvvSet#update} the oracle states too: a write that tells the coordinator
 * nothing new (it knows every write the client saw, and none of them is live there) and whose
 * content equals a live sibling there is a retry and changes nothing. Only deletes can collide
 * here, since every value written is unique.
 */
final class CausalSim {
    static final List<String> REPLICAS = List.of("a", "b", "c");
    static final int CLIENTS = 4;

    sealed interface Op permits Read, Write, Sync {
    }

    /** A client reads the key from one replica and keeps its context for its next write. */
    record Read(int client, int replica) implements Op {
    }

    /** A client writes through a coordinator with its last read context, or none if blind. */
    record Write(int client, int coordinator, boolean delete, boolean blind) implements Op {
    }

    /** Replica {@code to} merges replica {@code from}'s state (replication, repair, handoff). */
    record Sync(int from, int to) implements Op {
    }

    /** Reads, writes and syncs in the ratio 3:4:3; one write in ten is a delete, one blind. */
    static Op op(Gen gen) {
        int kind = gen.index(10);
        if (kind < 3) {
            return new Read(client(gen), replica(gen));
        }
        if (kind < 7) {
            int client = client(gen);
            int replica = replica(gen);
            int write = gen.index(10);
            return new Write(client, replica, write == 0, write == 1);
        }
        return new Sync(replica(gen), replica(gen));
    }

    private static int client(Gen gen) {
        return gen.between(0, CLIENTS - 1);
    }

    private static int replica(Gen gen) {
        return gen.between(0, REPLICAS.size() - 1);
    }

    static List<Op> history(Gen gen, int maxOps) {
        return gen.list(0, maxOps, CausalSim::op);
    }

    /** What a sibling says, timestamps aside: the oracle's notion of a value. */
    record Content(boolean tombstone, String value) {
        static Content of(Sibling s) {
            return new Content(s.tombstone(), new String(s.value(), StandardCharsets.UTF_8));
        }
    }

    record Dot(String replica, long counter) {
    }

    /** A client's write as the oracle sees it: what it wrote, what it had seen, and its dot if not absorbed. */
    record WriteRecord(int id, Content content, Set<Integer> saw, Dot dot) {
    }

    final DvvSet[] states = new DvvSet[REPLICAS.size()];
    private final List<WriteRecord> writes = new ArrayList<>();
    private final List<Set<Integer>> known = new ArrayList<>();
    private final Map<Integer, VersionVector> clientContext = new HashMap<>();
    private final Map<Integer, Set<Integer>> clientSaw = new HashMap<>();

    CausalSim() {
        for (int r = 0; r < REPLICAS.size(); r++) {
            states[r] = DvvSet.empty();
            known.add(new HashSet<>());
        }
    }

    void apply(Op op) {
        switch (op) {
            case Read r -> read(r.client(), r.replica());
            case Write w -> write(w.client(), w.coordinator(), w.delete(), w.blind());
            case Sync s -> sync(s.from(), s.to());
        }
    }

    void read(int client, int replica) {
        clientContext.put(client, states[replica].join());
        clientSaw.put(client, Set.copyOf(known.get(replica)));
    }

    void write(int client, int coordinator, boolean delete, boolean blind) {
        int id = writes.size();
        long timestampMillis = 1_000 + id;
        Sibling value = delete
                ? Sibling.tombstone(timestampMillis)
                : Sibling.of(("w" + id).getBytes(StandardCharsets.UTF_8), timestampMillis);
        VersionVector context = blind ? VersionVector.empty() : clientContext.getOrDefault(client, VersionVector.empty());
        Set<Integer> saw = blind ? Set.of() : clientSaw.getOrDefault(client, Set.of());
        String me = REPLICAS.get(coordinator);

        states[coordinator] = states[coordinator].update(context, value, me);

        Set<Integer> k = known.get(coordinator);
        Content content = Content.of(value);
        Set<Integer> liveHere = live(k);
        boolean contextIsNews = !k.containsAll(saw) || liveHere.stream().anyMatch(saw::contains);
        boolean retry = !contextIsNews && liveHere.stream().anyMatch(e -> writes.get(e).content().equals(content));
        if (retry) {
            // Changes nothing anywhere: no dot, and nothing for the replica to learn.
            writes.add(new WriteRecord(id, content, saw, null));
            return;
        }
        k.addAll(saw);
        long counter = 1 + k.stream().map(e -> writes.get(e).dot())
                .filter(d -> d != null && d.replica().equals(me))
                .mapToLong(Dot::counter).max().orElse(0);
        writes.add(new WriteRecord(id, content, saw, new Dot(me, counter)));
        k.add(id);
    }

    void sync(int from, int to) {
        states[to] = DvvSet.sync(states[to], states[from]);
        known.get(to).addAll(known.get(from));
    }

    /** Brings every replica to the same state, as repair eventually does. */
    DvvSet syncAll() {
        for (int r = 1; r < REPLICAS.size(); r++) {
            sync(r, 0);
        }
        for (int r = 1; r < REPLICAS.size(); r++) {
            sync(0, r);
        }
        return states[0];
    }

    /** Writes with a dot that the given knowledge holds and no write in it saw. */
    Set<Integer> live(Set<Integer> knowledge) {
        Set<Integer> seenByLater = new HashSet<>();
        for (int w : knowledge) {
            seenByLater.addAll(writes.get(w).saw());
        }
        return knowledge.stream()
                .filter(w -> writes.get(w).dot() != null && !seenByLater.contains(w))
                .collect(Collectors.toSet());
    }

    Set<Integer> live(int replica) {
        return live(known.get(replica));
    }

    Set<Content> liveContents(int replica) {
        return live(replica).stream().map(w -> writes.get(w).content()).collect(Collectors.toSet());
    }

    /** The context the oracle expects a reader of {@code replica} to get: the highest dot per replica. */
    VersionVector expectedJoin(int replica) {
        TreeMap<String, Long> counters = new TreeMap<>();
        for (int w : known.get(replica)) {
            Dot d = writes.get(w).dot();
            if (d != null) {
                counters.merge(d.replica(), d.counter(), Math::max);
            }
        }
        return new VersionVector(counters);
    }

    /** The replica's set agrees with the oracle: same siblings, one stored per live write, same context. */
    void checkAgainstOracle(int replica) {
        DvvSet state = states[replica];
        Set<Content> actual = state.values().stream().map(Content::of).collect(Collectors.toSet());
        assertThat(actual).as("values at %s", REPLICAS.get(replica)).isEqualTo(liveContents(replica));
        assertThat(state.values()).as("values at %s show each content once", REPLICAS.get(replica))
                .hasSize(actual.size());
        assertThat(state.storedSize()).as("stored siblings at %s", REPLICAS.get(replica))
                .isEqualTo(live(replica).size());
        assertThat(state.join()).as("context at %s", REPLICAS.get(replica)).isEqualTo(expectedJoin(replica));
    }

    void checkAllAgainstOracle() {
        for (int r = 0; r < REPLICAS.size(); r++) {
            checkAgainstOracle(r);
        }
    }

    int writeCount() {
        return writes.size();
    }
}
