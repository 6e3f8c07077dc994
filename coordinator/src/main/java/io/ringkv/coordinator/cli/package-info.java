/**
 * The {@code ringkv} command line (picocli): {@code dev} and {@code node} start nodes; the client
 * commands ({@code put}, {@code get}, {@code delete}, {@code locate}, {@code ring}, {@code status})
 * talk to a cluster. Exit codes: 0 success, 1 a failed operation, 2 bad usage; failures print one
 * line on stderr.
 */
package io.ringkv.coordinator.cli;
