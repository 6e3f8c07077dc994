package io.ringkv.storage.memory;

/** The contract again, with large values' chunks in a second memory engine. */
class MemorySeparateChunksContractTest extends MemoryEngineContractTest {
    @Override
    protected boolean separateChunkStore() {
        return true;
    }
}
