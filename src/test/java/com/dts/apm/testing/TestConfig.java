package com.dts.apm.testing;

import com.dts.apm.check.StateMachine;
import com.dts.apm.config.Config;
import com.dts.apm.config.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The daemon's YAML config for a test, built from defaults with fluent overrides instead of concatenated strings:
 * {@code TestConfig.in(dir).schedule(s -> s.interval("3s").jitter("0s")).relay("127.0.0.1", port).writeTo(file)}.
 * A database under {@code dir/data}, the HTTP endpoint on port 0; every other key is left to the daemon's default
 * unless set here. {@link #scheduleOf}, {@link #policyOf} and {@link #alertsOf} build the records directly.
 */
public final class TestConfig {
    private Path database;
    private PostgresDatabases postgres;
    private Integer httpPort = 0;
    private Path keyFile;
    private Schedule schedule;
    private final Map<String, String> checks = new LinkedHashMap<>();
    private final Map<String, String> alerts = new LinkedHashMap<>();
    private final List<String> extra = new ArrayList<>();

    private TestConfig(Path database) {
        this.database = database;
    }

    /** A config whose database is {@code dir/data/apm.db}, with the HTTP endpoint on a free port. */
    public static TestConfig in(Path dir) {
        return new TestConfig(dir.resolve("data/apm.db"));
    }

    /**
     * The database on PostgreSQL instead of the SQLite file, with a key file beside the config's folder (nodes on one
     * PostgreSQL database share a key, and none makes one up: it is created here when missing, as {@code keys generate} would).
     */
    public TestConfig postgres(PostgresDatabases databases) {
        this.postgres = databases;
        if (keyFile == null) {
            keyFile = database.toAbsolutePath().getParent().resolve("master.key");
        }
        if (!Files.exists(keyFile)) {
            try {
                Files.createDirectories(keyFile.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            com.dts.apm.store.Vault.generate(keyFile);
        }
        return this;
    }

    public TestConfig database(Path file) {
        this.database = file;
        return this;
    }

    /** The metrics endpoint on this port instead of a free one. */
    public TestConfig httpPort(int port) {
        this.httpPort = port;
        return this;
    }

    /** Leaves {@code http.port} at the daemon's default (the CLI's commands never open it). */
    public TestConfig noHttpPort() {
        this.httpPort = null;
        return this;
    }

    public TestConfig keyFile(Path file) {
        this.keyFile = file;
        return this;
    }

    public TestConfig schedule(UnaryOperator<Schedule> settings) {
        this.schedule = settings.apply(schedule == null ? new Schedule() : schedule);
        return this;
    }

    /** {@code checks.connect-timeout}, {@code read-timeout} and {@code deadline}. */
    public TestConfig checkTimeouts(Duration connect, Duration read, Duration deadline) {
        checks.put("connect-timeout", Durations.format(connect));
        checks.put("read-timeout", Durations.format(read));
        checks.put("deadline", Durations.format(deadline));
        return this;
    }

    /** {@code checks.deadline} alone. */
    public TestConfig deadline(Duration deadline) {
        checks.put("deadline", Durations.format(deadline));
        return this;
    }

    /** Trust the certificates of a PKCS12 store (password in {@code passwordFile}) for the checks. */
    public TestConfig trustStore(Path store, Path passwordFile) {
        checks.put("trust-store", store.toString());
        checks.put("trust-store-type", "PKCS12");
        checks.put("trust-store-password-file", passwordFile.toString());
        return this;
    }

    /** A plain-text relay for the alerts, such as GreenMail's SMTP port. */
    public TestConfig relay(String host, int port) {
        alerts.put("relay", "{ host: " + host + ", port: " + port + ", security: plain }");
        return this;
    }

    /** Any other {@code alerts} key, its value as YAML: {@code alerts("send-interval", "1s")}. */
    public TestConfig alerts(String key, String yamlValue) {
        alerts.put(key, yamlValue);
        return this;
    }

    /** A top-level block written as is, for a key this builder does not know: {@code "logging: { format: json }"}. */
    public TestConfig raw(String yaml) {
        extra.add(yaml);
        return this;
    }

    public String yaml() {
        var out = new ArrayList<String>();
        if (postgres != null) {
            out.add("database:\n" + postgres.yaml().stripTrailing());
        } else {
            out.add("database: { path: " + database + " }");
        }
        if (keyFile != null) {
            out.add("secrets: { key-file: " + keyFile + " }");
        }
        if (httpPort != null) {
            out.add("http: { port: " + httpPort + " }");
        }
        if (schedule != null && !schedule.keys.isEmpty()) {
            out.add("schedule:");
            schedule.keys.forEach((k, v) -> out.add("  " + k + ": " + v));
        }
        block(out, "checks", checks);
        block(out, "alerts", alerts);
        out.addAll(extra);
        return String.join("\n", out) + "\n";
    }

    private static void block(List<String> out, String name, Map<String, String> keys) {
        if (!keys.isEmpty()) {
            out.add(name + ":");
            keys.forEach((k, v) -> out.add("  " + k + ": " + v));
        }
    }

    /** Writes the YAML to {@code file} and returns it. */
    public Path writeTo(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, yaml());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A {@code Config.Schedule} with the daemon's defaults but for what {@code settings} sets. */
    public static Config.Schedule scheduleOf(UnaryOperator<Schedule> settings) {
        return settings.apply(new Schedule()).build();
    }

    /** A state machine policy with the daemon's defaults (from the schedule's defaults) but for what {@code settings} sets. */
    public static StateMachine.Policy policyOf(UnaryOperator<Policy> settings) {
        return settings.apply(new Policy()).build();
    }

    /** A {@code Config.Alerts} with the daemon's defaults but for what {@code settings} sets. */
    public static Config.Alerts alertsOf(UnaryOperator<Alerts> settings) {
        return settings.apply(new Alerts()).build();
    }

    /** The {@code alerts} settings the unit tests vary; the rest keep the daemon's defaults. */
    public static final class Alerts {
        private String productName;
        private String from;
        private String supportContact;
        private String reconnectUrl;
        private List<Duration> reminders;
        private Integer maxReminders;
        private Boolean recoveryNotice;
        private String opsEmail;
        private Boolean basicAuthDisabledToDealer;

        private Alerts() {}

        public Alerts productName(String name) {
            this.productName = name;
            return this;
        }

        public Alerts from(String from) {
            this.from = from;
            return this;
        }

        public Alerts supportContact(String contact) {
            this.supportContact = contact;
            return this;
        }

        public Alerts reconnectUrl(String url) {
            this.reconnectUrl = url;
            return this;
        }

        /** Reminder offsets from the failure email; null keeps the default schedule. */
        public Alerts reminders(List<Duration> offsets, int max) {
            this.reminders = offsets;
            this.maxReminders = max;
            return this;
        }

        public Alerts recoveryNotice(boolean on) {
            this.recoveryNotice = on;
            return this;
        }

        public Alerts opsEmail(String address) {
            this.opsEmail = address;
            return this;
        }

        public Alerts basicAuthDisabledToDealer(boolean on) {
            this.basicAuthDisabledToDealer = on;
            return this;
        }

        Config.Alerts build() {
            return new Config.Alerts(
                    productName,
                    from,
                    supportContact,
                    reconnectUrl,
                    null,
                    reminders,
                    maxReminders,
                    recoveryNotice,
                    opsEmail,
                    basicAuthDisabledToDealer,
                    null,
                    null,
                    null,
                    null,
                    null);
        }
    }

    /** The {@code schedule} keys; the ones left unset keep the daemon's defaults. */
    public static final class Schedule {
        private final Map<String, String> keys = new LinkedHashMap<>();

        private Schedule() {}

        public Schedule interval(String d) {
            return duration("interval", d);
        }

        public Schedule jitter(String d) {
            return duration("jitter", d);
        }

        public Schedule confirmAfter(String d) {
            return duration("confirm-after", d);
        }

        public Schedule failingRecheckInterval(String d) {
            return duration("failing-recheck-interval", d);
        }

        public Schedule degradedAfter(String d) {
            return duration("degraded-after", d);
        }

        public Schedule retryInitial(String d) {
            return duration("retry-initial", d);
        }

        public Schedule retryMax(String d) {
            return duration("retry-max", d);
        }

        public Schedule shutdownGrace(String d) {
            return duration("shutdown-grace", d);
        }

        public Schedule maxConcurrentChecks(int n) {
            keys.put("max-concurrent-checks", String.valueOf(n));
            return this;
        }

        public Schedule maxConcurrentPerProvider(int n) {
            keys.put("max-concurrent-per-provider", String.valueOf(n));
            return this;
        }

        public Schedule loginsPerSecondPerProvider(double n) {
            keys.put(
                    "logins-per-second-per-provider", n == Math.rint(n) ? String.valueOf((long) n) : String.valueOf(n));
            return this;
        }

        /** Quick rounds for a daemon under test: no jitter, one-second confirmation and retries, 100 logins a second. */
        public Schedule quick() {
            return jitter("0s").confirmAfter("1s").retryInitial("1s").loginsPerSecondPerProvider(100);
        }

        private Schedule duration(String key, String d) {
            Durations.parse(d); // a typo fails here, naming the value
            keys.put(key, d);
            return this;
        }

        private Duration get(String key) {
            var v = keys.get(key);
            return v == null ? null : Durations.parse(v);
        }

        private Integer integer(String key) {
            var v = keys.get(key);
            return v == null ? null : Integer.valueOf(v);
        }

        Config.Schedule build() {
            var rate = keys.get("logins-per-second-per-provider");
            return new Config.Schedule(
                    get("interval"),
                    get("jitter"),
                    get("confirm-after"),
                    get("failing-recheck-interval"),
                    get("degraded-after"),
                    integer("max-concurrent-checks"),
                    integer("max-concurrent-per-provider"),
                    rate == null ? null : Double.valueOf(rate),
                    get("retry-initial"),
                    get("retry-max"),
                    get("shutdown-grace"));
        }
    }

    /** The state machine's policy; timings default to the schedule's defaults, a recovery notice on, no ops email. */
    public static final class Policy {
        private Config.Schedule timings = Config.defaults().schedule();
        private boolean recoveryNotice = true;
        private boolean basicAuthToDealer;
        private String opsEmail;

        private Policy() {}

        /** Confirmation, recheck, degraded and retry timings taken from {@code schedule}. */
        public Policy timingsOf(Config.Schedule schedule) {
            this.timings = schedule;
            return this;
        }

        public Policy recoveryNotice(boolean on) {
            this.recoveryNotice = on;
            return this;
        }

        public Policy basicAuthToDealer(boolean on) {
            this.basicAuthToDealer = on;
            return this;
        }

        public Policy opsEmail(String address) {
            this.opsEmail = address;
            return this;
        }

        StateMachine.Policy build() {
            return new StateMachine.Policy(
                    timings.confirmAfter(),
                    timings.failingRecheckInterval(),
                    timings.degradedAfter(),
                    timings.retryInitial(),
                    timings.retryMax(),
                    recoveryNotice,
                    basicAuthToDealer,
                    opsEmail);
        }
    }
}
