/**
 * Time as an input: the {@link io.ringkv.coordinator.time.Clock},
 * {@link io.ringkv.coordinator.time.Timer} and {@link io.ringkv.coordinator.time.Sleeper} that
 * coordinator logic uses instead of the system clock and sleeps, so a whole cluster can run on simulated time in one thread.
 */
package io.ringkv.coordinator.time;
