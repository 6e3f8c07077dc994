package io.ringkv.storage.rocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.storage.StorageException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GroupCommitTest {
    /** A syncer that counts its syncs and runs each only when the test lets it. */
    private static final class SteppedSyncer implements GroupCommit.Syncer {
        final Semaphore permits = new Semaphore(0);
        final Semaphore entered = new Semaphore(0);
        final AtomicInteger syncs = new AtomicInteger();

        @Override
        public void sync() throws InterruptedException {
            entered.release();
            if (!permits.tryAcquire(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let this sync run");
            }
            syncs.incrementAndGet();
        }
    }

    @Test
    void aWriterThatArrivesDuringASyncWaitsForTheNextOne() throws Exception {
        SteppedSyncer syncer = new SteppedSyncer();
        try (GroupCommit commit = new GroupCommit(syncer, 0)) {
            CompletableFuture<Void> first = commit.durable();
            assertThat(syncer.entered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> second = commit.durable();
            CompletableFuture<Void> third = commit.durable();
            syncer.permits.release();
            first.get(10, TimeUnit.SECONDS);
            assertThat(syncer.syncs.get()).isEqualTo(1);
            assertThat(second).isNotDone();
            // The two that arrived during the first sync share the second.
            assertThat(syncer.entered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            syncer.permits.release();
            CompletableFuture.allOf(second, third).get(10, TimeUnit.SECONDS);
            assertThat(syncer.syncs.get()).isEqualTo(2);
        }
    }

    @Test
    void eachSyncIsReportedWithItsDurationAndItsWriters() throws Exception {
        SteppedSyncer syncer = new SteppedSyncer();
        List<long[]> seen = new CopyOnWriteArrayList<>();
        try (GroupCommit commit = new GroupCommit(syncer, 0, "sync-test", (nanos, writers) -> seen.add(new long[] {nanos, writers}))) {
            CompletableFuture<Void> first = commit.durable();
            assertThat(syncer.entered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> second = commit.durable();
            CompletableFuture<Void> third = commit.durable();
            Thread.sleep(30);
            syncer.permits.release();
            first.get(10, TimeUnit.SECONDS);
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0)[0]).as("nanos of a sync held 30 ms").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
            assertThat(seen.get(0)[1]).as("writers").isEqualTo(1);
            assertThat(syncer.entered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            syncer.permits.release();
            CompletableFuture.allOf(second, third).get(10, TimeUnit.SECONDS);
            assertThat(seen).hasSize(2);
            assertThat(seen.get(1)[1]).as("writers").isEqualTo(2);
        }
    }

    @Test
    void anObserverThatThrowsFailsNoWrite() throws Exception {
        AtomicInteger syncs = new AtomicInteger();
        try (GroupCommit commit = new GroupCommit(syncs::incrementAndGet, 0, "sync-test", (nanos, writers) -> {
            throw new IllegalStateException("metrics broken");
        })) {
            commit.durable().get(10, TimeUnit.SECONDS);
            commit.durable().get(10, TimeUnit.SECONDS);
            assertThat(syncs.get()).isEqualTo(2);
        }
    }

    @Test
    void aFailedSyncFailsItsWritersAndEveryLaterOne() throws Exception {
        try (GroupCommit commit = new GroupCommit(() -> {
            throw new IOException("disk gone");
        }, 0)) {
            CompletableFuture<Void> waiting = commit.durable();
            assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(StorageException.class).hasMessageContaining("sync failed")
                    .cause().hasMessage("disk gone");
            assertThatThrownBy(commit::awaitDurable).isInstanceOf(StorageException.class)
                    .hasMessageContaining("sync failed");
        }
    }

    @Test
    void closingFailsTheWritersNoSyncCovered() throws Exception {
        SteppedSyncer syncer = new SteppedSyncer();
        GroupCommit commit = new GroupCommit(syncer, 0);
        CompletableFuture<Void> covered = commit.durable();
        assertThat(syncer.entered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> late = commit.durable();
        Thread closer = Thread.ofPlatform().start(commit::close);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (closer.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < until) {
            Thread.sleep(1); // until close() has marked the commit closed and waits for its thread
        }
        // The sync in progress finishes and completes its writer; the one after it is never synced.
        syncer.permits.release();
        closer.join(20_000);
        covered.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(StorageException.class).hasMessageContaining("closed before the write was made durable");
        assertThatThrownBy(() -> commit.durable().get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(StorageException.class).hasMessageContaining("closed");
    }

    @Test
    void aBlockingWaitFromWhatACompletedWriteRunsDoesNotDeadlock() throws Exception {
        AtomicInteger syncs = new AtomicInteger();
        try (GroupCommit commit = new GroupCommit(syncs::incrementAndGet, 1)) {
            CountDownLatch nestedDone = new CountDownLatch(1);
            commit.durable().thenRun(() -> {
                // Runs on the group-commit thread: a blocking write here must not wait for itself.
                commit.awaitDurable();
                nestedDone.countDown();
            });
            assertThat(nestedDone.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(syncs.get()).isEqualTo(2);
        }
    }
}
