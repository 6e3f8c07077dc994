package io.ringkv.coordinator.server;

import com.linecorp.armeria.server.ServiceRequestContext;

/** Reads the client's deadline from the {@code grpc-timeout} header of the current request. */
final class Deadlines {
    private Deadlines() {
    }

    /** Milliseconds the client allows, or 0 when it set no deadline (the node's default applies). */
    static long remainingMillis() {
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        if (ctx == null) {
            return 0;
        }
        String header = ctx.request().headers().get("grpc-timeout");
        if (header == null || header.length() < 2) {
            return 0;
        }
        long amount;
        try {
            amount = Long.parseLong(header.substring(0, header.length() - 1));
        } catch (NumberFormatException e) {
            return 0;
        }
        long millis = switch (header.charAt(header.length() - 1)) {
            case 'H' -> amount * 3_600_000L;
            case 'M' -> amount * 60_000L;
            case 'S' -> amount * 1_000L;
            case 'm' -> amount;
            case 'u' -> amount / 1_000L;
            case 'n' -> amount / 1_000_000L;
            default -> 0;
        };
        return Math.max(1, millis);
    }
}
