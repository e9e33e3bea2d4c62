/**
 * When and how integrations are verified and alerts go out: the state machine, due-time dispatch to a
 * bounded pool with per-provider pacing, the outbox sender, reminders and the storm guard (they read the
 * store and drive {@code notify}, which the leaf packages may not), and the Quartz jobs that run them.
 */
package com.dts.apm.schedule;
