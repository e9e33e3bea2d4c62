package com.dts.apm.cli;

import com.dts.apm.BadInputException;
import com.dts.apm.config.Secret;
import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.provider.ProviderSpec;
import com.dts.apm.provider.Security;
import com.dts.apm.store.NewIntegration;
import com.dts.apm.store.Protocols;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The raw fields of one integration, as typed on the command line or read from a CSV row, and their
 * validation into a {@link NewIntegration}. Shared by {@code add} and {@code import} so both accept
 * and refuse exactly the same things.
 */
record IntegrationInput(
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
        String adminEmail) {

    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+");
    private static final Pattern SPACES = Pattern.compile("[\\s\\u00a0]");
    private static final Pattern DEALER_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** A validated integration plus the warnings worth showing (a password that is probably the main one). */
    record Valid(NewIntegration integration, Secret password, ProviderSpec provider, List<String> warnings) {}

    Valid validate(ProviderCatalog catalog, String rawPassword) {
        var dealer = required("dealer id", dealerId);
        if (!DEALER_ID.matcher(dealer).matches()) {
            throw new BadInputException("dealer id '" + printable(dealer) + "' may hold only letters, digits and . _ : - (at most 64)");
        }
        var mailbox = email("email", required("email", email));
        var contact = blank(contactEmail) ? mailbox : email("contact email", contactEmail.trim());
        var admin = blank(adminEmail) ? null : email("admin email", adminEmail.trim());
        ProviderSpec spec;
        if (blank(provider)) {
            spec = catalog.guess(mailbox).orElseGet(() -> {
                if (blank(imapHost) && blank(smtpHost)) {
                    throw new BadInputException("cannot tell the provider of " + mailbox + " from its domain: give --provider ("
                            + String.join(", ", catalog.ids()) + "), or the servers with --imap-host/--smtp-host");
                }
                return catalog.get(ProviderCatalog.CUSTOM);
            });
        } else {
            spec = catalog.get(provider.trim());
        }
        var wanted = wantedProtocols(spec);
        var imap = wanted.contains(Protocol.IMAP) ? endpoint(spec, Protocol.IMAP, mailbox, imapHost, imapPort, imapSecurity) : null;
        var smtp = wanted.contains(Protocol.SMTP) ? endpoint(spec, Protocol.SMTP, mailbox, smtpHost, smtpPort, smtpSecurity) : null;
        var user = blank(username) ? spec.usernameFor(mailbox) : username.trim();
        if (user.chars().anyMatch(Character::isISOControl)) {
            throw new BadInputException("username holds control characters");
        }
        boolean on = blank(enabled) || parseBoolean("enabled", enabled);
        var password = password(rawPassword);
        var warnings = new ArrayList<String>();
        // A provider that takes no password at all gets only the warning below: telling the operator to
        // create an app password there would send the dealer after something that cannot work.
        if (!spec.acceptsNoPasswords() && !spec.appPassword().looksLikeAppPassword(password.reveal())) {
            warnings.add("the password for " + mailbox + " does not look like a " + spec.name() + " app password ("
                    + spec.appPassword().format() + "): it is probably the main account password, which "
                    + spec.name() + " refuses for mail apps; create an app password at " + spec.appPassword().url());
        }
        if (spec.acceptsNoPasswords()) {
            warnings.add(spec.name() + " no longer accepts any password (app passwords included) for IMAP or SMTP: "
                    + "checks of " + mailbox + " will report BASIC_AUTH_DISABLED");
        }
        // The catalog leaves a protocol out of a provider's default only when the provider takes no password on it.
        for (var p : wanted) {
            if (!spec.protocols().contains(p) && !spec.acceptsNoPasswords()) {
                var name = p.label().toUpperCase(Locale.ROOT);
                warnings.add(spec.name() + " takes no password over " + name + " (app passwords included): the " + name
                        + " check of " + mailbox + " will report BASIC_AUTH_DISABLED; use --protocols "
                        + Protocols.label(spec.protocols()) + " (CSV: the protocols column) to verify only what can pass");
            }
        }
        return new Valid(new NewIntegration(dealer, blank(dealerName) ? null : clean("dealer name", dealerName),
                contact, mailbox, spec.id(), user, imap, smtp, wanted, on, canary, admin), password, spec, warnings);
    }

    /**
     * The protocols asked for; without {@code --protocols}, the provider's default ({@code smtp} alone for
     * Microsoft 365) plus any protocol whose server was given with its own options.
     */
    private Set<Protocol> wantedProtocols(ProviderSpec spec) {
        if (!blank(protocols)) {
            return parseProtocols(protocols);
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

    /** Strips the spaces providers show app passwords with; refuses an empty one. */
    static Secret password(String raw) {
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

    private static Endpoint endpoint(ProviderSpec spec, Protocol protocol, String mailbox, String host, String port, String security) {
        var name = protocol.label();
        var preset = spec.endpointFor(protocol, mailbox).orElse(null);
        if (blank(host) && preset == null) {
            throw new BadInputException("no " + name.toUpperCase(Locale.ROOT) + " server known for provider " + spec.id()
                    + ": give --" + name + "-host (or leave " + name + " out of --protocols)");
        }
        var h = blank(host) ? preset.host() : host.trim();
        Security sec;
        try {
            sec = blank(security) ? (preset != null ? preset.security() : Security.SSL) : Security.parse(security);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(name + " security: " + e.getMessage());
        }
        int p;
        if (blank(port)) {
            p = preset != null && sec == preset.security() ? preset.port() : defaultPort(protocol, sec);
        } else {
            try {
                p = Integer.parseInt(port.trim());
            } catch (NumberFormatException e) {
                throw new BadInputException(name + " port '" + printable(port) + "' is not a number");
            }
        }
        Endpoint endpoint;
        try {
            endpoint = new Endpoint(h, p, sec);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(name + " server: " + e.getMessage());
        }
        if (sec == Security.PLAIN && !endpoint.isLoopback()) {
            throw new BadInputException(name + " security 'plain' would send the password unencrypted to " + endpoint.host()
                    + ": it is allowed only for a loopback host (use ssl or starttls)");
        }
        return endpoint;
    }

    static int defaultPort(Protocol protocol, Security security) {
        return switch (protocol) {
            case IMAP -> security == Security.SSL ? 993 : 143;
            case SMTP -> security == Security.SSL ? 465 : (security == Security.STARTTLS ? 587 : 25);
        };
    }

    private static Set<Protocol> parseProtocols(String text) {
        try {
            return Protocols.parse(text.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("protocols: " + e.getMessage());
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

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Shows operator input in an error without letting control characters through. */
    static String printable(String s) {
        var t = s.replaceAll("\\p{Cntrl}", "?");
        return t.length() > 80 ? t.substring(0, 77) + "..." : t;
    }
}
