/**
 * {@code ringkv bench --start-cluster N}: launches {@code ringkv node} JVMs (and, for Consul
 * membership, a loopback Consul dev agent) on free 127.0.0.1 ports with temporary data, signals
 * them for fault scenarios, and stops every process it started, by pid, at the end.
 */
package io.ringkv.loadtest.cluster;
