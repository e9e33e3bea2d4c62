package com.dts.apm.store;

import com.dts.apm.BadInputException;
import com.dts.apm.config.Secret;
import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.provider.ProviderSpec;
import com.dts.apm.provider.Security;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The raw fields of one integration, as typed on the command line, read from a CSV row or sent to the API, and
 * their validation into a {@link NewIntegration}. Shared by {@code add}, {@code import} and {@code PUT
 * /api/v1/integrations/{external_id}} so all of them accept and refuse exactly the same things; only the names
 * of the fields in the messages differ ({@link Labels}).
 */
public record IntegrationInput(
        String dealerId,
        String dealerName,
        String contactEmail,
        String email,
        String provider,
        String username,
        String imapHost,
        String imapPort,
        String imapSecurity,
        String smtpHost,
        String smtpPort,
        String smtpSecurity,
        String protocols,
        String enabled,
        boolean canary,
        String adminEmail,
        String externalId) {

    /**
     * How the messages name the fields: the command line's words and flags ({@link #CLI}, also for CSV rows, whose
     * columns the import names), or the API's JSON fields ({@link #API}).
     */
    public record Labels(
            String dealerId,
            String email,
            String contactEmail,
            String adminEmail,
            String dealerName,
            String username,
            String enabled,
            String provider,
            String hostFlag,
            String protocolsFlag,
            String noPassword,
            String fieldSeparator) {
        public static final Labels CLI = new Labels(
                "dealer id",
                "email",
                "contact email",
                "admin email",
                "dealer name",
                "username",
                "enabled",
                "--provider",
                "--%s-host",
                "--protocols",
                "no password given (use --password-stdin or --password-file)",
                " ");
        public static final Labels API = new Labels(
                "dealer_id",
                "email",
                "contact_email",
                "admin_email",
                "dealer_name",
                "username",
                "enabled",
                "provider",
                "%s.host",
                "protocols",
                "password: required for a new integration",
                ".");

        String host(String protocol) {
            return String.format(Locale.ROOT, hostFlag, protocol);
        }

        String field(String protocol, String part) {
            return protocol + fieldSeparator + part;
        }
    }

    private static final Pattern EMAIL =
            Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+");
    private static final Pattern SPACES = Pattern.compile("[\\s\\u00a0]");
    private static final Pattern DEALER_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** The CRM's own id: a safe path segment (never . or ..), at most 128 characters. */
    private static final Pattern EXTERNAL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@~-]{0,127}");

    /** A validated integration plus the warnings worth showing (a password that is probably the main one). */
    public record Valid(NewIntegration integration, Secret password, ProviderSpec provider, List<Warning> warnings) {}

    /**
     * Something the input allows but is probably a mistake; {@code code} is stable (the API's {@code warnings[].code}),
     * {@code message} is for people.
     */
    public record Warning(String code, String message) {
        /** The password does not match the provider's app-password format: probably the main account password. */
        public static final String NOT_AN_APP_PASSWORD = "not_an_app_password";
        /** The provider takes no password at all any more (OAuth only): checks will say BASIC_AUTH_DISABLED. */
        public static final String PROVIDER_TAKES_NO_PASSWORDS = "provider_takes_no_passwords";
        /** The provider takes no password over one of the protocols asked for. */
        public static final String PROTOCOL_TAKES_NO_PASSWORDS = "protocol_takes_no_passwords";
    }

    /** Validates with the command line's field names; a password is required. */
    public Valid validate(ProviderCatalog catalog, String rawPassword) {
        return validate(catalog, rawPassword, Labels.CLI, true);
    }

    /**
     * Validates every field; {@code rawPassword} may be null only when {@code passwordRequired} is false (an
     * update that keeps the stored password): then {@link Valid#password()} is null too.
     */
    public Valid validate(ProviderCatalog catalog, String rawPassword, Labels labels, boolean passwordRequired) {
        var dealer = required(labels.dealerId(), dealerId);
        if (!DEALER_ID.matcher(dealer).matches()) {
            throw new BadInputException(labels.dealerId() + " '" + printable(dealer)
                    + "' may hold only letters, digits and . _ : - (at most 64)");
        }
        var mailbox = email(labels.email(), required(labels.email(), email));
        var contact = blank(contactEmail) ? mailbox : email(labels.contactEmail(), contactEmail.trim());
        var admin = blank(adminEmail) ? null : email(labels.adminEmail(), adminEmail.trim());
        ProviderSpec spec;
        if (blank(provider)) {
            spec = catalog.guess(mailbox).orElseGet(() -> {
                if (blank(imapHost) && blank(smtpHost)) {
                    throw new BadInputException("cannot tell the provider of " + mailbox + " from its domain: give "
                            + labels.provider() + " (" + String.join(", ", catalog.ids()) + "), or the servers with "
                            + labels.host("imap") + "/" + labels.host("smtp"));
                }
                return catalog.get(ProviderCatalog.CUSTOM);
            });
        } else {
            try {
                spec = catalog.get(provider.trim());
            } catch (BadInputException e) {
                throw labels == Labels.API ? new BadInputException(labels.provider() + ": " + e.getMessage()) : e;
            }
        }
        var wanted = wantedProtocols(spec, labels);
        var imap = wanted.contains(Protocol.IMAP)
                ? endpoint(spec, Protocol.IMAP, mailbox, imapHost, imapPort, imapSecurity, labels)
                : null;
        var smtp = wanted.contains(Protocol.SMTP)
                ? endpoint(spec, Protocol.SMTP, mailbox, smtpHost, smtpPort, smtpSecurity, labels)
                : null;
        var user = blank(username) ? spec.usernameFor(mailbox) : username.trim();
        if (user.chars().anyMatch(Character::isISOControl)) {
            throw new BadInputException(labels.username() + " holds control characters");
        }
        if (user.length() > 254) {
            throw new BadInputException(labels.username() + " is longer than 254 characters");
        }
        boolean on = blank(enabled) || parseBoolean(labels.enabled(), enabled);
        if (rawPassword == null && !passwordRequired) {
            return new Valid(
                    new NewIntegration(
                            dealer,
                            blank(dealerName) ? null : clean(labels.dealerName(), dealerName),
                            contact,
                            mailbox,
                            spec.id(),
                            user,
                            imap,
                            smtp,
                            wanted,
                            on,
                            canary,
                            admin),
                    null,
                    spec,
                    List.of());
        }
        if (rawPassword == null) {
            throw new BadInputException(labels.noPassword());
        }
        var password = password(rawPassword);
        var warnings = passwordWarnings(spec, mailbox, wanted, password);
        return new Valid(
                new NewIntegration(
                        dealer,
                        blank(dealerName) ? null : clean(labels.dealerName(), dealerName),
                        contact,
                        mailbox,
                        spec.id(),
                        user,
                        imap,
                        smtp,
                        wanted,
                        on,
                        canary,
                        admin),
                password,
                spec,
                warnings);
    }

    /**
     * What is probably wrong with {@code password} for a {@code spec} mailbox checked over {@code wanted}: the one
     * list {@code add}, {@code import}, {@code set-password}, {@code PUT} and {@code POST /verify} give.
     */
    public static List<Warning> passwordWarnings(
            ProviderSpec spec, String mailbox, Set<Protocol> wanted, Secret password) {
        var warnings = new ArrayList<Warning>();
        // A provider that takes no password at all gets only the warning below: telling the operator to
        // create an app password there would send the dealer after something that cannot work.
        if (spec.acceptsNoPasswords()) {
            return List.of(new Warning(
                    Warning.PROVIDER_TAKES_NO_PASSWORDS,
                    spec.name() + " no longer accepts any password (app passwords included) for IMAP or SMTP: "
                            + "checks of " + mailbox + " will report BASIC_AUTH_DISABLED"));
        }
        var appPassword = spec.appPassword();
        if (appPassword != null && !appPassword.looksLikeAppPassword(password.reveal())) {
            warnings.add(new Warning(
                    Warning.NOT_AN_APP_PASSWORD,
                    "the password for " + mailbox + " does not look like a " + spec.name() + " app password ("
                            + appPassword.format() + "): it is probably the main account password, which "
                            + spec.name() + " refuses for mail apps; create an app password at "
                            + appPassword.url()));
        }
        // The catalog leaves a protocol out of a provider's default only when the provider takes no password on it.
        for (var p : wanted) {
            if (!spec.protocols().contains(p)) {
                var name = p.label().toUpperCase(Locale.ROOT);
                warnings.add(new Warning(
                        Warning.PROTOCOL_TAKES_NO_PASSWORDS,
                        spec.name() + " takes no password over " + name + " (app passwords included): the " + name
                                + " check of " + mailbox + " will report BASIC_AUTH_DISABLED; use --protocols "
                                + Protocols.label(spec.protocols())
                                + " (CSV: the protocols column) to verify only what can pass"));
            }
        }
        return List.copyOf(warnings);
    }

    /**
     * The protocols asked for; without {@code --protocols}, the provider's default ({@code smtp} alone for
     * Microsoft 365) plus any protocol whose server was given with its own options.
     */
    private Set<Protocol> wantedProtocols(ProviderSpec spec, Labels labels) {
        if (!blank(protocols)) {
            return parseProtocols(protocols, labels);
        }
        var wanted = EnumSet.copyOf(spec.protocols());
        if (!blank(imapHost) || !blank(imapPort) || !blank(imapSecurity)) {
            wanted.add(Protocol.IMAP);
        }
        if (!blank(smtpHost) || !blank(smtpPort) || !blank(smtpSecurity)) {
            wanted.add(Protocol.SMTP);
        }
        return wanted;
    }

    /** The external id, checked; null when blank. */
    public static String externalId(String raw) {
        if (blank(raw)) {
            return null;
        }
        var id = raw.trim();
        if (!EXTERNAL_ID.matcher(id).matches()) {
            throw new BadInputException(
                    "external id '" + printable(id) + "' must start with a letter or digit and hold only"
                            + " letters, digits and . _ : @ ~ - (at most 128)");
        }
        return id;
    }

    /** Strips the spaces providers show app passwords with; refuses an empty one. */
    public static Secret password(String raw) {
        if (raw == null) {
            throw new BadInputException("no password given (use --password-stdin or --password-file)");
        }
        var compact = SPACES.matcher(raw).replaceAll("");
        if (compact.isEmpty()) {
            throw new BadInputException("the password is empty");
        }
        if (compact.chars().anyMatch(Character::isISOControl)) {
            throw new BadInputException("the password holds control characters");
        }
        return Secret.of(compact);
    }

    private static Endpoint endpoint(
            ProviderSpec spec,
            Protocol protocol,
            String mailbox,
            String host,
            String port,
            String security,
            Labels labels) {
        var name = protocol.label();
        var preset = spec.endpointFor(protocol, mailbox).orElse(null);
        if (blank(host) && preset == null) {
            throw new BadInputException(
                    "no " + name.toUpperCase(Locale.ROOT) + " server known for provider " + spec.id() + ": give "
                            + labels.host(name) + " (or leave " + name + " out of " + labels.protocolsFlag() + ")");
        }
        var h = blank(host) ? preset.host() : host.trim();
        Security sec;
        try {
            sec = blank(security) ? (preset != null ? preset.security() : Security.SSL) : Security.parse(security);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(labels.field(name, "security") + ": " + e.getMessage());
        }
        int p;
        if (blank(port)) {
            p = preset != null && sec == preset.security() ? preset.port() : defaultPort(protocol, sec);
        } else {
            try {
                p = Integer.parseInt(port.trim());
            } catch (NumberFormatException e) {
                throw new BadInputException(labels.field(name, "port") + " '" + printable(port) + "' is not a number");
            }
        }
        Endpoint endpoint;
        try {
            endpoint = new Endpoint(h, p, sec);
        } catch (IllegalArgumentException e) {
            throw new BadInputException((labels == Labels.API
                            ? labels.field(name, "host") + "/" + labels.field(name, "port")
                            : name + " server")
                    + ": " + printable(e.getMessage()));
        }
        if (sec == Security.PLAIN && !endpoint.isLoopback()) {
            throw new BadInputException(
                    labels.field(name, "security") + " 'plain' would send the password unencrypted to "
                            + endpoint.host() + ": it is allowed only for a loopback host (use ssl or starttls)");
        }
        return endpoint;
    }

    static int defaultPort(Protocol protocol, Security security) {
        return switch (protocol) {
            case IMAP -> security == Security.SSL ? 993 : 143;
            case SMTP -> security == Security.SSL ? 465 : (security == Security.STARTTLS ? 587 : 25);
        };
    }

    private static Set<Protocol> parseProtocols(String text, Labels labels) {
        try {
            return Protocols.parse(text.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException(labels.protocolsFlag().replace("--", "") + ": " + printable(e.getMessage()));
        }
    }

    private static boolean parseBoolean(String field, String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "y" -> true;
            case "false", "no", "0", "n" -> false;
            default -> throw new BadInputException(field + " '" + printable(text) + "' is not true or false");
        };
    }

    private static String email(String field, String text) {
        var t = text.trim();
        if (!EMAIL.matcher(t).matches() || t.length() > 254) {
            throw new BadInputException(field + " '" + printable(t) + "' is not a valid email address");
        }
        return t;
    }

    private static String required(String field, String text) {
        if (blank(text)) {
            throw new BadInputException(field + " is missing");
        }
        return text.trim();
    }

    private static String clean(String field, String text) {
        var t = text.trim();
        if (t.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            throw new BadInputException(field + " holds a line break");
        }
        if (t.length() > 200) {
            throw new BadInputException(field + " is longer than 200 characters");
        }
        return t;
    }

    public static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Shows operator input in an error without letting control characters through. */
    public static String printable(String s) {
        var t = s.replaceAll("\\p{Cntrl}", "?");
        return t.length() > 80 ? t.substring(0, 77) + "..." : t;
    }
}
