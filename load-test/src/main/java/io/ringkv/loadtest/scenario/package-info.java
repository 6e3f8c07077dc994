/**
 * Fault scenarios: the scenario file format, its parser (one-line errors with file and line), and
 * the runner that applies each step at its time to processes the tester started itself.
 */
package io.ringkv.loadtest.scenario;
