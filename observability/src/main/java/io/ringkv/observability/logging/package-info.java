/**
 * Log correlation: Logback converters that print the current trace and span ids, so a log line
 * leads to its trace. Registered in a {@code logback.xml} with {@code <conversionRule>}.
 */
package io.ringkv.observability.logging;
