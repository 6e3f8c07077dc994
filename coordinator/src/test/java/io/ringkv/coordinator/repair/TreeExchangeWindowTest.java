package io.ringkv.coordinator.repair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.testing.Seeds;
import io.ringkv.coordinator.transport.PeerException;
import io.ringkv.storage.record.Record;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The window of keys in flight ({@code repair_keys_in_flight}): never exceeded, filled when there is
 * enough to do, and, with the peers' calls completing in a seeded random order, the same outcome as
 * the one-key-at-a-time exchange on the same divergence.
 */
class TreeExchangeWindowTest {
    private static final int VNODES = 16;
    private static final int DEPTH = 2;

    private static TreeSpec spec(int vnode) {
        return new TreeSpec("default", vnode, VNODES, DEPTH);
    }

    /**
     * Holds every read and write the peers are asked for until the test completes it; counts the
     * distinct keys with a call outstanding. The exchange's own count of keys in flight is at least
     * this (a key between its reads and its writes has no call outstanding).
     */
    static final class Switchboard {
        private final List<Runnable> pending = new ArrayList<>();
        private final Map<String, Integer> outstanding = new HashMap<>();
        private int maxKeys;

        synchronized <T> CompletableFuture<T> hold(byte[] storedKey, Supplier<T> call) {
            String key = HexFormat.of().formatHex(storedKey);
            outstanding.merge(key, 1, Integer::sum);
            maxKeys = Math.max(maxKeys, outstanding.size());
            CompletableFuture<T> f = new CompletableFuture<>();
            pending.add(() -> {
                T value;
                try {
                    value = call.get();
                } catch (RuntimeException e) {
                    done(key);
                    f.completeExceptionally(e);
                    return;
                }
                done(key);
                f.complete(value);
            });
            return f;
        }

        private synchronized void done(String key) {
            outstanding.compute(key, (k, n) -> n == 1 ? null : n - 1);
        }

        /**
         * A held call, picked at random, once the exchange waits for one: then it has started every
         * key its window allows. Null when none is held or the exchange is still busy.
         */
        synchronized Runnable next(Thread exchange, Random random) {
            if (pending.isEmpty() || exchange.getState() != Thread.State.WAITING) {
                return null;
            }
            return pending.remove(random.nextInt(pending.size()));
        }

        synchronized int maxKeys() {
            return maxKeys;
        }

        synchronized int held() {
            return pending.size();
        }

        /** {@code inner} with its reads and writes held here. */
        RepairPeer peer(RepairPeer inner) {
            Switchboard board = this;
            return new TreeExchangeTest.CountingPeer(inner) {
                @Override
                public CompletableFuture<Record> readAsync(String keyspace, byte[] storedKey) {
                    return board.hold(storedKey, () -> read(keyspace, storedKey));
                }

                @Override
                public CompletableFuture<Void> writeAsync(String keyspace, byte[] storedKey, Record record) {
                    return board.hold(storedKey, () -> {
                        write(keyspace, storedKey, record);
                        return null;
                    });
                }
            };
        }
    }

    /** A divergence and the same records on a second pair of replicas, for the one-at-a-time run. */
    record Case(TreeExchangeTest.Divergence divergence, Replicas copy, long completionSeed) {
        @Override
        public String toString() {
            return "Case[" + divergence + ", completionSeed=" + completionSeed + "]";
        }
    }

    static Case generate(Seeds.Gen g) {
        TreeExchangeTest.Divergence d = TreeExchangeTest.diverge(g, "a", "b");
        Replicas copy = new Replicas(Keyspaces.defaults(), "a", "b");
        for (String id : List.of("a", "b")) {
            d.replicas().contents(id, "default").forEach((hex, r) ->
                    copy.peer(id).write("default", HexFormat.of().parseHex(hex), r));
        }
        return new Case(d, copy, g.anyLong());
    }

    /** Keys whose records differ between the two replicas of the vnode, as their digests tell. */
    private static int differingKeys(Replicas rs, int vnode) {
        int[] all = new int[spec(vnode).leafCount()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        Map<String, KeyDigest> a = new HashMap<>();
        rs.peer("a").digests(spec(vnode), all).forEach(d -> a.put(HexFormat.of().formatHex(d.storedKey()), d));
        int n = 0;
        for (KeyDigest d : rs.peer("b").digests(spec(vnode), all)) {
            KeyDigest other = a.remove(HexFormat.of().formatHex(d.storedKey()));
            if (!d.sameRecord(other)) {
                n++;
            }
        }
        return n + a.size();
    }

    /** Every vnode exchanged with the peers' calls completed in a random order; returns the totals. */
    private static ExchangeResult exchangeShuffled(Replicas rs, int window, Switchboard board, long seed)
            throws InterruptedException {
        RepairPeer a = board.peer(rs.peer("a"));
        RepairPeer b = board.peer(rs.peer("b"));
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread exchange = Thread.ofPlatform().name("exchange").start(() -> {
            try {
                ExchangeResult total = ExchangeResult.NONE;
                for (int v = 0; v < VNODES; v++) {
                    total = total.plus(new TreeExchange(TreeExchange.Throttle.NONE, window).exchange(spec(v), a, b));
                }
                outcome.set(total);
            } catch (RuntimeException | AssertionError e) {
                outcome.set(e);
            }
        });
        Random random = new Random(seed);
        while (exchange.isAlive()) {
            Runnable call = board.next(exchange, random);
            if (call != null) {
                call.run();
            } else {
                Thread.yield();
            }
        }
        exchange.join();
        assertThat(board.held()).as("no call is left held once the exchange returned").isZero();
        if (outcome.get() instanceof Throwable t) {
            throw new AssertionError(t);
        }
        return (ExchangeResult) outcome.get();
    }

    @Test
    void theWindowIsNeverExceededIsFilledAndTheOutcomeIsTheOneAtATimeExchanges() {
        Seeds.check(8, TreeExchangeWindowTest::generate, c -> {
            Replicas rs = c.divergence().replicas();
            int mostInOneVnode = 0;
            for (int v = 0; v < VNODES; v++) {
                mostInOneVnode = Math.max(mostInOneVnode, differingKeys(rs, v));
            }
            Seeds.assume(mostInOneVnode >= 4);

            // The one-at-a-time exchange: a window of 1 over peers that answer at once.
            ExchangeResult sequential = ExchangeResult.NONE;
            for (int v = 0; v < VNODES; v++) {
                sequential = sequential.plus(new TreeExchange(TreeExchange.Throttle.NONE, 1)
                        .exchange(spec(v), c.copy().peer("a"), c.copy().peer("b")));
            }
            assertThat(sequential.keysStreamed()).isPositive();

            int window = 4;
            Switchboard board = new Switchboard();
            ExchangeResult windowed;
            try {
                windowed = exchangeShuffled(rs, window, board, c.completionSeed());
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertThat(board.maxKeys()).as("keys with a call outstanding at once").isEqualTo(window);
            assertThat(windowed).isEqualTo(sequential);
            assertThat(rs.contents("a", "default")).isEqualTo(c.copy().contents("a", "default"))
                    .isEqualTo(rs.contents("b", "default"));
            assertThat(rs.contents("b", "default")).isEqualTo(c.copy().contents("b", "default"));
        });
    }

    @Test
    void aWindowOfOneIsOneKeyAtATimeAndAWindowLargerThanTheWorkIsFilledByIt() throws Exception {
        Seeds.check(3, TreeExchangeWindowTest::generate, c -> {
            int mostInOneVnode = 0;
            for (int v = 0; v < VNODES; v++) {
                mostInOneVnode = Math.max(mostInOneVnode, differingKeys(c.copy(), v));
            }
            Seeds.assume(mostInOneVnode >= 2);
            try {
                Switchboard one = new Switchboard();
                ExchangeResult r1 = exchangeShuffled(c.divergence().replicas(), 1, one, c.completionSeed());
                assertThat(one.maxKeys()).isEqualTo(1);

                Switchboard wide = new Switchboard();
                ExchangeResult rMax = exchangeShuffled(c.copy(), RepairSettings.MAX_KEYS_IN_FLIGHT, wide,
                        c.completionSeed());
                assertThat(wide.maxKeys()).as("every differing key of the busiest vnode at once")
                        .isEqualTo(mostInOneVnode);
                assertThat(rMax).isEqualTo(r1);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertThat(c.copy().contents("a", "default")).isEqualTo(c.divergence().replicas().contents("a", "default"));
        });
    }

    @Test
    void aFailedReadStopsNewKeysAndIsThrownNamingItsReplica() {
        Replicas rs = new Replicas(Keyspaces.defaults(), "a", "b");
        for (int i = 0; i < 200; i++) {
            rs.write("a", "default", "k" + i, Replicas.lww(1_000 + i, "n1", "v" + i, 1_000));
        }
        int vnode = Replicas.vnodeOf("k0", VNODES);
        int[] readsOfB = {0};
        TreeExchangeTest.CountingPeer b = new TreeExchangeTest.CountingPeer(rs.peer("b")) {
            @Override
            public Record read(String keyspace, byte[] storedKey) {
                if (++readsOfB[0] == 2) {
                    throw new PeerException("b", false, "connection refused");
                }
                return super.read(keyspace, storedKey);
            }
        };
        TreeExchangeTest.CountingPeer a = new TreeExchangeTest.CountingPeer(rs.peer("a"));
        assertThatThrownBy(() -> new TreeExchange(TreeExchange.Throttle.NONE, 2).exchange(spec(vnode), a, b))
                .isInstanceOf(PeerException.class).satisfies(e -> assertThat(((PeerException) e).nodeId()).isEqualTo("b"));
        // Peers that answer at once: keys 1 and 2 start together; key 2's read on b fails, key 3 never starts.
        assertThat(a.reads).isEqualTo(2);
        assertThat(a.writes).isZero();
        assertThat(b.writes).as("key 1 was written before key 2's failure was seen").isEqualTo(1);
    }

    @Test
    void aWindowBelowOneIsRefused() {
        assertThatThrownBy(() -> new TreeExchange(TreeExchange.Throttle.NONE, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keysInFlight must be positive");
    }
}
