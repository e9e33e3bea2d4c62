package com.dts.apm.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, as read from YAML. Every key has a default, so {@link #defaults()} is a
 * working configuration; {@link ConfigLoader} reads a file and {@link #validate(String)} checks values.
 */
public record Config(
        Database database,
        Secrets secrets,
        Http http,
        Schedule schedule,
        Checks checks,
        Providers providers,
        Alerts alerts,
        History history,
        Logging logging,
        Api api,
        List<Webhook> webhooks,
        Reconnect reconnect,
        Map<String, OAuthApp> oauth) {

    public Config {
        database = database == null ? new Database(null, null, null, null, null) : database;
        secrets = secrets == null ? new Secrets(null) : secrets;
        http = http == null ? new Http(null, null) : http;
        schedule = schedule == null ? Schedule.DEFAULT : schedule;
        checks = checks == null ? new Checks(null, null, null, null, null, null, null, null) : checks;
        providers = providers == null ? new Providers(null) : providers;
        alerts = alerts == null ? Alerts.DEFAULT : alerts;
        history = history == null ? new History(null) : history;
        logging = logging == null ? new Logging(null, null) : logging;
        api = api == null ? new Api(null, null, null, null, null) : api;
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
        reconnect = reconnect == null ? new Reconnect(null, null, null) : reconnect;
        oauth = oauth == null ? Map.of() : Map.copyOf(oauth);
    }

    public static Config defaults() {
        return new Config(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * The SQLite file ({@code path}), or a PostgreSQL server when {@code url} is set ({@code jdbc:postgresql://...},
     * with {@code username}, the password in {@code password-file}, and at most {@code pool-size} connections).
     */
    public record Database(Path path, String url, String username, Path passwordFile, Integer poolSize) {
        public Database {
            path = path == null ? Path.of("data", "app-password-monitor.db") : path;
            poolSize = poolSize == null ? 10 : poolSize;
        }

        /** The embedded default: an SQLite file. */
        public Database(Path path) {
            this(path, null, null, null, null);
        }

        /** True when the database is a PostgreSQL server ({@code url} set) rather than the SQLite file. */
        public boolean postgres() {
            return url != null;
        }
    }

    /** Master key file; null means $CREDENTIALS_DIRECTORY/master-key, else master.key beside the database. */
    public record Secrets(Path keyFile) {}

    /** The metrics and health endpoint. */
    public record Http(String bind, Integer port) {
        public Http {
            bind = bind == null ? "127.0.0.1" : bind;
            port = port == null ? 9464 : port;
        }
    }

    /** When checks run and how many at once. */
    public record Schedule(
            Duration interval,
            Duration jitter,
            Duration confirmAfter,
            Duration failingRecheckInterval,
            Duration degradedAfter,
            Integer maxConcurrentChecks,
            Integer maxConcurrentPerProvider,
            Double loginsPerSecondPerProvider,
            Duration retryInitial,
            Duration retryMax,
            Duration shutdownGrace) {
        static final Schedule DEFAULT = new Schedule(null, null, null, null, null, null, null, null, null, null, null);

        public Schedule {
            interval = orDefault(interval, Duration.ofHours(1));
            jitter = orDefault(jitter, Duration.ofMinutes(5));
            confirmAfter = orDefault(confirmAfter, Duration.ofMinutes(10));
            failingRecheckInterval = orDefault(failingRecheckInterval, Duration.ofHours(6));
            degradedAfter = orDefault(degradedAfter, Duration.ofHours(2));
            maxConcurrentChecks = maxConcurrentChecks == null ? 32 : maxConcurrentChecks;
            maxConcurrentPerProvider = maxConcurrentPerProvider == null ? 8 : maxConcurrentPerProvider;
            loginsPerSecondPerProvider = loginsPerSecondPerProvider == null ? 5.0 : loginsPerSecondPerProvider;
            retryInitial = orDefault(retryInitial, Duration.ofMinutes(5));
            retryMax = orDefault(retryMax, Duration.ofHours(1));
            shutdownGrace = orDefault(shutdownGrace, Duration.ofSeconds(20));
        }

        /** The backoff of a failing check that is nobody's to fix: retry-initial doubling up to retry-max. */
        public Backoff retry() {
            return new Backoff(retryInitial, retryMax);
        }
    }

    /** Timeouts and trust for one login check. */
    public record Checks(
            Duration connectTimeout,
            Duration readTimeout,
            Duration deadline,
            Path trustStore,
            String trustStoreType,
            Path trustStorePasswordFile,
            String tlsProvider,
            Duration tlsSessionLifetime) {
        public Checks {
            connectTimeout = orDefault(connectTimeout, Duration.ofSeconds(10));
            readTimeout = orDefault(readTimeout, Duration.ofSeconds(20));
            deadline = orDefault(deadline, Duration.ofSeconds(45));
            trustStoreType = trustStoreType == null ? "PKCS12" : trustStoreType;
            tlsProvider = tlsProvider == null ? "conscrypt" : tlsProvider;
            tlsSessionLifetime = orDefault(tlsSessionLifetime, Duration.ZERO);
        }

        /** The default TLS provider (Conscrypt, else the JDK's). */
        public Checks(
                Duration connectTimeout,
                Duration readTimeout,
                Duration deadline,
                Path trustStore,
                String trustStoreType,
                Path trustStorePasswordFile) {
            this(connectTimeout, readTimeout, deadline, trustStore, trustStoreType, trustStorePasswordFile, null, null);
        }
    }

    /** Where the provider catalog comes from; null means the built-in one. */
    public record Providers(Path file) {}

    /** SMTP relay used to send dealer alerts. */
    public record Relay(String host, Integer port, String security, String username, Path passwordFile) {
        public Relay {
            port = port == null ? 587 : port;
            security = security == null ? "starttls" : security;
        }

        /**
         * This relay with {@code password-file} taken from the systemd credential
         * {@code $CREDENTIALS_DIRECTORY/relay-password} when the config leaves it unset and the
         * credential is a non-empty file (the unit always loads it; the package ships it empty).
         */
        public Relay withCredential(Map<String, String> env) {
            var dir = env.get("CREDENTIALS_DIRECTORY");
            if (passwordFile != null || dir == null || dir.isBlank()) {
                return this;
            }
            var file = Path.of(dir, "relay-password");
            try {
                if (Files.isRegularFile(file) && Files.size(file) > 0) {
                    return new Relay(host, port, security, username, file);
                }
            } catch (IOException unreadable) {
                // fall through: RelaySender reports an unusable relay configuration
            }
            return this;
        }
    }

    /** Provider-wide wave detection that holds dealer mail. */
    public record StormGuard(Double share, Integer minCount, Duration window) {
        public StormGuard {
            share = share == null ? 0.2 : share;
            minCount = minCount == null ? 5 : minCount;
            window = orDefault(window, Duration.ofMinutes(30));
        }
    }

    /** Dealer and ops emails. */
    public record Alerts(
            String productName,
            String from,
            String supportContact,
            String reconnectUrl,
            Relay relay,
            List<Duration> reminders,
            Integer maxReminders,
            Boolean recoveryNotice,
            String opsEmail,
            Boolean basicAuthDisabledToDealer,
            Path templatesDir,
            StormGuard stormGuard,
            Duration sendInterval,
            Duration retryInitial,
            Duration retryMax) {
        static final Alerts DEFAULT =
                new Alerts(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

        public Alerts {
            productName = productName == null ? "DTS System" : productName;
            from = from == null ? "DTS System <alerts@example.com>" : from;
            supportContact = supportContact == null ? "support@example.com" : supportContact;
            reconnectUrl = reconnectUrl == null
                    ? "https://dealers.example.com/settings/email?integration={integration_id}"
                    : reconnectUrl;
            relay = relay == null ? new Relay(null, null, null, null, null) : relay;
            reminders = reminders == null
                    ? List.of(Duration.ofDays(1), Duration.ofDays(3), Duration.ofDays(7))
                    : List.copyOf(reminders);
            maxReminders = maxReminders == null ? 6 : maxReminders;
            recoveryNotice = recoveryNotice == null ? Boolean.TRUE : recoveryNotice;
            basicAuthDisabledToDealer = basicAuthDisabledToDealer == null ? Boolean.FALSE : basicAuthDisabledToDealer;
            stormGuard = stormGuard == null ? new StormGuard(null, null, null) : stormGuard;
            sendInterval = orDefault(sendInterval, Duration.ofSeconds(10));
            retryInitial = orDefault(retryInitial, Duration.ofMinutes(1));
            retryMax = orDefault(retryMax, Duration.ofHours(1));
        }

        /** The backoff of an alert the relay did not take: retry-initial doubling up to retry-max. */
        public Backoff retry() {
            return new Backoff(retryInitial, retryMax);
        }
    }

    /** How long check history is kept. */
    public record History(Duration retention) {
        public History {
            retention = orDefault(retention, Duration.ofDays(90));
        }
    }

    /** Log format ({@code text} or {@code json}) and the root level. */
    public record Logging(String format, String level) {
        public Logging {
            format = format == null ? "text" : format;
            level = level == null ? "info" : level;
        }
    }

    /** The dealer-system API's own listener; off unless {@code enabled}. */
    public record Api(Boolean enabled, String bind, Integer port, String publicUrl, Tls tls) {
        public Api {
            enabled = enabled == null ? Boolean.FALSE : enabled;
            bind = bind == null ? "127.0.0.1" : bind;
            port = port == null ? 9465 : port;
            tls = tls == null ? new Tls(null, null) : tls;
        }
    }

    /**
     * The hosted reconnect page on the API listener: failure emails and reminders link to a single-use page that
     * takes and verifies a new password. {@code linkTtl}: how long a link lives; {@code maxAttempts}: logins it may
     * cause (each counts toward the provider's lock-out).
     */
    public record Reconnect(Boolean enabled, Duration linkTtl, Integer maxAttempts) {
        public Reconnect {
            enabled = enabled == null ? Boolean.FALSE : enabled;
            linkTtl = orDefault(linkTtl, Duration.ofDays(7));
            maxAttempts = maxAttempts == null ? 10 : maxAttempts;
        }
    }

    /** PEM files of the API's TLS certificate (chain) and its private key; both null: plain HTTP. */
    public record Tls(Path certFile, Path keyFile) {
        public boolean enabled() {
            return certFile != null;
        }
    }

    /**
     * One endpoint of the dealer system that gets signed webhooks (Standard Webhooks); {@code events} null or empty:
     * every event type.
     */
    public record Webhook(String url, Path secretFile, List<String> events) {
        public Webhook {
            events = events == null ? List.of() : List.copyOf(events);
        }
    }

    /**
     * One OAuth app of the dealer system (a key of {@code oauth:}), whose grants the monitor refreshes:
     * {@code client-id}, the client secret in {@code client-secret-file} (null: the systemd credential
     * {@code oauth-NAME-client-secret}), and the app's {@code token-url}.
     */
    public record OAuthApp(String clientId, Path clientSecretFile, String tokenUrl) {
        /** The client secret file, the systemd credential {@code oauth-NAME-client-secret} when none is named. */
        public Path secretFile(String name, Map<String, String> env) {
            if (clientSecretFile != null) {
                return clientSecretFile;
            }
            var dir = env.get("CREDENTIALS_DIRECTORY");
            return dir == null ? null : Path.of(dir, "oauth-" + name + "-client-secret");
        }
    }

    /** The webhook event types a {@code webhooks[].events} entry may name. */
    public static final List<String> WEBHOOK_EVENTS = List.of(
            "integration.state_changed",
            "integration.failing",
            "integration.recovered",
            "integration.degraded",
            "integration.password_replaced");

    private static Duration orDefault(Duration d, Duration dflt) {
        return d == null ? dflt : d;
    }

    /** Checks values that parse but make no sense; {@code source} names the file in the message. */
    public Config validate(String source) {
        var v = new Validator(source);
        v.port("http.port", http.port());
        if (database.url() != null) {
            v.check(
                    "database.url",
                    database.url().matches("jdbc:postgresql://[^\\s/?#]+(:[0-9]+)?/[^\\s/?#]+(\\?[^\\s#]*)?"),
                    "'" + database.url().replaceAll("\\?.*", "?...").replaceAll("\\p{Cntrl}", "?")
                            + "' is not a PostgreSQL JDBC URL (jdbc:postgresql://HOST[:PORT]/DATABASE)");
            v.check(
                    "database.url",
                    !database.url().matches("(?i).*[?&]password=.*"),
                    "must not carry the password: put it in database.password-file");
            v.check(
                    "database.username",
                    database.username() != null && !database.username().isBlank(),
                    "is required with database.url");
            v.existingFile("database.password-file", database.passwordFile());
            v.range("database.pool-size", database.poolSize(), 2, 200);
        } else {
            v.check("database.username", database.username() == null, "is only for database.url (PostgreSQL)");
            v.check("database.password-file", database.passwordFile() == null, "is only for database.url (PostgreSQL)");
        }
        v.positive("schedule.interval", schedule.interval());
        v.notNegative("schedule.jitter", schedule.jitter());
        v.positive("schedule.confirm-after", schedule.confirmAfter());
        v.positive("schedule.failing-recheck-interval", schedule.failingRecheckInterval());
        v.positive("schedule.degraded-after", schedule.degradedAfter());
        v.range("schedule.max-concurrent-checks", schedule.maxConcurrentChecks(), 1, 1024);
        v.range("schedule.max-concurrent-per-provider", schedule.maxConcurrentPerProvider(), 1, 1024);
        v.check(
                "schedule.logins-per-second-per-provider",
                schedule.loginsPerSecondPerProvider() > 0,
                "must be above 0");
        v.positive("schedule.retry-initial", schedule.retryInitial());
        v.positive("schedule.retry-max", schedule.retryMax());
        v.notNegative("schedule.shutdown-grace", schedule.shutdownGrace());
        v.positive("checks.connect-timeout", checks.connectTimeout());
        v.positive("checks.read-timeout", checks.readTimeout());
        v.positive("checks.deadline", checks.deadline());
        v.existingFile("checks.trust-store", checks.trustStore());
        v.existingFile("checks.trust-store-password-file", checks.trustStorePasswordFile());
        v.oneOf("checks.tls-provider", checks.tlsProvider(), "conscrypt", "jdk");
        v.notNegative("checks.tls-session-lifetime", checks.tlsSessionLifetime());
        v.check(
                "checks.tls-session-lifetime",
                checks.tlsSessionLifetime().compareTo(Duration.ofDays(1)) <= 0,
                "must be at most 1d");
        v.existingFile("providers.file", providers.file());
        v.existingFile("alerts.relay.password-file", alerts.relay().passwordFile());
        v.port("alerts.relay.port", alerts.relay().port());
        v.oneOf("alerts.relay.security", alerts.relay().security(), "ssl", "starttls", "plain");
        v.range("alerts.max-reminders", alerts.maxReminders(), 0, 100);
        for (int i = 0; i < alerts.reminders().size(); i++) {
            v.positive("alerts.reminders[" + i + "]", alerts.reminders().get(i));
            if (i > 0) {
                v.check(
                        "alerts.reminders[" + i + "]",
                        alerts.reminders().get(i).compareTo(alerts.reminders().get(i - 1)) > 0,
                        "must be later than the one before (offsets from the failure email)");
            }
        }
        v.check(
                "alerts.storm-guard.share",
                alerts.stormGuard().share() > 0 && alerts.stormGuard().share() <= 1,
                "must be above 0 and at most 1");
        v.range("alerts.storm-guard.min-count", alerts.stormGuard().minCount(), 1, 1_000_000);
        v.positive("alerts.storm-guard.window", alerts.stormGuard().window());
        v.positive("alerts.send-interval", alerts.sendInterval());
        v.positive("alerts.retry-initial", alerts.retryInitial());
        v.positive("alerts.retry-max", alerts.retryMax());
        v.check(
                "alerts.retry-max",
                alerts.retryMax().compareTo(alerts.retryInitial()) >= 0,
                "must not be shorter than alerts.retry-initial");
        if (alerts.opsEmail() != null && !alerts.opsEmail().matches("[^\\s@<>]+@[^\\s@<>]+\\.[^\\s@<>]+")) {
            v.fail(
                    "alerts.ops-email",
                    "'" + alerts.opsEmail().replaceAll("\\p{Cntrl}", "?") + "' is not one email address");
        }
        if (alerts.templatesDir() != null && !Files.isDirectory(alerts.templatesDir())) {
            v.fail("alerts.templates-dir", "folder " + alerts.templatesDir() + " does not exist");
        }
        v.positive("history.retention", history.retention());
        v.port("api.port", api.port());
        v.check("api.bind", !api.bind().isBlank(), "must not be empty");
        v.check(
                "api.tls.key-file",
                (api.tls().certFile() == null) == (api.tls().keyFile() == null),
                "api.tls.cert-file and api.tls.key-file go together (both PEM files, or both null for plain HTTP)");
        v.existingFile("api.tls.cert-file", api.tls().certFile());
        v.existingFile("api.tls.key-file", api.tls().keyFile());
        if (api.publicUrl() != null && !api.publicUrl().matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
            v.fail("api.public-url", "'" + api.publicUrl().replaceAll("\\p{Cntrl}", "?") + "' is not an http(s) URL");
        }
        v.positive("reconnect.link-ttl", reconnect.linkTtl());
        v.check("reconnect.link-ttl", reconnect.linkTtl().compareTo(Duration.ofDays(90)) <= 0, "must be at most 90d");
        v.range("reconnect.max-attempts", reconnect.maxAttempts(), 1, 100);
        if (reconnect.enabled()) {
            v.check(
                    "reconnect.enabled",
                    api.enabled(),
                    "needs api.enabled: true (the page is served by the API listener)");
            v.check(
                    "api.public-url",
                    api.publicUrl() != null,
                    "is required when reconnect.enabled is true (the base of the links in the emails, e.g. https://monitor.example.com)");
        }
        var urls = new java.util.HashSet<String>();
        for (int i = 0; i < webhooks.size(); i++) {
            var w = webhooks.get(i);
            var key = "webhooks[" + i + "]";
            v.check(key + ".url", w.url() != null, "is missing");
            v.check(
                    key + ".url",
                    w.url().matches("https://[^\\s/?#]+(/[^\\s#]*)?")
                            || w.url().matches("http://(127\\.[0-9.]+|localhost|\\[::1])(:[0-9]+)?(/[^\\s#]*)?"),
                    "'" + w.url().replaceAll("\\p{Cntrl}", "?")
                            + "' must be an https URL (plain http only to a loopback host)");
            v.check(key + ".url", urls.add(w.url()), "the same URL is listed twice");
            v.check(
                    key + ".secret-file",
                    w.secretFile() != null,
                    "is missing (a file holding whsec_ and the base64 secret)");
            v.existingFile(key + ".secret-file", w.secretFile());
            for (int j = 0; j < w.events().size(); j++) {
                v.oneOf(key + ".events[" + j + "]", w.events().get(j), WEBHOOK_EVENTS.toArray(String[]::new));
            }
        }
        for (var e : new java.util.TreeMap<>(oauth).entrySet()) {
            var key = "oauth." + e.getKey();
            var app = e.getValue();
            v.check(
                    key,
                    e.getKey().matches("[a-z0-9][a-z0-9-]{0,39}"),
                    "an app name is lowercase letters, digits and -");
            v.check(key, app != null, "is empty (client-id, client-secret-file, token-url)");
            v.check(
                    key + ".client-id",
                    app.clientId() != null && !app.clientId().isBlank(),
                    "is missing");
            v.check(key + ".token-url", app.tokenUrl() != null, "is missing");
            v.check(
                    key + ".token-url",
                    app.tokenUrl().matches("https://[^\\s/?#@]+(/[^\\s#]*)?")
                            || app.tokenUrl().matches("http://(127\\.[0-9.]+|localhost|\\[::1])(:[0-9]+)?(/[^\\s#]*)?"),
                    "'" + app.tokenUrl().replaceAll("\\p{Cntrl}", "?")
                            + "' must be an https URL (plain http only to a loopback host)");
            v.existingFile(key + ".client-secret-file", app.clientSecretFile());
        }
        v.oneOf("logging.format", logging.format(), "text", "json");
        v.oneOf("logging.level", logging.level(), "error", "warn", "info", "debug", "trace");
        return this;
    }

    private record Validator(String source) {
        void fail(String key, String problem) {
            throw new ConfigException(source + ": key " + key + ": " + problem);
        }

        void check(String key, boolean ok, String problem) {
            if (!ok) {
                fail(key, problem);
            }
        }

        void positive(String key, Duration d) {
            check(key, !d.isNegative() && !d.isZero(), "must be longer than 0");
        }

        void notNegative(String key, Duration d) {
            check(key, !d.isNegative(), "must not be negative");
        }

        void range(String key, int value, int min, int max) {
            check(key, value >= min && value <= max, value + " is out of range " + min + "-" + max);
        }

        void port(String key, int value) {
            range(key, value, 0, 65535);
        }

        void oneOf(String key, String value, String... allowed) {
            check(key, List.of(allowed).contains(value), "'" + value + "' is not one of " + String.join(", ", allowed));
        }

        void existingFile(String key, Path file) {
            if (file != null && !Files.isRegularFile(file)) {
                fail(key, "file " + file + " does not exist");
            }
        }
    }
}
