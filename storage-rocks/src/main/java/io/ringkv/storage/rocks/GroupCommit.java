package io.ringkv.storage.rocks;

import io.ringkv.storage.StorageException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes writers share fsyncs: a writer takes a ticket after its write reached the log, and waits
 * until one background fsync that started after the ticket completes. While one fsync runs,
 * every writer that arrives joins the next one, so the fsync rate stays bounded by the disk
 * while throughput grows with concurrency.
 */
final class GroupCommit implements AutoCloseable {
    /** What forces the log to disk. */
    interface Syncer {
        void sync() throws Exception;
    }

    private final Syncer syncer;
    private final long delayMillis;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition done = lock.newCondition();
    private final Thread thread;
    private long issued;
    private long synced;
    private Exception failure;
    private boolean closed;

    GroupCommit(Syncer syncer, long delayMillis) {
        this.syncer = syncer;
        this.delayMillis = delayMillis;
        this.thread = Thread.ofPlatform().daemon().name("rocks-group-commit").start(this::run);
    }

    /** Blocks until a sync covering every write that completed before this call is done. */
    void awaitDurable() {
        lock.lock();
        try {
            long ticket = ++issued;
            work.signal();
            while (synced < ticket) {
                if (failure != null) {
                    throw new StorageException("write-ahead log sync failed", failure);
                }
                if (closed) {
                    throw new StorageException("engine closed before the write was made durable");
                }
                done.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            long target;
            lock.lock();
            try {
                while (issued == synced && !closed) {
                    work.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
            } finally {
                lock.unlock();
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
                target = issued;
            } finally {
                lock.unlock();
            }
            Exception error = null;
            try {
                syncer.sync();
            } catch (Exception e) {
                error = e;
            }
            lock.lock();
            try {
                if (error != null) {
                    failure = error;
                } else {
                    synced = Math.max(synced, target);
                }
                done.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
            done.signalAll();
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
