package io.ringkv.storage;

/**
 * Opens engines of one backend; registered in {@code META-INF/services} and found by
 * {@link StorageEngines#open} through its {@link #name()}.
 */
public interface StorageEngineProvider {
    String name();

    StorageEngine open(EngineConfig config);
}
