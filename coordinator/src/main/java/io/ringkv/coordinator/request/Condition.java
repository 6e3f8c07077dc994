package io.ringkv.coordinator.request;

import java.util.Arrays;

/**
 * What a conditional put requires of the key's current state: no live value ({@code ifAbsent}),
 * or a current causal context equal to {@code ifMatch} (what an earlier read or put returned).
 */
public record Condition(boolean ifAbsent, byte[] ifMatch) {
    public static final Condition NONE = new Condition(false, new byte[0]);

    public Condition {
        ifMatch = ifMatch == null ? new byte[0] : ifMatch;
        if (ifAbsent && ifMatch.length > 0) {
            throw new IllegalArgumentException("if_absent and if_match cannot both be set");
        }
    }

    public boolean isNone() {
        return !ifAbsent && ifMatch.length == 0;
    }

    /** Why {@code current} fails the condition, or null when it holds. */
    String violation(GetOutcome current) {
        if (ifAbsent && current.found()) {
            return "condition failed: if_absent, but the key has a value";
        }
        if (ifMatch.length > 0 && !Arrays.equals(ifMatch, current.context())) {
            return "condition failed: if_match, but the key changed since that context (read it again)";
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Condition c && ifAbsent == c.ifAbsent && Arrays.equals(ifMatch, c.ifMatch);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(ifAbsent) * 31 + Arrays.hashCode(ifMatch);
    }
}
