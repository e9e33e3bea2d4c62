/**
 * Verifying integrations: due-time dispatch to a bounded pool, the per-provider and per-host gate, the check
 * service that probes, decides and records, and the pure state machine that turns an outcome into a state,
 * a next due time and the alerts to write.
 */
package com.dts.apm.check;
