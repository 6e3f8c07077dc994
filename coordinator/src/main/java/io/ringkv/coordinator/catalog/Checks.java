package io.ringkv.coordinator.catalog;

/** Argument checks shared by the row records, so a bad row fails before it reaches SQL. */
final class Checks {
    private Checks() {
    }

    static String text(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }

    static long nonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
        return value;
    }

    static <T> T present(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must be given");
        }
        return value;
    }
}
