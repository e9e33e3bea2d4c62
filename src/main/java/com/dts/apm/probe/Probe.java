package com.dts.apm.probe;

/**
 * Logs in to one mail server and out again. Expected failures (wrong password, DNS, refused, TLS,
 * timeouts, odd replies) come back as a {@link ProbeResult}; only a misconfigured target throws.
 */
public interface Probe {
    /**
     * Runs one check over one connection, within the configured deadline.
     *
     * @throws IllegalArgumentException when the target asks for a plain connection to a host that is
     *     not loopback, or names the other protocol
     */
    ProbeResult check(ProbeTarget target);
}
