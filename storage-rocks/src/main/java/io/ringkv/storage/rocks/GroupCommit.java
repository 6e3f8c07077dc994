package io.ringkv.storage.rocks;

import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.SyncObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes writers share fsyncs: a writer whose write reached the log asks for a future, which
 * completes when one background fsync that started after the request is done. While one fsync
 * runs, every writer that arrives joins the next one, so the fsync rate stays bounded by the disk
 * while throughput grows with concurrency. Futures complete on the group-commit thread: what
 * depends on them must not block.
 */
final class GroupCommit implements AutoCloseable {
    /** What forces the log to disk. */
    interface Syncer {
        void sync() throws Exception;
    }

    private final Syncer syncer;
    private final SyncObserver observer;
    private final long delayMillis;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Thread thread;
    private List<CompletableFuture<Void>> pending = new ArrayList<>();
    private Exception failure;
    private boolean closed;

    GroupCommit(Syncer syncer, long delayMillis) {
        this(syncer, delayMillis, "rocks-group-commit", SyncObserver.NONE);
    }

    /**
     * As above, on a thread named {@code threadName} (a node has one per database: data, chunks),
     * telling {@code observer} of each sync.
     */
    GroupCommit(Syncer syncer, long delayMillis, String threadName, SyncObserver observer) {
        this.syncer = syncer;
        this.delayMillis = delayMillis;
        this.observer = observer;
        this.thread = Thread.ofPlatform().daemon().name(threadName).start(this::run);
    }

    /**
     * A future that completes when a sync covering every write that completed before this call is
     * done, or fails with a {@link StorageException} when the sync fails or the engine closes first.
     */
    CompletableFuture<Void> durable() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        lock.lock();
        try {
            if (failure != null) {
                return CompletableFuture.failedFuture(syncFailed(failure));
            }
            if (closed) {
                return CompletableFuture.failedFuture(closedFirst());
            }
            pending.add(done);
            if (pending.size() == 1) {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
        return done;
    }

    /** Blocks until a sync covering every write that completed before this call is done. */
    void awaitDurable() {
        if (Thread.currentThread() == thread) {
            // A blocking write made by something a completed future ran: waiting for this thread
            // would wait forever, so sync here.
            try {
                syncer.sync();
            } catch (Exception e) {
                throw syncFailed(e);
            }
            return;
        }
        StorageEngine.awaitDurable(durable());
    }

    private void run() {
        while (true) {
            List<CompletableFuture<Void>> batch;
            lock.lock();
            try {
                while (pending.isEmpty() && !closed) {
                    work.awaitUninterruptibly();
                }
                if (closed) {
                    batch = takePending();
                } else {
                    batch = null;
                }
            } finally {
                lock.unlock();
            }
            if (batch != null) {
                fail(batch, closedFirst());
                return;
            }
            if (delayMillis > 0) {
                // Gather writers that are about to arrive; bounded, so a lone writer waits little.
                try {
                    TimeUnit.MILLISECONDS.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            lock.lock();
            try {
                // Every writer in this batch asked after its write reached the log: the sync covers it.
                batch = takePending();
            } finally {
                lock.unlock();
            }
            Exception error = null;
            long started = System.nanoTime();
            try {
                syncer.sync();
            } catch (Exception e) {
                error = e;
            }
            if (error == null) {
                try {
                    observer.synced(System.nanoTime() - started, batch.size());
                } catch (RuntimeException ignored) {
                    // A metric's failure must not fail the writes this sync made durable.
                }
                for (CompletableFuture<Void> f : batch) {
                    f.complete(null);
                }
            } else {
                lock.lock();
                try {
                    failure = error;
                    batch.addAll(takePending());
                } finally {
                    lock.unlock();
                }
                fail(batch, syncFailed(error));
            }
        }
    }

    private List<CompletableFuture<Void>> takePending() {
        List<CompletableFuture<Void>> taken = pending;
        pending = new ArrayList<>(Math.max(16, taken.size()));
        return taken;
    }

    private static void fail(List<CompletableFuture<Void>> batch, StorageException e) {
        for (CompletableFuture<Void> f : batch) {
            f.completeExceptionally(e);
        }
    }

    private static StorageException syncFailed(Exception cause) {
        return new StorageException("write-ahead log sync failed", cause);
    }

    private static StorageException closedFirst() {
        return new StorageException("engine closed before the write was made durable");
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
