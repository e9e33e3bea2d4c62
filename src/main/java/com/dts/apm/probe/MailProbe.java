package com.dts.apm.probe;

import com.dts.apm.config.Config;
import com.dts.apm.provider.Auth;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import jakarta.mail.Session;
import java.security.Provider;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What IMAP and SMTP checks share: the session properties, the deadline, and turning the outcome of
 * the conversation into a {@link ProbeResult}. The conversation runs on the calling thread (one thread per check);
 * when the deadline passes a scheduler closes the check's sockets, which ends its blocking connect, handshake or read.
 */
abstract class MailProbe implements Probe {
    private static final Logger LOG = LoggerFactory.getLogger(MailProbe.class);

    private final Protocol protocol;
    private final Config.Checks checks;
    private final Trust trust;
    private final Provider tlsProvider;
    /** The TLS context every check shares when sessions may be resumed; null: a fresh context per check. */
    private final javax.net.ssl.SSLSocketFactory sharedTls;

    private final Set<Connection> active;
    private final ScheduledExecutorService writeTimeouts;
    private final AtomicInteger busyWorkers;
    private final Map<SessionKey, Session> sessions = new ConcurrentHashMap<>();

    private record SessionKey(Security security, Auth auth) {}

    MailProbe(
            Protocol protocol,
            Config.Checks checks,
            Trust trust,
            Provider tlsProvider,
            Set<Connection> active,
            ScheduledExecutorService writeTimeouts,
            AtomicInteger busyWorkers) {
        this.protocol = protocol;
        this.checks = checks;
        this.trust = trust;
        this.tlsProvider = tlsProvider;
        this.sharedTls = checks.tlsSessionLifetime().isZero()
                ? null
                : Connection.sharedTls(trust, tlsProvider, checks.tlsSessionLifetime());
        this.active = active;
        this.writeTimeouts = writeTimeouts;
        this.busyWorkers = busyWorkers;
    }

    /** The conversation: connect, log in, log out; null when it all went well. */
    abstract Failure converse(ProbeTarget target, Session session, Connection connection);

    @Override
    public final ProbeResult check(ProbeTarget target) {
        refuseMisconfiguration(target);
        var started = System.nanoTime();
        var connection =
                sharedTls == null ? new Connection(trust, tlsProvider, protocol) : new Connection(sharedTls, protocol);
        var session =
                sessions.computeIfAbsent(new SessionKey(target.endpoint().security(), target.auth()), this::session);
        var expired = new AtomicBoolean();
        // The conversation runs on the caller's thread; at the deadline the scheduler closes the check's sockets,
        // which ends any blocking connect, handshake or read with an exception at once.
        var deadline = writeTimeouts.schedule(
                () -> {
                    expired.set(true);
                    connection.abort();
                },
                checks.deadline().toMillis(),
                TimeUnit.MILLISECONDS);
        active.add(connection);
        busyWorkers.incrementAndGet();
        Failure failure;
        try {
            failure = BoundFactories.run(connection, () -> converse(target, session, connection));
        } catch (Exception e) {
            throw new IllegalStateException("probe conversation failed", e);
        } finally {
            deadline.cancel(false);
            connection.abort(); // every path: no socket outlives its check
            active.remove(connection);
            busyWorkers.decrementAndGet();
        }
        if (expired.get()) {
            failure = Failure.error(protocol, Failure.Stage.DEADLINE, null);
        } else if (failure != null && Thread.currentThread().isInterrupted()) {
            // shutdown: Probes.close() aborted the sockets of the checks still talking
            failure = Failure.error(protocol, Failure.Stage.DEADLINE, new InterruptedException("shutting down"));
        }
        var result = result(target, failure, Duration.ofNanos(System.nanoTime() - started), connection);
        LOG.debug(
                "{} login to {} as {} -> {} in {} ms",
                protocol.label(),
                target.endpoint(),
                target.username(),
                result.outcome(),
                result.duration().toMillis());
        return result;
    }

    private ProbeResult result(ProbeTarget target, Failure failure, Duration took, Connection connection) {
        if (failure == null) {
            return new ProbeResult(protocol, Outcome.OK, took, "", connection.certificateNotAfter());
        }
        var outcome = FailureClassifier.classify(target.provider(), failure);
        if (target.auth() == Auth.OAUTH2
                && (outcome == Outcome.BASIC_AUTH_DISABLED || outcome == Outcome.APP_PASSWORD_REQUIRED)) {
            // a password rule (Outlook.com takes no passwords, Gmail wants an app password) says nothing about a
            // refused access token: the server refused a fresh token
            outcome = Outcome.AUTH_REJECTED;
        }
        String text;
        if (failure.stage() == Failure.Stage.DEADLINE) {
            text = "no answer within the " + checks.deadline().toSeconds() + "s deadline";
        } else if (failure.stage() == Failure.Stage.NO_AUTH) {
            text = "the server offers no AUTH mechanism after EHLO";
        } else if (failure.stage() == Failure.Stage.NO_XOAUTH2) {
            // ops: the server (or a proxy in front of it) does not take OAuth; the token was not sent
            text = "the server does not offer SASL XOAUTH2 (its AUTH mechanisms: " + failure.reply() + ")";
        } else {
            var reply = FailureClassifier.serverReply(failure);
            text = reply != null ? reply.text() : Details.describe(failure.error());
        }
        var detail = Details.clean(text, target.username(), target.password().reveal());
        return new ProbeResult(protocol, outcome, took, detail, connection.certificateNotAfter());
    }

    private void refuseMisconfiguration(ProbeTarget target) {
        if (target.protocol() != protocol) {
            throw new IllegalArgumentException("a " + protocol.label() + " probe cannot check " + target);
        }
        if (target.endpoint().security() == Security.PLAIN && !target.endpoint().isLoopback()) {
            throw new IllegalArgumentException("refusing a plain (unencrypted) login to " + target.endpoint()
                    + ": plain is allowed for loopback hosts only");
        }
    }

    /**
     * One Session per security setting, shared by every check of this probe: a Session holds only properties,
     * and the sockets of each check come from its own {@link Connection} through {@link BoundFactories}.
     */
    private Session session(SessionKey key) {
        var session = Session.getInstance(properties(key.security(), key.auth()));
        session.setDebug(false);
        return session;
    }

    private Properties properties(Security security, Auth auth) {
        var p = "mail." + protocol.label() + ".";
        var props = new Properties();
        props.put("mail.debug", "false");
        props.put("mail.debug.auth", "false");
        props.put("mail.debug.auth.username", "false");
        props.put("mail.debug.auth.password", "false");
        props.put(p + "connectiontimeout", Long.toString(checks.connectTimeout().toMillis()));
        props.put(p + "timeout", Long.toString(checks.readTimeout().toMillis()));
        props.put(p + "writetimeout", Long.toString(checks.readTimeout().toMillis()));
        props.put(p + "executor.writetimeout", writeTimeouts);
        props.put(p + "socketFactory", BoundFactories.PLAIN);
        props.put(p + "ssl.socketFactory", BoundFactories.TLS);
        props.put(p + "ssl.checkserveridentity", "true");
        props.put(p + "ssl.protocols", "TLSv1.3 TLSv1.2");
        switch (security) {
            case SSL -> props.put(p + "ssl.enable", "true");
            case STARTTLS -> {
                props.put(p + "starttls.enable", "true");
                props.put(p + "starttls.required", "true");
            }
            case PLAIN -> props.put(p + "ssl.enable", "false");
        }
        if (auth == Auth.OAUTH2) {
            // SASL XOAUTH2 only (the access token is the "password"): Angus sends it as the initial response
            // (IMAP with SASL-IR where offered; SMTP in the AUTH command)
            props.put(p + "auth.mechanisms", "XOAUTH2");
            props.put(p + "sasl.enable", "false");
        }
        moreProperties(p, props);
        return props;
    }

    /** Protocol-specific session properties; never credentials. */
    abstract void moreProperties(String prefix, Properties props);
}
