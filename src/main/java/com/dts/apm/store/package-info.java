/**
 * SQLite through Jdbi: migrations, the integration store, check history, transitions and the alert
 * outbox, with passwords sealed by AES-256-GCM beside it. Knows nothing of Jakarta Mail or Quartz.
 */
package com.dts.apm.store;
