/**
 * This node's replica of the keys it owns: applies replica writes by version over the storage
 * engine (one atomic read-merge-write per key) and answers replica reads and digests.
 */
package io.ringkv.coordinator.replica;
