package io.ringkv.storage.record;

import io.ringkv.storage.StorageException;

/** Stored bytes are not a valid record (truncated, garbled, or of an unknown format). */
public class CorruptRecordException extends StorageException {
    public CorruptRecordException(String message) {
        super(message);
    }
}
