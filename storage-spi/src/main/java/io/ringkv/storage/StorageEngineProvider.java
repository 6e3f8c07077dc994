package io.ringkv.storage;

/**
 * Opens engines of one backend; registered in {@code META-INF/services} and found by
 * {@link StorageEngines#open} through its {@link #name()}.
 */
public interface StorageEngineProvider {
    String name();

    StorageEngine open(EngineConfig config);

    /** Refuses, with a message naming the option, options this backend does not know or whose values are out of range; opens nothing. */
    default void check(EngineConfig config) {
    }
}
