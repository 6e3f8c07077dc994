/**
 * CPU priority of single threads: the node's large-value threads and bulk event loops, and the
 * client's bulk connection threads, run at a higher nice value so small requests get the CPU first.
 */
package io.ringkv.priority;
