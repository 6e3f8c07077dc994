package io.ringkv.coordinator.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Ties a node's data directory to the directory of its large values' chunks with an id written in
 * both, so that a node whose {@code chunks_dir} points somewhere else than last time (a typo, a
 * volume not mounted, another node's directory) refuses to start instead of serving manifests
 * whose chunks are not there.
 */
final class ChunkStorePairing {
    /** The file, in both directories, that holds the pair's id. */
    static final String ID_FILE = "RINGKV_CHUNKS_ID";

    private ChunkStorePairing() {
    }

    /**
     * Checks that {@code chunksDir} is the chunk store of {@code dataDir}, pairing them when neither
     * holds an id yet: a new node, or a node from before the id, whose chunks are where the id-less
     * layout kept them.
     *
     * @param dataDir         the node's {@code data_dir}, parent of its data engine
     * @param chunksDir       the chunk engine's own directory ({@code chunks_dir})
     * @param dataHoldsValues whether the node's data engine holds anything: then an empty chunk
     *                        directory met for the first time is a chunk store that moved without its chunks
     * @throws IllegalStateException with what to do, when the two do not belong together
     */
    static void check(Path dataDir, Path chunksDir, boolean dataHoldsValues) {
        try {
            Files.createDirectories(dataDir);
            String dataId = read(dataDir.resolve(ID_FILE));
            String chunksId = read(chunksDir.resolve(ID_FILE));
            if (dataId != null && dataId.equals(chunksId)) {
                return;
            }
            if (dataId != null) {
                throw new IllegalStateException("chunks_dir " + chunksDir + " is not the chunk store of " + dataDir
                        + (chunksId == null ? " (it has no " + ID_FILE + ")" : " (it belongs to another data directory)")
                        + ": the large values of this node are in the directory whose " + ID_FILE + " reads "
                        + dataId + "; set chunks_dir to it, or move it here");
            }
            if (chunksId != null) {
                throw new IllegalStateException("chunks_dir " + chunksDir + " belongs to another data directory ("
                        + ID_FILE + " " + chunksId + "), not to " + dataDir + ": give this node a chunks_dir of its own");
            }
            if (dataHoldsValues && !holdsAStore(chunksDir)) {
                throw new IllegalStateException("chunks_dir " + chunksDir + " holds no chunk store, but " + dataDir
                        + " holds values: if this node kept its chunks elsewhere (by default " + dataDir.resolve("chunks")
                        + "), move that directory to " + chunksDir + " or set chunks_dir back");
            }
            String id = UUID.randomUUID().toString();
            // The chunks' side first: a crash between the two writes leaves an id there only, which
            // the next start reports rather than silently pairs.
            write(chunksDir, id);
            write(dataDir, id);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + ID_FILE + " in " + dataDir + " or " + chunksDir, e);
        }
    }

    /** Whether {@code dir} holds a storage engine's files (RocksDB's CURRENT), not just nothing. */
    private static boolean holdsAStore(Path dir) {
        return Files.exists(dir.resolve("CURRENT"));
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : null;
    }

    private static void write(Path dir, String id) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(ID_FILE + ".tmp");
        Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
        try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, dir.resolve(ID_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (var directory = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            directory.force(true);
        }
    }
}
