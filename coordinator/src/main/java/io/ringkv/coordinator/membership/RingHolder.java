package io.ringkv.coordinator.membership;

import io.ringkv.coordinator.ring.Ring;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** The ring this node currently serves; replaced only by a ring of a higher epoch. */
public final class RingHolder {
    private final AtomicReference<Ring> current = new AtomicReference<>();
    private final List<Consumer<Ring>> listeners = new CopyOnWriteArrayList<>();

    /** The current ring, or empty before the cluster has formed. */
    public Optional<Ring> ring() {
        return Optional.ofNullable(current.get());
    }

    /** The current ring; fails when the cluster has not formed yet. */
    public Ring require() {
        Ring r = current.get();
        if (r == null) {
            throw new IllegalStateException("the ring has not formed yet");
        }
        return r;
    }

    public long epoch() {
        Ring r = current.get();
        return r == null ? 0 : r.epoch();
    }

    /** Installs {@code ring} if its epoch is higher than the current one; returns whether it did. */
    public boolean offer(Ring ring) {
        while (true) {
            Ring old = current.get();
            if (old != null && old.epoch() >= ring.epoch()) {
                return false;
            }
            if (current.compareAndSet(old, ring)) {
                listeners.forEach(l -> l.accept(ring));
                return true;
            }
        }
    }

    public void onChange(Consumer<Ring> listener) {
        listeners.add(listener);
    }
}
