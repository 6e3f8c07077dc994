/**
 * Time as an input: the {@link io.ringkv.coordinator.time.Clock} and
 * {@link io.ringkv.coordinator.time.Timer} that coordinator logic uses instead of the system
 * clock and sleeps, so a whole cluster can run on simulated time in one thread.
 */
package io.ringkv.coordinator.time;
