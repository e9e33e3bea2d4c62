/**
 * Alert emails: turns an alert (dealer, mailbox, provider, outcome) into a rendered email with
 * provider-specific steps, builds the MIME message, and hands it to the SMTP relay. Stateless and
 * thread-safe; the outbox sender, reminders and storm guard in {@code alert} are built on top of it.
 */
package com.dts.apm.notify;
