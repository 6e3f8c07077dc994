package io.ringkv.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.contract.StorageEngineContractTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryEngineContractTest extends StorageEngineContractTest {
    @Override
    protected StorageEngine open(Path dir) {
        return StorageEngines.open("memory", EngineConfig.ephemeral());
    }

    @Override
    protected boolean persistent() {
        return false;
    }

    @Test
    void isFoundByNameThroughTheServiceLoader() {
        assertThat(StorageEngines.available()).contains("memory");
        assertThat(engine.name()).isEqualTo("memory");
        assertThatThrownBy(() -> StorageEngines.open("nope", EngineConfig.ephemeral()))
                .hasMessageContaining("no storage backend named 'nope'").hasMessageContaining("memory");
    }

    @Test
    void rejectsOptionsItDoesNotKnow() {
        assertThatThrownBy(() -> StorageEngines.open("memory", EngineConfig.ephemeral().withOptions(Map.of("x", "1"))))
                .hasMessageContaining("takes no options");
    }
}
