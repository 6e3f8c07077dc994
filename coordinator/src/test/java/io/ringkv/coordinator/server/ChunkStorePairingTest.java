package io.ringkv.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkStorePairingTest {
    @TempDir
    Path dir;

    @Test
    void aNewNodesDirectoriesArePairedAndStayPaired() throws Exception {
        Path data = dir.resolve("n1");
        Path chunks = dir.resolve("bulk/n1");
        ChunkStorePairing.check(data, chunks, false);
        String id = Files.readString(data.resolve(ChunkStorePairing.ID_FILE)).trim();
        assertThat(id).hasSize(36);
        assertThat(Files.readString(chunks.resolve(ChunkStorePairing.ID_FILE)).trim()).isEqualTo(id);
        ChunkStorePairing.check(data, chunks, true);
        assertThat(Files.readString(data.resolve(ChunkStorePairing.ID_FILE)).trim()).isEqualTo(id);
    }

    @Test
    void aPairedNodePointedAtAnotherDirectoryRefusesToStart() {
        Path data = dir.resolve("n1");
        ChunkStorePairing.check(data, dir.resolve("bulk/n1"), false);
        assertThatThrownBy(() -> ChunkStorePairing.check(data, dir.resolve("unmounted/n1"), true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not the chunk store of " + data)
                .hasMessageContaining("it has no " + ChunkStorePairing.ID_FILE);
        assertThat(dir.resolve("unmounted/n1")).doesNotExist();
    }

    @Test
    void anotherNodesChunkDirectoryIsRefused() {
        Path shared = dir.resolve("bulk/n1");
        ChunkStorePairing.check(dir.resolve("n1"), shared, false);
        assertThatThrownBy(() -> ChunkStorePairing.check(dir.resolve("n2"), shared, false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("belongs to another data directory");
        ChunkStorePairing.check(dir.resolve("n3"), dir.resolve("bulk/n3"), false);
        assertThatThrownBy(() -> ChunkStorePairing.check(dir.resolve("n1"), dir.resolve("bulk/n3"), true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("belongs to another data directory");
    }

    @Test
    void aNodeWithValuesWhoseChunksDidNotMoveWithItRefusesToStart() {
        Path data = dir.resolve("n1");
        assertThatThrownBy(() -> ChunkStorePairing.check(data, dir.resolve("bulk/n1"), true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("holds no chunk store")
                .hasMessageContaining(data.resolve("chunks").toString());
        assertThat(data.resolve(ChunkStorePairing.ID_FILE)).doesNotExist();
    }

    @Test
    void aChunkStoreFromBeforeThePairingIsAdopted() throws Exception {
        Path data = dir.resolve("n1");
        Path chunks = data.resolve("chunks");
        Files.createDirectories(chunks);
        Files.writeString(chunks.resolve("CURRENT"), "MANIFEST-000005\n");
        ChunkStorePairing.check(data, chunks, true);
        assertThat(Files.readString(chunks.resolve(ChunkStorePairing.ID_FILE)))
                .isEqualTo(Files.readString(data.resolve(ChunkStorePairing.ID_FILE)));
    }
}
