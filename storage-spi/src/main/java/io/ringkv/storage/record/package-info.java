/**
 * The stored record: a value (or tombstone) with its version and write time, in a
 * self-checking binary format with a format-version byte so it can evolve.
 */
package io.ringkv.storage.record;
