package com.dts.apm.check;

import static com.dts.apm.testing.Integrations.anIntegration;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.Config;
import com.dts.apm.config.Secret;
import com.dts.apm.probe.Probe;
import com.dts.apm.probe.ProbeResult;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.schedule.RecurringTask;
import com.dts.apm.schedule.RecurringTasks;
import com.dts.apm.store.CheckHistory;
import com.dts.apm.store.CheckWriter;
import com.dts.apm.store.Database;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.store.IntegrationStore;
import com.dts.apm.store.Vault;
import com.dts.apm.testing.Await;
import com.dts.apm.testing.LogCapture;
import com.dts.apm.testing.TestConfig;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dispatch loop on a real SQLite file, run by the real Quartz daemon: one bad check or a locked database never stops it. */
class DispatcherIT {
    @TempDir
    Path dir;

    private final Clock clock = Clock.systemUTC();
    private final Config.Schedule schedule = TestConfig.scheduleOf(s -> s.interval("1s")
            .jitter("0s")
            .confirmAfter("1s")
            .failingRecheckInterval("1s")
            .degradedAfter("2h")
            .maxConcurrentChecks(4)
            .maxConcurrentPerProvider(4)
            .loginsPerSecondPerProvider(1000)
            .retryInitial("1s")
            .retryMax("2s")
            .shutdownGrace("5s"));
    private final java.util.Map<String, AtomicInteger> counted = new java.util.concurrent.ConcurrentHashMap<>();
    private Database db;
    private IntegrationStore store;

    private Dispatcher dispatcher(Probe probe) {
        return dispatcher(probe, ProviderCatalog.builtIn(), schedule);
    }

    private Dispatcher dispatcher(Probe probe, ProviderCatalog catalog, Config.Schedule schedule) {
        db = Database.open(dir.resolve("apm.db"));
        store = new IntegrationStore(db, Vault.unlock(db, dir.resolve("master.key"), true, clock), clock);
        var machine = new StateMachine(TestConfig.policyOf(p -> p.timingsOf(schedule)));
        var gate = new ProviderGate(catalog, schedule);
        var checks = new CheckService(
                store,
                new CheckWriter(db),
                catalog,
                p -> probe,
                gate,
                machine,
                schedule,
                clock,
                new CheckListener() {
                    @Override
                    public void checked(
                            com.dts.apm.store.Integration integration, com.dts.apm.probe.ProbeResult result) {}

                    @Override
                    public void loopFailed(String loop) {
                        counted.computeIfAbsent(loop, k -> new AtomicInteger()).incrementAndGet();
                    }
                },
                com.dts.apm.process.DatabaseOutage.NONE,
                null,
                Duration.ofSeconds(20));
        return new Dispatcher(
                store,
                checks,
                gate,
                clock,
                schedule.maxConcurrentChecks(),
                schedule.retryInitial(),
                loop -> counted.computeIfAbsent(loop, k -> new AtomicInteger()).incrementAndGet());
    }

    private static RecurringTasks daemon(Dispatcher dispatcher) {
        var d = new RecurringTasks(
                List.of(new RecurringTask("dispatch", Duration.ofMillis(100), Duration.ZERO, dispatcher::tick)));
        d.start();
        return d;
    }

    private static ProbeResult ok(Protocol p) {
        return new ProbeResult(p, Outcome.OK, Duration.ofMillis(1), "", null);
    }

    private static int count(String text, String what) {
        return (int)
                Pattern.compile(Pattern.quote(what)).matcher(text).results().count();
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, limit, condition);
    }

    @Test
    void anExceptionInOneCheckIsLoggedOnceAndRetriedWhileTheOthersGoOn() throws Exception {
        var attempts = new AtomicInteger();
        Probe probe = t -> {
            if (t.username().startsWith("broken")) {
                attempts.incrementAndGet();
                throw new IllegalStateException("bug in the probe for this mailbox");
            }
            return ok(t.protocol());
        };
        var dispatcher = dispatcher(probe);
        long broken = store.add(
                anIntegration().withEmail("broken@x.test").only(Protocol.IMAP).build(), Secret.of("pw-broken-1"));
        var healthy = List.of(
                store.add(anIntegration().withEmail("a@x.test").build(), Secret.of("pw-a-12345")),
                store.add(anIntegration().withEmail("b@x.test").build(), Secret.of("pw-b-12345")));
        try (var logs = new LogCapture();
                var daemon = daemon(dispatcher)) {
            // the healthy ones are checked again and again (interval 1s) while the broken one keeps failing
            var log = new CheckHistory(db);
            await(
                    "healthy ones checked three times",
                    Duration.ofSeconds(15),
                    () -> healthy.stream().allMatch(id -> log.checks(id, 10).size() >= 3));
            assertThat(daemon.running()).isTrue();
            assertThat(store.get(broken).state()).isEqualTo(IntegrationState.UNKNOWN);
            assertThat(attempts.get()).as("retried, but not on every tick").isBetween(2, 5);
            assertThat(count(logs.text(), "failed (logged once until it recovers)"))
                    .as(logs.text())
                    .isEqualTo(1);
            dispatcher.stop(Duration.ofSeconds(5));
            // every failure is counted (apm_loop_errors_total{loop="check"}), not only the logged one
            assertThat(counted.get("check").get()).isEqualTo(attempts.get());
        }
    }

    @Test
    void aDatabaseLockedDuringATickIsSurvivedAndTheCheckRecordedAfterwards() throws Exception {
        var dispatcher = dispatcher(t -> ok(t.protocol()));
        long id = store.add(
                anIntegration().withEmail("a@x.test").only(Protocol.IMAP).build(), Secret.of("pw-a-12345"));
        try (var logs = new LogCapture();
                var lock = DriverManager.getConnection("jdbc:sqlite:" + db.file())) {
            // another process holds the write lock longer than the busy timeout
            lock.setAutoCommit(false);
            lock.createStatement().execute("UPDATE dealer SET updated_at = updated_at");
            try (var daemon = daemon(dispatcher)) {
                // the login is done; its result is held and the write retried, not the login
                await(
                        "the locked write fails",
                        Duration.ofSeconds(15),
                        () -> logs.text().contains("recording check results failed"));
                assertThat(logs.text()).contains("database is locked");
                assertThat(new CheckHistory(db).checks(id, 10)).isEmpty();
                var released = java.time.Instant.now();
                lock.rollback();
                await(
                        "checked once the lock is gone",
                        Duration.ofSeconds(15),
                        () -> store.get(id).state() == IntegrationState.HEALTHY);
                assertThat(daemon.running()).isTrue();
                // the state is committed a moment before the writer logs that it works again
                await(
                        "works again logged",
                        Duration.ofSeconds(5),
                        () -> logs.text().contains("works again"));
                // the check made while the database was locked is recorded: held, not lost and not logged in again
                assertThat(new CheckHistory(db).checks(id, 10))
                        .anySatisfy(c -> assertThat(c.checkedAt()).isBefore(released));
                assertThat(counted.get("record").get()).isPositive();
                dispatcher.stop(Duration.ofSeconds(5));
            }
        }
    }

    @SuppressWarnings("try") // the resource is held for the block and closed by it
    @Test
    void theGlobalCapHoldsAcrossProviders() throws Exception {
        var capped = TestConfig.scheduleOf(s -> s.interval("1h")
                .jitter("0s")
                .maxConcurrentChecks(2)
                .maxConcurrentPerProvider(8)
                .loginsPerSecondPerProvider(1000));
        var now = new AtomicInteger();
        var peak = new AtomicInteger();
        Probe probe = t -> {
            peak.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                now.decrementAndGet();
            }
            return ok(t.protocol());
        };
        var dispatcher = dispatcher(probe, ProviderCatalog.builtIn(), capped);
        var ids = new java.util.ArrayList<Long>();
        for (var p : List.of("gmail", "yahoo", "custom")) {
            for (int i = 0; i < 2; i++) {
                ids.add(store.add(
                        anIntegration()
                                .withEmail(p + i + "@x.test")
                                .withProvider(p)
                                .only(Protocol.IMAP)
                                .build(),
                        Secret.of("pw-" + p + i + "-123")));
            }
        }
        try (var daemon = daemon(dispatcher)) {
            await(
                    "all checked",
                    Duration.ofSeconds(20),
                    () -> ids.stream().allMatch(id -> store.get(id).state() == IntegrationState.HEALTHY));
            dispatcher.stop(Duration.ofSeconds(5));
        }
        assertThat(peak.get()).isEqualTo(2);
    }

    @SuppressWarnings("try") // the resource is held for the block and closed by it
    @Test
    void aProvidersOwnIntervalOverridesTheSchedule() throws Exception {
        var file = dir.resolve("providers.yml");
        java.nio.file.Files.writeString(
                file,
                String.join(
                        "\n",
                        "providers:",
                        "  slowpoke:",
                        "    name: Slowpoke Mail",
                        "    domains: [slowpoke.test]",
                        "    imap: { host: imap.slowpoke.test, port: 993, security: ssl }",
                        "    smtp: { host: smtp.slowpoke.test, port: 465, security: ssl }",
                        "    limits: { interval: 6h }",
                        ""));
        var hourly = TestConfig.scheduleOf(s -> s.interval("1h")
                .jitter("0s")
                .maxConcurrentChecks(4)
                .maxConcurrentPerProvider(4)
                .loginsPerSecondPerProvider(1000));
        var dispatcher = dispatcher(t -> ok(t.protocol()), ProviderCatalog.load(file), hourly);
        long slow = store.add(
                anIntegration()
                        .withEmail("a@slowpoke.test")
                        .withProvider("slowpoke")
                        .only(Protocol.IMAP)
                        .build(),
                Secret.of("pw-slow-1234"));
        long other = store.add(
                anIntegration().withEmail("b@x.test").only(Protocol.IMAP).build(), Secret.of("pw-other-1234"));
        var start = java.time.Instant.now();
        try (var daemon = daemon(dispatcher)) {
            await(
                    "both checked",
                    Duration.ofSeconds(15),
                    () -> store.get(slow).state() == IntegrationState.HEALTHY
                            && store.get(other).state() == IntegrationState.HEALTHY);
            dispatcher.stop(Duration.ofSeconds(5));
        }
        assertThat(Duration.between(start, store.get(slow).nextCheckAt()))
                .isBetween(Duration.ofHours(6), Duration.ofHours(6).plusSeconds(30));
        assertThat(Duration.between(start, store.get(other).nextCheckAt()))
                .isBetween(Duration.ofHours(1), Duration.ofHours(1).plusSeconds(30));
    }

    @SuppressWarnings("try") // the resource is held for the block and closed by it
    @Test
    void aDisabledIntegrationIsLeftAloneWhileTheOthersAreChecked() throws Exception {
        var dispatcher = dispatcher(t -> ok(t.protocol()));
        long off = store.add(
                anIntegration().withEmail("off@x.test").only(Protocol.IMAP).build(), Secret.of("pw-off-12345"));
        long on = store.add(
                anIntegration().withEmail("on@x.test").only(Protocol.IMAP).build(), Secret.of("pw-on-12345"));
        var log = new CheckHistory(db);
        try (var daemon = daemon(dispatcher)) {
            await(
                    "both checked",
                    Duration.ofSeconds(10),
                    () -> !log.checks(off, 10).isEmpty() && !log.checks(on, 10).isEmpty());
            store.setEnabled(off, false);
            // a check claimed just before the disable may still finish: a claim round of our own waits for any round
            // that began before the disable (rounds are serialized), then every check claimed so far must be done
            dispatcher.tick();
            await(
                    "checks claimed before the disable finished",
                    Duration.ofSeconds(10),
                    () -> dispatcher.inFlight() == 0);
            int offChecks = log.checks(off, 100).size();
            int onChecks = log.checks(on, 100).size();
            await(
                    "the enabled one checked twice more",
                    Duration.ofSeconds(10),
                    () -> log.checks(on, 100).size() >= onChecks + 2);
            assertThat(log.checks(off, 100)).hasSize(offChecks);
            assertThat(store.get(off).state()).isEqualTo(IntegrationState.DISABLED);
            dispatcher.stop(Duration.ofSeconds(5));
        }
    }
}
