/**
 * Placement of data on nodes: the immutable {@link io.ringkv.coordinator.ring.Ring}, the
 * {@link io.ringkv.coordinator.ring.Planner} that turns a ring and a membership change into the
 * next ring, and the {@link io.ringkv.coordinator.ring.PreferenceList} a coordinator walks to
 * find the replicas of a vnode.
 *
 * <p>Everything here is a pure value or a pure function: no I/O, no clocks, no randomness that is
 * not derived from the inputs. The same inputs give the same ring on every node, which is what
 * lets any node (or client) route a key without asking anyone.
 */
package io.ringkv.coordinator.ring;
