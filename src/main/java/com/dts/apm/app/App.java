package com.dts.apm.app;

import com.dts.apm.alert.WebhookSender;
import com.dts.apm.api.Api;
import com.dts.apm.api.ApiServer;
import com.dts.apm.check.Capacity;
import com.dts.apm.check.CheckListener;
import com.dts.apm.check.Dispatcher;
import com.dts.apm.config.Backoff;
import com.dts.apm.config.Config;
import com.dts.apm.config.Durations;
import com.dts.apm.metrics.Health;
import com.dts.apm.metrics.HttpEndpoint;
import com.dts.apm.metrics.Metrics;
import com.dts.apm.notify.WebhookClient;
import com.dts.apm.probe.ProbeResult;
import com.dts.apm.process.DatabaseOutage;
import com.dts.apm.schedule.RecurringTask;
import com.dts.apm.schedule.RecurringTasks;
import com.dts.apm.store.Integration;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of the daemon: builds every part with constructors, starts them, and
 * {@link #close()} stops them in reverse (claiming, in-flight checks, scheduler, endpoint, probes).
 */
public final class App implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(App.class);

    /** How often due integrations are claimed from the database. */
    static final Duration DISPATCH_EVERY = Duration.ofSeconds(1);

    /** How often open incidents are looked at for a due reminder (the schedule itself counts in days). */
    static final Duration REMINDERS_EVERY = Duration.ofMinutes(1);

    /** How often the webhook outbox is looked at. */
    static final Duration WEBHOOKS_EVERY = Duration.ofSeconds(1);

    /** Webhook retries: 5 s after the first failure, doubling up to 2 h, for 24 h (WebhookSender.RETRY_PERIOD). */
    static final Backoff WEBHOOK_BACKOFF = new Backoff(Duration.ofSeconds(5), Duration.ofHours(2));

    /** The tasks every node runs for itself; on PostgreSQL the others run on one node at a time. */
    static final java.util.Set<String> PER_NODE = java.util.Set.of("dispatch", "metrics", "cluster");

    /** Quartz's cluster check-in period: a node silent for two of them is taken for dead and its jobs move. */
    static final Duration CLUSTER_CHECKIN = Duration.ofSeconds(5);

    private final Workspace ws;
    /** This process among the nodes of one database: Quartz's instance id and the owner of the leases it takes. */
    private final String nodeId = nodeId();

    private final AtomicInteger clusterNodes = new AtomicInteger(1);
    private final Verification verification;
    private final Metrics metrics;
    private final Dispatcher dispatcher;
    private final RecurringTasks recurring;
    private final Alerting alerting;
    private final WebhookSender webhooks;
    /** This node's view of its database being out of reach: one ERROR line per outage for every loop and Quartz. */
    private final DatabaseOutage outage;
    /** Quartz's own reports of the outage, routed through {@link #outage} until close. */
    private final DatabaseOutage.LogRoute quartzOutageLogs;

    private HttpEndpoint endpoint; // null until start-up gets that far
    private ApiServer api; // null unless api.enabled, and until start-up gets that far

    /** needed ÷ allowed logins per provider (apm_schedule_capacity_ratio), and the providers over 1 last time. */
    private final AtomicReference<Map<String, Double>> capacity = new AtomicReference<>(Map.of());

    private volatile Set<String> overCapacity = Set.of();

    /** How often the schedule's capacity is worked out again (integrations come and go slowly). */
    static final Duration CAPACITY_EVERY = Duration.ofMinutes(5);

    private App(Workspace ws) {
        this.ws = ws;
        var config = ws.config();
        this.outage = new DatabaseOutage(ws.database().server(), com.dts.apm.store.Database::unreachable, ws.clock());
        var source = new StoreMetricsSource(
                ws.snapshots(), ws.outbox(), ws.clock(), ws.catalog().ids());
        this.metrics = new Metrics(source);
        CheckListener listener = new CheckListener() {
            @Override
            public void checked(Integration i, ProbeResult r) {
                source.checked(i, r);
                metrics.recordCheck(i.provider(), r.protocol(), r.outcome(), r.duration());
            }

            @Override
            public void recorded(Duration took) {
                metrics.recordCheckWrite(took);
            }

            @Override
            public void loopFailed(String loop) {
                metrics.recordLoopError(loop);
            }

            @Override
            public void tokenRefreshed(String app, String result) {
                metrics.recordTokenRefresh(app, result);
            }
        };
        FunctionCounter.builder(
                        "apm.db.write.busy", ws.database(), d -> d.writeBusy().toNanos() / 1e9)
                .description("Time the daemon's write transactions held SQLite's one writer lock")
                .baseUnit("seconds")
                .register(metrics.registry());
        this.verification = new Verification(ws, listener, clusterNodes::get, outage);
        this.dispatcher = new Dispatcher(
                ws.integrations(),
                verification.service(),
                verification.gate(),
                ws.clock(),
                config.schedule().maxConcurrentChecks(),
                config.schedule().retryInitial(),
                metrics::recordLoopError,
                nodeId,
                lease(config),
                outage);
        this.alerting = Alerting.create(ws, metrics);
        var tasks = new ArrayList<RecurringTask>();
        tasks.add(new RecurringTask("dispatch", DISPATCH_EVERY, Duration.ZERO, dispatcher::tick));
        tasks.add(
                new RecurringTask("metrics", metrics.snapshotRefreshPeriod(), Duration.ZERO, metrics::refreshSnapshot));
        tasks.add(new RecurringTask("alerts", config.alerts().sendInterval(), Duration.ZERO, alerting::sendRound));
        tasks.add(
                new RecurringTask("reminders", REMINDERS_EVERY, Duration.ofSeconds(5), alerting.reminders()::queueDue));
        tasks.add(new RecurringTask("retention", Duration.ofDays(1), Duration.ofMinutes(1), () -> {
            int n = ws.history()
                    .pruneBefore(ws.clock().instant().minus(config.history().retention()));
            log.info(
                    "retention: pruned {} check result(s) older than {}",
                    n,
                    Durations.format(config.history().retention()));
            ws.webhooks().prune(ws.clock().instant().minus(config.history().retention()));
            ws.reconnectLinks()
                    .prune(ws.clock()
                            .instant()
                            .minus(config.history().retention())); // expired links answer 410 until then
        }));
        this.webhooks = new WebhookSender(
                config.webhooks(),
                ws.webhooks(),
                new WebhookClient(ws.clock()),
                metrics.registry(),
                ws.clock(),
                WEBHOOK_BACKOFF);
        if (webhooks.configured()) {
            // the round only hands work to each endpoint's own thread: it never waits for an endpoint
            tasks.add(new RecurringTask("webhooks", WEBHOOKS_EVERY, Duration.ZERO, webhooks::round));
        }
        tasks.add(new RecurringTask(
                "cluster",
                CLUSTER_CHECKIN,
                Duration.ZERO,
                () -> clusterNodes.set(Math.max(
                        1,
                        ws.snapshots()
                                .liveNodes(
                                        RecurringTasks.CLUSTER_NAME, ws.clock().instant())))));
        Gauge.builder("apm.cluster.nodes", clusterNodes, AtomicInteger::get)
                .description("Nodes sharing this database (PostgreSQL: clustered schedulers checking in; SQLite: 1)")
                .register(metrics.registry());
        // several nodes on PostgreSQL: the claim round, the metrics snapshot and this count stay on every node, the
        // rest
        // fires on one node at a time through Quartz's clustered job store
        var cluster = ws.database().pooledDataSource() == null
                ? null
                : new RecurringTasks.Cluster(nodeId, ws.database().pooledDataSource(), PER_NODE, CLUSTER_CHECKIN);
        for (var provider : ws.catalog().ids()) {
            Gauge.builder("apm.schedule.capacity.ratio", capacity, c -> c.get().getOrDefault(provider, 0.0))
                    .tag("provider", provider)
                    .description(
                            "Logins a round of checks needs per second over what the provider's limits allow (above 1:"
                                    + " a round takes longer than the interval; per host for providers paced per host)")
                    .register(metrics.registry());
        }
        tasks.add(new RecurringTask("capacity", CAPACITY_EVERY, CAPACITY_EVERY, () -> refreshCapacity(false)));
        this.recurring = new RecurringTasks(tasks, metrics::recordLoopError, cluster, outage);
        this.quartzOutageLogs = outage.routeLogsOf("org.quartz");
        int moved = ws.integrations()
                .spreadOverdue(
                        ws.clock().instant(),
                        config.schedule().interval(),
                        config.schedule().jitter());
        if (moved > 0) {
            log.info(
                    "{} integration(s) were overdue after the downtime; spread over the next {}",
                    moved,
                    Durations.format(config.schedule().jitter()));
        }
        if (!alerting.sender().relayConfigured()) {
            log.warn(
                    "alerts.relay.host is not set: alerts wait in the outbox ({} queued) until a relay is configured",
                    ws.outbox().queueDepth());
        }
    }

    /** Host, process and a random part: unique even for two daemons in one JVM (tests) or one host. */
    private static String nodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "node";
        }
        return host + "-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(
                        java.util.concurrent.ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    }

    /**
     * How long a claimed integration stays leased to its node (PostgreSQL): twice the check deadline and a margin for
     * the write, so a live node always records before its lease runs out, and a dead node's work waits no longer.
     */
    static Duration lease(Config config) {
        return config.checks().deadline().multipliedBy(2).plusSeconds(10);
    }

    /** Opens the workspace and starts the daemon. */
    public static App start(Config config, Map<String, String> env, Clock clock) {
        return start(config, env, clock, () -> false).orElseThrow();
    }

    /**
     * Opens the workspace and starts the daemon one step at a time. When {@code stopRequested} turns true (SIGTERM
     * during start-up), it stops before the next step, closes what it started, and returns empty. A step always
     * finishes (a migration, the first key file, spreading overdue checks), so a stop leaves nothing half-written.
     */
    public static Optional<App> start(
            Config config, Map<String, String> env, Clock clock, BooleanSupplier stopRequested) {
        if (stopRequested.getAsBoolean()) {
            log.info("stop requested during start-up, before opening the database: stopping");
            log.info("stopped");
            return Optional.empty();
        }
        var ws = Workspace.open(config, env, clock);
        if (stopRequested.getAsBoolean()) {
            log.info("stop requested during start-up, after opening the database: stopping");
            log.info("stopped");
            return Optional.empty();
        }
        var app = new App(ws);
        if (app.stoppingBefore("the scheduler", stopRequested)) {
            return Optional.empty();
        }
        try {
            app.recurring.start();
            if (app.stoppingBefore("the HTTP endpoint", stopRequested)) {
                return Optional.empty();
            }
            app.endpoint = HttpEndpoint.start(config.http(), app.metrics, app::health);
            if (config.api().enabled()) {
                if (app.stoppingBefore("the API listener", stopRequested)) {
                    return Optional.empty();
                }
                app.api = ApiServer.start(config.api(), app.api(), app.reconnectPages());
            }
        } catch (RuntimeException e) { // the port taken, say: stop the scheduler and the checks it started
            app.close();
            throw e;
        }
        var s = config.schedule();
        var counts = ws.integrations().count(); // not list(): at 100,000 integrations that alone takes seconds
        log.info(
                "app-password-monitor running: {} integration(s) ({} enabled), interval {}, at most {} checks at once"
                        + " ({} per provider), database {}, node {}, endpoint http://{}:{}/metrics",
                counts.total(),
                counts.enabled(),
                Durations.format(s.interval()),
                s.maxConcurrentChecks(),
                s.maxConcurrentPerProvider(),
                ws.database().label(),
                app.nodeId,
                config.http().bind(),
                app.endpoint.port());
        app.refreshCapacity(true);
        return Optional.of(app);
    }

    /** The hosted reconnect page on the API listener; null unless {@code reconnect.enabled}. */
    private com.dts.apm.web.ReconnectPages reconnectPages() {
        var config = ws.config();
        if (!config.reconnect().enabled()) {
            return null;
        }
        return new com.dts.apm.web.ReconnectPages(
                ws.reconnectLinks(),
                ws.integrations(),
                ws.catalog(),
                alerting.composer(),
                checks(),
                config,
                metrics.registry(),
                ws.clock());
    }

    /** The API's routes over this daemon's stores and check service (a check now is recorded as {@code check ID}). */
    private Api api() {
        return new Api(
                ws.integrations(),
                ws.apiTokens(),
                ws.catalog(),
                ws.history(),
                checks(),
                alerting.composer()::verifyHint,
                ws.config().oauth().keySet(),
                metrics.registry(),
                ws.clock());
    }

    /** Logging in for the API and the reconnect page: a check now is recorded as {@code check ID}, a verify is not. */
    private Api.Checks checks() {
        var service = verification.service();
        return new Api.Checks() {
            @Override
            public Api.Checked check(Integration i) throws InterruptedException {
                var report = service.check(i);
                return new Api.Checked(report.after(), report.results());
            }

            @Override
            public java.util.List<ProbeResult> verify(
                    com.dts.apm.store.NewIntegration n,
                    com.dts.apm.config.Secret secret,
                    com.dts.apm.store.SignIn signIn)
                    throws InterruptedException {
                return service.verify(n, secret, signIn);
            }
        };
    }

    /**
     * Works out whether each provider's round fits its interval under the login limits ({@link Capacity}): at start
     * one INFO line with every ratio and a WARN line per provider that does not fit; later a WARN line only when a
     * provider stops fitting.
     */
    private void refreshCapacity(boolean atStart) {
        var lines = Capacity.of(
                ws.snapshots().loginsPerRound(), ws.catalog(), ws.config().schedule());
        var ratios = new TreeMap<String, Double>();
        var over = new TreeSet<String>();
        for (var l : lines) {
            ratios.put(l.provider(), l.ratio());
            if (!l.fits()) {
                over.add(l.provider());
                if (atStart || !overCapacity.contains(l.provider())) {
                    log.warn(l.warning());
                }
            }
        }
        capacity.set(Map.copyOf(ratios));
        overCapacity = Set.copyOf(over);
        if (atStart && !lines.isEmpty()) {
            log.info(
                    "schedule capacity (logins a round needs per second / what the limits allow): {}",
                    lines.stream()
                            .map(l -> String.format(java.util.Locale.ROOT, "%s %.2f", l.provider(), l.ratio()))
                            .collect(java.util.stream.Collectors.joining(", ")));
        }
    }

    private boolean stoppingBefore(String step, BooleanSupplier stopRequested) {
        if (!stopRequested.getAsBoolean()) {
            return false;
        }
        log.info("stop requested during start-up, before starting {}: stopping", step);
        close();
        return true;
    }

    /** 200 while the scheduler runs and the database answers. */
    Health.Status health() {
        if (!recurring.running() || !dispatcher.isClaiming()) {
            return Health.Status.failing("scheduler is not running");
        }
        if (!ws.database().answers()) {
            return Health.Status.failing("database does not answer");
        }
        return Health.Status.ok();
    }

    public int httpPort() {
        return endpoint.port();
    }

    /** The API's port; -1 when {@code api.enabled} is false. */
    public int apiPort() {
        return api == null ? -1 : api.port();
    }

    public Workspace workspace() {
        return ws;
    }

    /** Claim rounds the dispatcher has ended: a test waits on it to know a round has run since (a witness of nothing due). */
    public long dispatchRounds() {
        return dispatcher.rounds();
    }

    /** The alert sender, reminders and storm guard the daemon runs (tests drive them directly too). */
    public Alerting alerting() {
        return alerting;
    }

    @Override
    public void close() {
        if (api != null) { // started last, stopped first: no new API calls while the checks wind down
            api.close();
        }
        log.info(
                "stopping: no new checks; waiting up to {} for {} in flight",
                Durations.format(ws.config().schedule().shutdownGrace()),
                dispatcher.inFlight());
        int left = dispatcher.stop(ws.config().schedule().shutdownGrace());
        if (left > 0) {
            log.warn("{} check(s) did not finish within the shutdown grace and were abandoned unrecorded", left);
        }
        recurring.close();
        quartzOutageLogs.close();
        webhooks.close();
        if (endpoint != null) {
            endpoint.close();
        }
        verification.close();
        metrics.close();
        ws.close();
        log.info("stopped");
    }
}
