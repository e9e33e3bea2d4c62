package com.dts.apm.provider;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything the monitor knows about one provider: where its servers are, how a mailbox logs in,
 * where the dealer makes a new app password, and how its servers word each failure.
 *
 * @param policy how to read an ambiguous auth failure (see {@link Policy}); null means {@code NORMAL}
 * @param protocols what an integration verifies when the operator does not choose: both, unless the
 *     catalog leaves out a protocol the provider takes no password on (Microsoft 365's IMAP)
 */
public record ProviderSpec(
        String id,
        String name,
        List<String> domains,
        Endpoint imap,
        Endpoint smtp,
        UsernameForm username,
        AppPassword appPassword,
        Policy policy,
        Limits limits,
        List<Variant> variants,
        List<Signature> signatures,
        Set<Protocol> protocols) {

    /** Which login name a provider expects. */
    public enum UsernameForm {
        EMAIL,
        LOCAL_PART
    }

    /**
     * Where and how a dealer creates an app password, and what one looks like ({@code pattern}, a regex
     * compiled once, when the catalog is read; a bad one fails the load).
     */
    public static final class AppPassword {
        private final String url;
        private final String helpUrl;
        private final String pattern;
        private final String format;
        private final Pattern compiled; // null: no shape to check

        public AppPassword(String url, String helpUrl, String pattern, String format) {
            this.url = url;
            this.helpUrl = helpUrl;
            this.pattern = pattern;
            this.format = format;
            this.compiled = pattern == null ? null : Pattern.compile(pattern);
        }

        public String url() {
            return url;
        }

        public String helpUrl() {
            return helpUrl;
        }

        public String pattern() {
            return pattern;
        }

        public String format() {
            return format;
        }

        /** True when the (space-free) password could be an app password of this provider. */
        public boolean looksLikeAppPassword(String password) {
            return compiled == null || compiled.matcher(password).matches();
        }

        @Override
        public String toString() {
            return "AppPassword[url=" + url + ", helpUrl=" + helpUrl + ", pattern=" + pattern + ", format=" + format
                    + "]";
        }
    }

    /**
     * How to read an ambiguous auth failure, the catalog's {@code policy:} key. Parsed once, when the
     * catalog is read.
     */
    public enum Policy {
        /** The provider's replies and the generic rules decide. */
        NORMAL("normal"),
        /** Any rejection means a new app password is needed (iCloud, Yahoo, AOL). */
        APP_PASSWORD_ONLY("app-password-only"),
        /** The provider takes no password at all any more: every rejection is {@code BASIC_AUTH_DISABLED}. */
        NO_PASSWORDS("no-passwords");

        private final String label;

        Policy(String label) {
            this.label = label;
        }

        /** The name in {@code providers.yml}. */
        public String label() {
            return label;
        }

        /** The policy named {@code text} in the catalog; null means {@link #NORMAL}. */
        public static Policy parse(String text) {
            if (text == null) {
                return NORMAL;
            }
            for (var p : values()) {
                if (p.label.equals(text.trim())) {
                    return p;
                }
            }
            throw new IllegalArgumentException("policy '" + text + "' is not one of " + labels());
        }

        static String labels() {
            return String.join(
                    ", ", java.util.Arrays.stream(values()).map(Policy::label).toList());
        }
    }

    /** Per-provider pacing; null fields fall back to the global schedule settings. */
    public record Limits(Integer maxConcurrent, Double loginsPerSecond, Duration interval) {
        public static final Limits NONE = new Limits(null, null, null);
    }

    /** Other servers for some of the provider's domains (Zoho's regional data centres). */
    public record Variant(String name, List<String> domains, Endpoint imap, Endpoint smtp) {
        public Variant {
            domains = List.copyOf(domains);
        }
    }

    public ProviderSpec {
        Objects.requireNonNull(id, "id");
        name = name == null ? id : name;
        domains = domains == null ? List.of() : List.copyOf(domains);
        username = username == null ? UsernameForm.EMAIL : username;
        appPassword = appPassword == null ? new AppPassword(null, null, null, null) : appPassword;
        policy = policy == null ? Policy.NORMAL : policy;
        limits = limits == null ? Limits.NONE : limits;
        variants = variants == null ? List.of() : List.copyOf(variants);
        signatures = signatures == null ? List.of() : List.copyOf(signatures);
        if (protocols != null && protocols.isEmpty()) {
            throw new IllegalArgumentException("protocols is empty (leave it out to verify imap and smtp)");
        }
        protocols = protocols == null ? Set.copyOf(EnumSet.allOf(Protocol.class)) : Set.copyOf(protocols);
    }

    public boolean appPasswordOnly() {
        return policy == Policy.APP_PASSWORD_ONLY;
    }

    public boolean acceptsNoPasswords() {
        return policy == Policy.NO_PASSWORDS;
    }

    /**
     * The one home of the rule "a provider that takes no passwords at all has not rejected this password, it has
     * switched passwords off": a rejected login, or one that asks for an app password, is {@code BASIC_AUTH_DISABLED}
     * there. The classifier applies it; everything after it trusts the outcome.
     */
    public Outcome applyPolicy(Outcome outcome) {
        if (acceptsNoPasswords() && (outcome == Outcome.AUTH_REJECTED || outcome == Outcome.APP_PASSWORD_REQUIRED)) {
            return Outcome.BASIC_AUTH_DISABLED;
        }
        return outcome;
    }

    /** True when this provider serves the mail domain of {@code email}. */
    public boolean servesDomain(String domain) {
        return domains.stream().anyMatch(d -> !d.startsWith("!") && domainMatches(d, domain))
                && domains.stream().noneMatch(d -> d.startsWith("!") && domainMatches(d.substring(1), domain));
    }

    /** The servers for a mailbox: a regional variant when its domain has one, else the defaults. */
    public Optional<Endpoint> endpointFor(Protocol protocol, String email) {
        var domain = domainOf(email);
        for (var v : variants) {
            if (v.domains().stream().anyMatch(d -> domainMatches(d, domain))) {
                return Optional.ofNullable(protocol == Protocol.IMAP ? v.imap() : v.smtp());
            }
        }
        return Optional.ofNullable(protocol == Protocol.IMAP ? imap : smtp);
    }

    /** The login name this provider expects for a mailbox. */
    public String usernameFor(String email) {
        return username == UsernameForm.LOCAL_PART ? email.substring(0, email.indexOf('@')) : email;
    }

    static String domainOf(String email) {
        return email.substring(email.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    /**
     * {@code yahoo.*} matches yahoo.com and yahoo.co.uk; {@code *.onmicrosoft.com} matches every
     * subdomain of onmicrosoft.com (contoso.onmicrosoft.com), not onmicrosoft.com itself; other patterns
     * match exactly. In a provider's domains, {@code !pattern} leaves a domain out ({@code !yahoo.co.jp}:
     * Yahoo Japan is another company).
     */
    static boolean domainMatches(String pattern, String domain) {
        var p = pattern.toLowerCase(Locale.ROOT);
        if (p.startsWith("*.")) {
            var suffix = p.substring(1);
            return domain.endsWith(suffix) && domain.length() > suffix.length();
        }
        if (p.endsWith(".*")) {
            var stem = p.substring(0, p.length() - 1);
            return domain.startsWith(stem) && domain.length() > stem.length();
        }
        return p.equals(domain);
    }
}
