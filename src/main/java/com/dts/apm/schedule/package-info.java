/**
 * The Quartz wrapper that runs the daemon's recurring tasks (dispatch, alerts, reminders, retention, metrics)
 * on their periods, each body under one catch-all. The database, not Quartz, knows when each integration is due.
 */
package com.dts.apm.schedule;
