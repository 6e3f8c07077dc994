/**
 * Keyspaces: named sets of keys with their replication factor, default quorums and conflict
 * mode, and how a request's consistency level turns into a number of replicas.
 */
package io.ringkv.coordinator.keyspace;
