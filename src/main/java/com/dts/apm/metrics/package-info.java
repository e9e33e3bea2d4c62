/**
 * Meters and the HTTP endpoint: check and notification counters, snapshot-backed gauges over the
 * database, JVM and process metrics, {@code /metrics} in the Prometheus formats and {@code /healthz}.
 * No label ever carries an integration, mailbox or dealer.
 */
package com.dts.apm.metrics;
