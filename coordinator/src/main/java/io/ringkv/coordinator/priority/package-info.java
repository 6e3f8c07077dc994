/**
 * Where the CPU goes first on a busy node: the work of large values (reading, checksumming and
 * writing records stored in chunks) runs on a few threads of its own at a lower Linux nice value
 * ({@link io.ringkv.coordinator.priority.LargeValueExecutor}, {@link io.ringkv.priority.ThreadNice}),
 * with a bounded queue, so small requests on the event loops are scheduled ahead of megabytes; the
 * bulk lane's settings (port, event loops) live here too, as {@link io.ringkv.coordinator.priority.LargeValueSettings}.
 * Used by the server's replica services and the transport's local replica; depends on nothing
 * else of the coordinator.
 */
package io.ringkv.coordinator.priority;
