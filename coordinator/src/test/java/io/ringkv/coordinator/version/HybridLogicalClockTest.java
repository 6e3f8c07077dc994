package io.ringkv.coordinator.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.testing.Seeds;
import io.ringkv.coordinator.testing.Seeds.Gen;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class HybridLogicalClockTest {
    private static final long MAX_DRIFT_MILLIS = 60_000;
    private static final long T0 = 1_750_000_000_000L;

    @Test
    void packingRoundTrips() {
        record Case(long physical, int logical) {
        }
        Seeds.check(1000, gen -> new Case(gen.between(0, (1L << 48) - 1), gen.between(0, 0xFFFF)), c -> {
            long physical = c.physical();
            int logical = c.logical();
            HlcTimestamp ts = new HlcTimestamp(physical, logical);
            assertThat(ts.pack()).isEqualTo(physical << 16 | logical);
            assertThat(HlcTimestamp.unpack(ts.pack())).isEqualTo(ts);
        });
    }

    @Test
    void everyLongUnpacksAndRepacks() {
        Seeds.check(1000, Gen::anyLong, packed -> {
            assertThat(HlcTimestamp.unpack(packed).pack()).isEqualTo(packed);
        });
    }

    @Test
    void packedOrderIsReadingOrder() {
        record Case(long x, long y) {
        }
        Seeds.check(1000, gen -> new Case(gen.anyLong(), gen.anyLong()), c -> {
            long x = c.x();
            long y = c.y();
            HlcTimestamp a = HlcTimestamp.unpack(x);
            HlcTimestamp b = HlcTimestamp.unpack(y);
            int byFields = a.physicalMillis() != b.physicalMillis()
                    ? Long.compare(a.physicalMillis(), b.physicalMillis())
                    : Integer.compare(a.logical(), b.logical());
            assertThat(Integer.signum(a.compareTo(b))).isEqualTo(Integer.signum(byFields));
        });
    }

    @Test
    void rejectsFieldsOutOfRange() {
        assertThatThrownBy(() -> new HlcTimestamp(1L << 48, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HlcTimestamp(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HlcTimestamp(0, 0x10000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HlcTimestamp(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void followsPhysicalTimeWhenItMovesForward() {
        ManualInstantSource wall = new ManualInstantSource(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, MAX_DRIFT_MILLIS);

        assertThat(HlcTimestamp.unpack(clock.now())).isEqualTo(new HlcTimestamp(T0, 0));
        assertThat(HlcTimestamp.unpack(clock.now())).isEqualTo(new HlcTimestamp(T0, 1));
        wall.advance(5);
        assertThat(HlcTimestamp.unpack(clock.now())).isEqualTo(new HlcTimestamp(T0 + 5, 0));
    }

    @Test
    void staysMonotonicWhenPhysicalTimeGoesBackwards() {
        ManualInstantSource wall = new ManualInstantSource(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, MAX_DRIFT_MILLIS);
        long before = clock.now();

        wall.set(T0 - 10_000);
        long after = clock.now();

        assertThat(Long.compareUnsigned(after, before)).isPositive();
        assertThat(HlcTimestamp.unpack(after)).isEqualTo(new HlcTimestamp(T0, 1));
    }

    /** A schedule of physical clock moves, observed peer readings and local readings. */
    sealed interface Step permits Move, Tick, Observe {
    }

    record Move(long deltaMillis) implements Step {
    }

    record Tick() implements Step {
    }

    /** A peer reading {@code aheadMillis} from our physical time (negative: behind). */
    record Observe(long aheadMillis, int logical) implements Step {
    }

    /** Up to 60 steps: a move, a tick, a tick or an observation, equally likely. */
    static List<Step> schedule(Gen gen) {
        return gen.list(0, 60, g -> switch (g.index(4)) {
            case 0 -> new Move(g.between(-5_000L, 5_000L));
            case 1, 2 -> new Tick();
            default -> new Observe(g.between(-5_000L, MAX_DRIFT_MILLIS), g.between(0, 0xFFFF));
        });
    }

    @Test
    void nowExceedsEverythingIssuedOrObserved() {
        Seeds.check(300, HybridLogicalClockTest::schedule, schedule -> {
            ManualInstantSource wall = new ManualInstantSource(T0);
            HybridLogicalClock clock = new HybridLogicalClock(wall, MAX_DRIFT_MILLIS);
            long highest = 0;
            for (Step step : schedule) {
                switch (step) {
                    case Move m -> wall.advance(m.deltaMillis());
                    case Observe o -> {
                        long remote = new HlcTimestamp(wall.millis() + o.aheadMillis(), o.logical()).pack();
                        clock.observe(remote);
                        highest = Long.compareUnsigned(remote, highest) > 0 ? remote : highest;
                    }
                    case Tick t -> {
                        long now = clock.now();
                        assertThat(Long.compareUnsigned(now, highest)).as("now() after %s", highest).isPositive();
                        // Never behind physical time: the clock tracks the wall whenever the wall leads.
                        assertThat(HlcTimestamp.unpack(now).physicalMillis()).isGreaterThanOrEqualTo(wall.millis());
                        highest = now;
                    }
                }
            }
        });
    }

    @Test
    void observeMergesAReadingAheadOfUs() {
        ManualInstantSource wall = new ManualInstantSource(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, MAX_DRIFT_MILLIS);
        clock.now();

        clock.observe(new HlcTimestamp(T0 + 1_000, 7).pack());

        assertThat(HlcTimestamp.unpack(clock.now())).isEqualTo(new HlcTimestamp(T0 + 1_000, 8));
    }

    @Test
    void observeOfAnOlderReadingChangesNothing() {
        ManualInstantSource wall = new ManualInstantSource(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, MAX_DRIFT_MILLIS);
        long issued = clock.now();

        clock.observe(new HlcTimestamp(T0 - 1_000, 99).pack());

        assertThat(clock.latest()).isEqualTo(issued);
    }

    @Test
    void logicalOverflowCarriesIntoPhysical() {
        ManualInstantSource wall = new ManualInstantSource(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, MAX_DRIFT_MILLIS);

        clock.observe(new HlcTimestamp(T0, HlcTimestamp.MAX_LOGICAL).pack());

        assertThat(HlcTimestamp.unpack(clock.now())).isEqualTo(new HlcTimestamp(T0 + 1, 0));
    }

    @Test
    void aFrozenClockIssuesMoreThanSixtyFiveThousandReadingsPerMillisecond() {
        ManualInstantSource wall = new ManualInstantSource(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, MAX_DRIFT_MILLIS);
        long previous = 0;
        for (int i = 0; i < 70_000; i++) {
            long now = clock.now();
            assertThat(Long.compareUnsigned(now, previous)).isPositive();
            previous = now;
        }
        assertThat(HlcTimestamp.unpack(previous)).isEqualTo(new HlcTimestamp(T0 + 1, 70_000 - 65_536 - 1));
    }

    @Test
    void rejectsAReadingTooFarAheadAndKeepsItsState() {
        ManualInstantSource wall = new ManualInstantSource(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, MAX_DRIFT_MILLIS);
        long issued = clock.now();

        assertThatThrownBy(() -> clock.observe(new HlcTimestamp(T0 + MAX_DRIFT_MILLIS + 1, 0).pack()))
                .isInstanceOfSatisfying(ClockDriftException.class, e -> {
                    assertThat(e.remotePhysicalMillis()).isEqualTo(T0 + MAX_DRIFT_MILLIS + 1);
                    assertThat(e.localPhysicalMillis()).isEqualTo(T0);
                    assertThat(e.maxDriftMillis()).isEqualTo(MAX_DRIFT_MILLIS);
                });
        assertThat(clock.latest()).isEqualTo(issued);

        // Exactly at the bound is still accepted.
        clock.observe(new HlcTimestamp(T0 + MAX_DRIFT_MILLIS, 0).pack());
        assertThat(HlcTimestamp.unpack(clock.now())).isEqualTo(new HlcTimestamp(T0 + MAX_DRIFT_MILLIS, 1));
    }

    @Test
    void theDriftBoundIsMeasuredFromPhysicalTimeNotFromTheClock() {
        // A reading accepted earlier does not widen the window for the next one.
        ManualInstantSource wall = new ManualInstantSource(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, MAX_DRIFT_MILLIS);
        clock.observe(new HlcTimestamp(T0 + MAX_DRIFT_MILLIS, 0).pack());

        assertThatThrownBy(() -> clock.observe(new HlcTimestamp(T0 + 2 * MAX_DRIFT_MILLIS, 0).pack()))
                .isInstanceOf(ClockDriftException.class);
    }

    @Test
    void concurrentCallersNeverShareAReading() throws Exception {
        ManualInstantSource wall = new ManualInstantSource(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, MAX_DRIFT_MILLIS);
        int threads = 4;
        int perThread = 20_000;
        List<Future<long[]>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    long[] issued = new long[perThread];
                    for (int i = 0; i < perThread; i++) {
                        issued[i] = clock.now();
                        if (i % 1_000 == 0) {
                            wall.advance(1);
                        }
                    }
                    return issued;
                }));
            }
            Set<Long> all = new HashSet<>();
            for (Future<long[]> f : results) {
                long[] issued = f.get();
                for (int i = 0; i < issued.length; i++) {
                    if (i > 0) {
                        assertThat(Long.compareUnsigned(issued[i], issued[i - 1])).isPositive();
                    }
                    all.add(issued[i]);
                }
            }
            assertThat(all).hasSize(threads * perThread);
        }
    }

    @Test
    void rejectsANegativeDriftBound() {
        assertThatThrownBy(() -> new HybridLogicalClock(new ManualInstantSource(T0), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
