/**
 * What to tell whom and when: the outbox sender that delivers the alerts a transition wrote, the reminders
 * while an incident stays open, and the storm guard that holds dealer mail during a provider-wide wave.
 * How an alert is worded and sent is {@code notify}'s job.
 */
package com.dts.apm.alert;
