package io.ringkv.loadtest;

/**
 * The time frame of a run, in System.nanoTime() units: the warmup starts at {@code runStart}, the
 * measured phase is [{@code measureStart}, {@code measureEnd}), and nothing is issued after
 * {@code hardStop}. {@code periodNanos} is the open loop's time between two operations (0: closed loop).
 */
record Schedule(long runStart, long measureStart, long measureEnd, long hardStop, double periodNanos) {
}
