package io.ringkv.storage.rocks;

/** The contract again, with large values' chunks in a second RocksDB, as a node keeps them. */
class RocksSeparateChunksContractTest extends RocksEngineContractTest {
    @Override
    protected boolean separateChunkStore() {
        return true;
    }
}
