package com.dts.apm.probe;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What one check found.
 *
 * @param detail the server's own words (or a short description of the network or TLS error), with
 *     the password removed, control characters stripped and cut to about 300 characters; empty when OK
 * @param certificateNotAfter the earliest expiry in the server's verified certificate chain, or null
 *     when no TLS handshake completed
 */
public record ProbeResult(
        Protocol protocol, Outcome outcome, Duration duration, String detail, Instant certificateNotAfter) {
    public ProbeResult {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(duration, "duration");
        detail = detail == null ? "" : detail;
    }
}
