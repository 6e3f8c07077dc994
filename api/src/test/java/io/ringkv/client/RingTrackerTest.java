package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.ringkv.api.v1.RingNode;
import io.ringkv.api.v1.RingView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The tracker with a scripted fetcher and a fake clock: no network, no threads. */
class RingTrackerTest {
    private final List<String> asked = new ArrayList<>();
    private final Map<String, CompletableFuture<RingView>> answers = new HashMap<>();
    private final AtomicLong nanos = new AtomicLong();
    private final RingTracker tracker = new RingTracker(List.of("s1", "s2"), node -> {
        asked.add(node);
        return answers.computeIfAbsent(node, n -> new CompletableFuture<>());
    }, nanos::get);

    private static RingView ring(long epoch) {
        return RingView.newBuilder().setEpoch(epoch).setVnodeCount(1).setReplicasPerVnode(1)
                .addNodes(RingNode.newBuilder().setId("a").setAddress("a:1")).addAssignments(0).build();
    }

    private void answer(String node, RingView view) {
        answers.computeIfAbsent(node, n -> new CompletableFuture<>()).complete(view);
    }

    private void fail(String node) {
        answers.computeIfAbsent(node, n -> new CompletableFuture<>())
                .completeExceptionally(Status.UNAVAILABLE.withDescription("down").asRuntimeException());
    }

    @Test
    void anEpochInstalledBetweenAResponsesCheckAndItsFetchStartsNoSecondFetch() {
        AtomicLong now = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Runnable> onClockRead = new java.util.concurrent.atomic.AtomicReference<>(() -> { });
        RingTracker[] t = new RingTracker[1];
        t[0] = new RingTracker(List.of("s1"), node -> {
            asked.add(node);
            return answers.computeIfAbsent(node, n -> new CompletableFuture<>());
        }, () -> {
            onClockRead.getAndSet(() -> { }).run();
            return now.get();
        });
        // Our own fetch falls short of the announced epoch 2: later triggers are gated for a while.
        answer("n", ring(1));
        t[0].observeEpoch(2, "n");
        assertThat(asked).containsExactly("n");
        // After the gap, the gate's clock read is when another fetch installs epoch 2: a stand-in for a
        // fetch that finishes on another thread after this response found the ring behind.
        now.set(RingTracker.RETRIGGER_GAP_NANOS + 1);
        onClockRead.set(() -> {
            answer("s1", ring(2));
            assertThat(t[0].refresh("s1").join().epoch()).isEqualTo(2);
        });
        t[0].observeEpoch(2, "n");
        assertThat(asked).as("the ring is current: no fetch of its own").containsExactly("n", "s1");
    }

    @Test
    void triesTheSeedsInOrderUntilOneAnswers() {
        fail("s1");
        answer("s2", ring(4));
        assertThat(tracker.refresh(null).join().epoch()).isEqualTo(4);
        assertThat(asked).containsExactly("s1", "s2");
    }

    @Test
    void concurrentRefreshesShareOneFetch() {
        CompletableFuture<RingSnapshot> first = tracker.refresh(null);
        CompletableFuture<RingSnapshot> second = tracker.refresh("other");
        assertThat(second).isSameAs(first);
        answer("s1", ring(1));
        assertThat(first.join().epoch()).isEqualTo(1);
        assertThat(asked).containsExactly("s1");
    }

    @Test
    void theRingNeverGoesBackwards() {
        answer("s1", ring(5));
        tracker.refresh(null).join();
        answers.put("s1", CompletableFuture.completedFuture(ring(3)));
        assertThat(tracker.refresh(null).join().epoch()).isEqualTo(5);
    }

    private static RingView ringWithBulkPort(long epoch, int bulkPort) {
        return RingView.newBuilder().setEpoch(epoch).setVnodeCount(1).setReplicasPerVnode(1)
                .addNodes(RingNode.newBuilder().setId("a").setAddress("a:1").setBulkPort(bulkPort)).addAssignments(0).build();
    }

    @Test
    void atTheSameEpochANewBulkPortReplacesTheRingAndAnUnchangedOneDoesNot() {
        answer("s1", ringWithBulkPort(5, 7001));
        RingSnapshot first = tracker.refresh(null).join();
        answers.put("s1", CompletableFuture.completedFuture(ringWithBulkPort(5, 7001)));
        assertThat(tracker.refresh(null).join()).isSameAs(first);
        // The node restarted on another bulk port: the epoch is the same, the port is not.
        answers.put("s1", CompletableFuture.completedFuture(ringWithBulkPort(5, 7002)));
        RingSnapshot moved = tracker.refresh(null).join();
        assertThat(moved).isNotSameAs(first);
        assertThat(moved.bulkAddressOf("a:1")).isEqualTo("a:7002");
        // An older ring never wins, whatever ports it names.
        answers.put("s1", CompletableFuture.completedFuture(ringWithBulkPort(4, 7003)));
        assertThat(tracker.refresh(null).join().bulkAddressOf("a:1")).isEqualTo("a:7002");
    }

    @Test
    void refreshSoonFetchesAtMostOncePerGap() {
        answer("s1", ring(1));
        tracker.refresh(null).join();
        asked.clear();
        tracker.refreshSoon();
        assertThat(asked).containsExactly("s1");
        tracker.refreshSoon();
        assertThat(asked).as("within the gap").containsExactly("s1");
        nanos.addAndGet(RingTracker.RETRIGGER_GAP_NANOS);
        tracker.refreshSoon();
        assertThat(asked).containsExactly("s1", "s1");
    }

    @Test
    void aMalformedRingCountsAsAFailureAndTheNextNodeIsAsked() {
        answer("s1", RingView.newBuilder().setVnodeCount(3).build());
        answer("s2", ring(2));
        assertThat(tracker.refresh(null).join().epoch()).isEqualTo(2);
    }

    @Test
    void whenNoNodeAnswersTheFailureNamesEachOfThem() {
        fail("s1");
        fail("s2");
        assertThat(tracker.refresh(null)).failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(UnavailableException.class)
                .withMessageContaining("s1: down").withMessageContaining("s2: down");
        assertThat(tracker.current()).isNull();
    }

    @Test
    void anObservedNewerEpochRefreshesFromTheNodeThatAnnouncedIt() {
        answer("s1", ring(1));
        tracker.refresh(null).join();
        asked.clear();

        tracker.observeEpoch(1, "x:1"); // not newer: nothing happens
        assertThat(asked).isEmpty();

        answer("x:1", ring(2));
        tracker.observeEpoch(2, "x:1");
        assertThat(asked).containsExactly("x:1");
        assertThat(tracker.current().epoch()).isEqualTo(2);
    }

    @Test
    void aRefreshThatStaysBehindGatesTheNextTriggerForAWhile() {
        answer("s1", ring(1));
        answer("s2", ring(1));
        answer("a:1", ring(1));
        answer("x:1", ring(1)); // x announces 9 but serves 1: no node has epoch 9 yet
        tracker.refresh(null).join();
        asked.clear();

        tracker.observeEpoch(9, "x:1");
        assertThat(asked).containsExactly("x:1");
        tracker.observeEpoch(9, "x:1");
        assertThat(asked).hasSize(1);

        nanos.addAndGet(RingTracker.RETRIGGER_GAP_NANOS);
        tracker.observeEpoch(9, "x:1");
        assertThat(asked).hasSize(2);
    }

    @Test
    void aNewerEpochSeenDuringAnOlderFetchIsFetchedAgainAfterIt() {
        CompletableFuture<RingSnapshot> initial = tracker.refresh(null); // asks s1, still pending
        tracker.observeEpoch(2, "x:1"); // joins the pending fetch, which began before epoch 2
        answer("s1", ring(1));
        assertThat(initial.join().epoch()).isEqualTo(1);
        // Behind after a fetch it only joined: it fetched again, from the announcing node first.
        assertThat(asked).containsExactly("s1", "x:1");
        answer("x:1", ring(2));
        assertThat(tracker.current().epoch()).isEqualTo(2);
    }
}
