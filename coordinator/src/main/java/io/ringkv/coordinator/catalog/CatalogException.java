package io.ringkv.coordinator.catalog;

/**
 * A catalog operation failed: the database could not be opened, migrated or queried, or what it
 * holds contradicts what the node was asked to do. The message says which and what to check.
 */
public final class CatalogException extends RuntimeException {
    public CatalogException(String message) {
        super(message);
    }

    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
