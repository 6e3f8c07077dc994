/** The in-memory storage backend: sorted concurrent maps, nothing on disk. */
package io.ringkv.storage.memory;
