package io.ringkv.coordinator.request;

/**
 * Counts answers toward a quorum of {@code required} out of {@code total}: pending until
 * {@code required} successes (met) or until so many failed that it can no longer be met.
 * Not thread-safe; owned by one request.
 */
final class Quorum {
    /** Where a quorum stands. */
    enum State { PENDING, MET, FAILED }

    private final int required;
    private final int total;
    private int successes;
    private int failures;

    Quorum(int required, int total) {
        if (required < 1 || required > total) {
            throw new IllegalArgumentException("quorum of " + required + " out of " + total);
        }
        this.required = required;
        this.total = total;
    }

    State onSuccess() {
        successes++;
        return state();
    }

    State onFailure() {
        failures++;
        return state();
    }

    State state() {
        if (successes >= required) {
            return State.MET;
        }
        return failures > total - required ? State.FAILED : State.PENDING;
    }

    int successes() {
        return successes;
    }

    int failures() {
        return failures;
    }

    int required() {
        return required;
    }

    int total() {
        return total;
    }
}
