package io.ringkv.coordinator.catalog;

import java.util.List;

/**
 * The catalog's schema history as shipped. A class path cannot be listed portably, so the scripts
 * are named here; a test checks this list against the {@code catalog/} resource directory.
 */
final class Migrations {
    static final String DIRECTORY = "catalog";

    /** In version order. Append only: an applied script is never edited or removed. */
    static final List<String> SCRIPTS = List.of(
            "V1__initial.sql",
            "V2__repair_progress.sql");

    private Migrations() {
    }

    static List<Migration> builtIn() {
        return SCRIPTS.stream().map(s -> Migration.load(DIRECTORY, s)).toList();
    }
}
