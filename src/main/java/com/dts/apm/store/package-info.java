/**
 * SQLite through Jdbi: migrations, the integration store, the check write path, check history, the snapshot
 * queries, transitions and the alert outbox, with passwords sealed by AES-256-GCM beside it. Each store object is
 * built once, by the workspace. Knows nothing of Jakarta Mail or Quartz.
 */
package com.dts.apm.store;
