package io.ringkv.storage;

import java.util.Objects;

/** One change inside a {@link WriteBatch}. */
public sealed interface Mutation {
    Namespace namespace();

    byte[] key();

    /** Sets {@code key} to {@code value}. The arrays are owned by the batch from here on. */
    record Put(Namespace namespace, byte[] key, byte[] value) implements Mutation {
        public Put {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Removes {@code key}; removing an absent key is not an error. */
    record Delete(Namespace namespace, byte[] key) implements Mutation {
        public Delete {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(key, "key");
        }
    }
}
