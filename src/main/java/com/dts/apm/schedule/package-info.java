/**
 * When and how integrations are verified: the state machine, due-time dispatch to a bounded pool with
 * per-provider pacing, and the Quartz jobs that drive it.
 */
package com.dts.apm.schedule;
