package com.dts.apm.schedule;

import java.time.Duration;

/** A job the daemon runs on a fixed period: dispatch, outbox delivery, reminders, retention. */
public record RecurringTask(String name, Duration every, Duration firstDelay, Runnable body) {}
