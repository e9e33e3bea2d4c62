/**
 * IMAP and SMTP login checks: one connection per check, bounded by timeouts and a deadline, TLS
 * verified, nothing read or sent. {@link com.dts.apm.probe.FailureClassifier} is the one place that
 * turns a server reply or an exception into an {@link com.dts.apm.provider.Outcome}.
 */
package com.dts.apm.probe;
