package io.ringkv.coordinator.request;

import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.time.Timer;
import io.ringkv.coordinator.transport.FailureDetector;
import io.ringkv.coordinator.transport.Transport;
import java.util.random.RandomGenerator;

/** What every request state machine of one node shares: identity, transport, time, randomness, hints. */
record Env(String selfId, Transport transport, FailureDetector failureDetector, Clock clock, Timer timer,
           CoordinatorSettings settings, RandomGenerator random, LatencyTracker readLatency, HintSink hints) {
}
