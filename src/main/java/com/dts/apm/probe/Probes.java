package com.dts.apm.probe;

import com.dts.apm.config.Config;
import com.dts.apm.provider.Protocol;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The entry point for other packages: the IMAP and SMTP probes built from {@code checks:} settings,
 * sharing one trust configuration and one deadline scheduler; each check runs on its caller's thread. Close it at
 * shutdown: the checks still talking are cut off.
 */
public final class Probes implements AutoCloseable {
    /** The connections of the checks talking now: closed at shutdown, so no check waits out its deadline. */
    private final Set<Connection> active = ConcurrentHashMap.newKeySet();

    private final ScheduledExecutorService writeTimeouts;
    private final AtomicInteger busy = new AtomicInteger();
    private final java.security.Provider tlsProvider;
    private final Probe imap;
    private final Probe smtp;

    private Probes(Config.Checks checks) {
        var trust = Trust.from(checks);
        this.tlsProvider = TlsProvider.select(checks.tlsProvider());
        this.writeTimeouts = Executors.newScheduledThreadPool(1, daemon("apm-probe-write-timeout-"));
        this.imap = new ImapProbe(checks, trust, tlsProvider, active, writeTimeouts, busy);
        this.smtp = new SmtpProbe(checks, trust, tlsProvider, active, writeTimeouts, busy);
    }

    /**
     * Builds the probes; reads the trust store named in {@code checks} now.
     *
     * @throws com.dts.apm.config.ConfigException when the configured trust store cannot be read
     */
    public static Probes create(Config.Checks checks) {
        return new Probes(Objects.requireNonNull(checks, "checks"));
    }

    /**
     * The TLS context for the HTTPS calls a check makes besides its logins (the OAuth token endpoints) when
     * {@code checks.trust-store} is set: the probes' trust (the JDK's CAs plus that store), host names checked by
     * the client; empty when no trust store is set (the JDK's default context trusts the same).
     *
     * @throws com.dts.apm.config.ConfigException when the configured trust store cannot be read
     */
    public static java.util.Optional<javax.net.ssl.SSLContext> httpsContext(Config.Checks checks) {
        return checks.trustStore() == null
                ? java.util.Optional.empty()
                : java.util.Optional.of(Trust.from(checks).clientContext());
    }

    /** The probe for one protocol. */
    public Probe probe(Protocol protocol) {
        return switch (protocol) {
            case IMAP -> imap;
            case SMTP -> smtp;
        };
    }

    /** Checks one target with the probe for its protocol. */
    public ProbeResult check(ProbeTarget target) {
        return probe(target.protocol()).check(target);
    }

    /** The TLS implementation the checks use: {@code Conscrypt} or {@code JDK}. */
    public String tlsProvider() {
        return TlsProvider.name(tlsProvider);
    }

    /** Checks still talking to a server (a check past its deadline ends at once: its sockets are closed). */
    int busyWorkers() {
        return busy.get();
    }

    @Override
    public void close() {
        writeTimeouts.shutdownNow();
        active.forEach(Connection::abort);
    }

    private static ThreadFactory daemon(String prefix) {
        var counter = new AtomicInteger();
        return r -> {
            var t = new Thread(r, prefix + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
