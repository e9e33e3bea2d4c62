package com.dts.apm.check;

import com.dts.apm.config.Backoff;
import com.dts.apm.config.Config;
import com.dts.apm.config.Secret;
import com.dts.apm.oauth.AccessTokens;
import com.dts.apm.oauth.TokenAnswer;
import com.dts.apm.probe.Probe;
import com.dts.apm.probe.ProbeResult;
import com.dts.apm.probe.ProbeTarget;
import com.dts.apm.process.DatabaseOutage;
import com.dts.apm.process.ErrorLog;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.store.CheckWriter;
import com.dts.apm.store.Database;
import com.dts.apm.store.Integration;
import com.dts.apm.store.IntegrationStore;
import com.dts.apm.store.NewIntegration;
import com.dts.apm.store.SignIn;
import com.dts.apm.store.StateChange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies one integration the way the daemon does: logs in over each of its protocols (paced by the
 * provider gate), then records the results and the state machine's verdict in one transaction. Used by
 * the scheduler's workers and by the {@code check} command alike.
 */
public final class CheckService {
    private static final Logger log = LoggerFactory.getLogger(CheckService.class);

    private final IntegrationStore store;
    private final CheckWriter checks;
    private final ProviderCatalog catalog;
    private final Function<Protocol, Probe> probes;
    private final ProviderGate gate;
    private final StateMachine machine;
    private final Config.Schedule schedule;
    private final Clock clock;
    private final CheckListener listener;
    // held writes are logged and counted here; the dispatcher handles what ends a check with an exception
    private final ErrorLog writeErrors;
    private final DatabaseOutage outage;
    /** Access tokens of OAuth mailboxes; null: none are configured (an OAuth mailbox then fails for ops). */
    private final AccessTokens tokens;
    /** How long a check waits for the token endpoint (within the check's deadline). */
    private final Duration tokenTimeout;

    static final Duration RETRY_FIRST = Duration.ofMillis(500);
    static final Duration RETRY_MAX = Duration.ofSeconds(30);

    /**
     * A write that fails because the database is out of reach is the node's {@code outage}'s to log ({@link
     * DatabaseOutage#NONE}: logged as any other failure). {@code tokens} are the access tokens of OAuth mailboxes
     * (null: no OAuth app is configured), each refresh waited for at most {@code tokenTimeout}.
     */
    public CheckService(
            IntegrationStore store,
            CheckWriter checks,
            ProviderCatalog catalog,
            Function<Protocol, Probe> probes,
            ProviderGate gate,
            StateMachine machine,
            Config.Schedule schedule,
            Clock clock,
            CheckListener listener,
            DatabaseOutage outage,
            AccessTokens tokens,
            Duration tokenTimeout) {
        this.tokens = tokens;
        this.tokenTimeout = tokenTimeout;
        this.store = store;
        this.checks = checks;
        this.catalog = catalog;
        this.probes = probes;
        this.gate = gate;
        this.machine = machine;
        this.schedule = schedule;
        this.clock = clock;
        this.listener = listener;
        this.outage = outage;
        this.writeErrors = new ErrorLog(log, listener::loopFailed, outage);
    }

    /** What one check found and where it left the integration (empty {@code after}: removed meanwhile). */
    public record Report(Integration before, Optional<Integration> after, Outcome outcome, List<ProbeResult> results) {}

    /** Checks {@code i} now and records the result. Interrupted, it records nothing. */
    public Report check(Integration i) throws InterruptedException {
        return check(i, () -> {});
    }

    /** As above, telling {@code loggedIn} once the logins are done, before the result is written. */
    public Report check(Integration i, Runnable loggedIn) throws InterruptedException {
        var spec = catalog.get(i.provider());
        var credential = store.credential(i.id()); // one read of the row's sign-in and secret
        var password = credential.secret();
        var signIn = credential.signIn();
        Secret rotated = null;
        TokenAnswer.Refused refused = null;
        var tokenTook = Duration.ZERO;
        if (signIn.oauth()) {
            long started = System.nanoTime();
            var answer = accessToken(i, signIn.app(i.provider()), password);
            tokenTook = Duration.ofNanos(System.nanoTime() - started);
            if (answer instanceof TokenAnswer.Granted g) {
                password = g.accessToken();
                rotated = g.rotated();
            } else {
                refused = (TokenAnswer.Refused) answer;
            }
        }
        var results = new ArrayList<ProbeResult>();
        for (var protocol : EnumSet.copyOf(i.protocols())) {
            ProbeResult r;
            if (refused != null) {
                // no access token: no login is tried, every protocol reports what the token endpoint said
                r = new ProbeResult(protocol, refused.outcome(), tokenTook, refused.detail(), null);
            } else {
                var target =
                        new ProbeTarget(spec, protocol, i.endpoint(protocol), i.username(), password, signIn.auth());
                r = login(i.provider(), target);
            }
            results.add(r);
            listener.checked(i, r);
            if (r.outcome().isOk()) {
                log.debug(
                        "integration {} ({}) {} login ok in {} ms",
                        i.id(),
                        i.provider(),
                        protocol.label(),
                        r.duration().toMillis());
            } else {
                log.debug(
                        "integration {} ({}) {} login failed: {} {}",
                        i.id(),
                        i.provider(),
                        protocol.label(),
                        r.outcome(),
                        r.detail());
            }
        }
        loggedIn.run();
        var outcome = Outcome.worst(results.stream().map(ProbeResult::outcome).toList());
        var now = clock.instant();
        var interval = interval(i.provider());
        var jitter = jitter();
        var rows = results.stream()
                .map(r -> new CheckWriter.Result(
                        r.protocol(), r.outcome(), r.duration().toMillis(), r.detail()))
                .toList();
        long writeStarted = System.nanoTime();
        var after =
                record(i.id(), now, rows, current -> machine.decide(current, outcome, now, interval, jitter), rotated);
        listener.recorded(Duration.ofNanos(System.nanoTime() - writeStarted));
        after.ifPresent(a -> {
            if (a.state() != i.state()) {
                if (!outcome.isOk()) {
                    log.warn(
                            "integration {} ({}, {}) {} -> {}: {}",
                            a.id(),
                            a.provider(),
                            a.email(),
                            i.state(),
                            a.state(),
                            outcome);
                } else {
                    log.info(
                            "integration {} ({}, {}) {} -> {}: {}",
                            a.id(),
                            a.provider(),
                            a.email(),
                            i.state(),
                            a.state(),
                            outcome);
                }
            }
        });
        return new Report(i, after, outcome, List.copyOf(results));
    }

    /** The access token of an OAuth mailbox, from the cache or its app's token endpoint. */
    private TokenAnswer accessToken(Integration i, String app, Secret refreshToken) throws InterruptedException {
        if (app == null) {
            return new TokenAnswer.Refused(
                    Outcome.PROTOCOL_ERROR,
                    "integration signs in with oauth2 but names no OAuth app and provider " + i.provider()
                            + " has no default app");
        }
        if (tokens == null) {
            return new TokenAnswer.Refused(
                    Outcome.PROTOCOL_ERROR,
                    "OAuth app " + app + " is not configured (add oauth." + app + " to the config)");
        }
        return tokens.access(i.id(), app, refreshToken, tokenTimeout);
    }

    /** One login, paced and capped by the provider gate (in its host's lane where the provider is paced per host). */
    @SuppressWarnings("try") // the gate's permit is held for the login and returned by close()
    private ProbeResult login(String provider, ProbeTarget target) throws InterruptedException {
        try (var permit = gate.enter(
                provider, target.endpoint() == null ? null : target.endpoint().host())) {
            return probes.apply(target.protocol()).check(target);
        }
    }

    /**
     * Logs in over each protocol of {@code n} with {@code password} exactly as a check does (the same probes, paced
     * by the same provider gate) and records nothing: the API's verify-before-save.
     */
    public List<ProbeResult> verify(NewIntegration n, Secret password) throws InterruptedException {
        return verify(n, password, SignIn.PASSWORD);
    }

    /**
     * As above, signing in as {@code signIn} says: for {@code oauth2} {@code secret} is the grant's refresh token,
     * traded once (never cached: no integration holds it yet) and then used over SASL XOAUTH2; a refused grant is
     * every protocol's answer, and no login is tried.
     */
    public List<ProbeResult> verify(NewIntegration n, Secret secret, SignIn signIn) throws InterruptedException {
        var spec = catalog.get(n.provider());
        var password = secret;
        TokenAnswer.Refused refused = null;
        var tokenTook = Duration.ZERO;
        if (signIn.oauth()) {
            long started = System.nanoTime();
            var app = signIn.app(n.provider());
            var answer = tokens == null
                    ? new TokenAnswer.Refused(
                            Outcome.PROTOCOL_ERROR,
                            "OAuth app " + app + " is not configured (add oauth." + app + " to the config)")
                    : tokens.once(app, secret, tokenTimeout);
            tokenTook = Duration.ofNanos(System.nanoTime() - started);
            if (answer instanceof TokenAnswer.Granted g) {
                password = g.accessToken();
            } else {
                refused = (TokenAnswer.Refused) answer;
            }
        }
        var results = new ArrayList<ProbeResult>();
        for (var protocol : EnumSet.copyOf(n.protocols())) {
            if (refused != null) {
                results.add(new ProbeResult(protocol, refused.outcome(), tokenTook, refused.detail(), null));
                continue;
            }
            var endpoint = protocol == Protocol.IMAP ? n.imap() : n.smtp();
            var target = new ProbeTarget(spec, protocol, endpoint, n.username(), password, signIn.auth());
            results.add(login(n.provider(), target));
        }
        return List.copyOf(results);
    }

    /**
     * Writes a finished check, holding its results while the database is busy (another process holds the
     * write lock past the busy timeout) or the disk is full: the write is retried with backoff until it
     * lands or the worker is interrupted at shutdown. The integration stays claimed meanwhile, so it is not
     * logged in to again. The cause is logged once, and once more when writes work again.
     */
    private Optional<Integration> record(
            long id,
            Instant at,
            List<CheckWriter.Result> rows,
            Function<Integration, StateChange> decide,
            Secret rotated)
            throws InterruptedException {
        var backoff = new Backoff(RETRY_FIRST, RETRY_MAX);
        for (int attempt = 1; ; attempt++) {
            boolean retry = attempt > 1;
            try {
                var after = checks.record(id, at, rows, decide, retry, rotated);
                writeErrors.recovered("recording check results");
                outage.succeeded();
                return after;
            } catch (RuntimeException e) {
                if (!Database.isTransient(e)) {
                    throw e;
                }
                writeErrors.failedBecause(
                        "recording check results",
                        "record",
                        Database.describe(e) + "; the results are held and the write is retried until it lands",
                        e);
                Thread.sleep(backoff.after(attempt).toMillis());
            }
        }
    }

    /** The regular interval for a provider: its own override in providers.yml, else the schedule's. */
    Duration interval(String provider) {
        return catalog.find(provider).map(p -> p.limits().interval()).orElse(schedule.interval());
    }

    private Duration jitter() {
        long max = schedule.jitter().toMillis();
        return max == 0
                ? Duration.ZERO
                : Duration.ofMillis(ThreadLocalRandom.current().nextLong(-max, max + 1));
    }
}
