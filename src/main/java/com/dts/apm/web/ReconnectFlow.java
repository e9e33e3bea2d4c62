package com.dts.apm.web;

import com.dts.apm.api.Api;
import com.dts.apm.api.RateLimiter;
import com.dts.apm.config.Config;
import com.dts.apm.config.Secret;
import com.dts.apm.notify.AlertComposer;
import com.dts.apm.notify.AlertContext;
import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.store.Integration;
import com.dts.apm.store.IntegrationStore;
import com.dts.apm.store.NewIntegration;
import com.dts.apm.store.ReconnectLinks;
import com.dts.apm.store.ReconnectLinks.Status;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the reconnect page answers, free of HTTP: the form for a live link, a password checked live (IMAP and SMTP,
 * the code path of {@code POST /api/v1/verify}) and saved only when every login works, and a page saying what to do
 * instead for a link that no longer opens anything.
 */
final class ReconnectFlow {
    private static final Logger log = LoggerFactory.getLogger(ReconnectFlow.class);
    static final int MAX_PASSWORD = 1024;
    /** Quick tries per link: each is a real login, and failed logins count toward the provider's lock-out. */
    static final int PER_LINK = 5;

    static final Duration PER_LINK_WINDOW = Duration.ofMinutes(1);
    static final String REASON = "new password entered on the reconnect page";

    /** One answer: a status, the template and its values, extra headers. */
    record Page(int status, String template, Map<String, Object> view, Map<String, String> headers) {
        Page(int status, String template, Map<String, Object> view) {
            this(status, template, view, Map.of());
        }
    }

    private final ReconnectLinks links;
    private final IntegrationStore integrations;
    private final ProviderCatalog catalog;
    private final AlertComposer composer;
    private final Api.Checks checks;
    private final Config config;
    private final Csrf csrf;
    private final RateLimiter perLink;

    ReconnectFlow(
            ReconnectLinks links,
            IntegrationStore integrations,
            ProviderCatalog catalog,
            AlertComposer composer,
            Api.Checks checks,
            Config config,
            Clock clock) {
        this.links = links;
        this.integrations = integrations;
        this.catalog = catalog;
        this.composer = composer;
        this.checks = checks;
        this.config = config;
        this.csrf = new Csrf(clock);
        this.perLink = new RateLimiter(PER_LINK, PER_LINK_WINDOW, clock);
    }

    int maxAttempts() {
        return config.reconnect().maxAttempts();
    }

    /** {@code GET /reconnect/{token}}. */
    Page show(String token) {
        var link = links.find(token);
        if (link.isEmpty()) {
            return notFound();
        }
        var status = links.status(link.get(), maxAttempts());
        var i = integrations.find(link.get().integrationId());
        if (status != Status.LIVE || i.isEmpty()) {
            return gone(status);
        }
        return form(200, token, link.get(), i.get(), null);
    }

    /** {@code POST /reconnect/{token}} with the form's fields. */
    Page submit(String token, String csrfToken, String typed) throws InterruptedException {
        var found = links.find(token);
        if (found.isEmpty()) {
            return notFound();
        }
        var link = found.get();
        var status = links.status(link, maxAttempts());
        var current = integrations.find(link.integrationId());
        if (status != Status.LIVE || current.isEmpty()) {
            return gone(status);
        }
        var i = current.get();
        if (!csrf.take(csrfToken, link.id())) {
            return message(
                    403,
                    "This form has expired",
                    "For your safety the form can be sent only once, from the page the link in the email opened. Nothing was saved.",
                    "Open the link in the email again and enter the new password once more.");
        }
        var password = typed == null ? "" : typed.replaceAll("[\\s\\u00a0\\u2007\\u202f]", "");
        if (password.isEmpty() || password.length() > MAX_PASSWORD) {
            var p = form(400, token, link, i, null);
            p.view()
                    .put(
                            "inputError",
                            password.isEmpty()
                                    ? "Enter the new app password first."
                                    : "That is far longer than any app password. Copy just the password, then try again.");
            return p;
        }
        var wait = perLink.take(Long.toString(link.id()));
        if (wait.isPresent()) {
            return tooMany(wait.getAsLong());
        }
        if (!links.takeAttempt(link.id(), maxAttempts())) {
            return gone(links.status(link, maxAttempts()));
        }
        var spec = catalog.find(i.provider()).orElseGet(() -> catalog.get(ProviderCatalog.CUSTOM));
        var secret = Secret.of(password);
        var results = checks.verify(asNew(i), secret, com.dts.apm.store.SignIn.PASSWORD);
        if (!results.isEmpty() && results.stream().allMatch(r -> r.outcome().isOk())) {
            var logins = results.stream()
                    .map(r -> new ReconnectLinks.Login(
                            r.protocol().label(), r.outcome(), r.duration().toMillis(), r.detail()))
                    .toList();
            if (!links.save(link, secret, logins, config.schedule().interval(), REASON)) {
                return gone(links.status(link, Integer.MAX_VALUE));
            }
            log.info("integration {} ({}): new password saved from the reconnect page; HEALTHY", i.id(), i.email());
            var v = base();
            v.put("mailbox", i.email());
            v.put("provider", providerName(spec.id(), spec.name()));
            v.put("title", "Saved");
            return new Page(200, "reconnect-saved.html.mustache", v);
        }
        var looksLikeAppPassword =
                spec.appPassword() == null || spec.appPassword().looksLikeAppPassword(password);
        var hints = new LinkedHashSet<String>();
        var outcomes = new ArrayList<String>();
        for (var r : results) {
            if (!r.outcome().isOk()) {
                hints.add(composer.verifyHint(spec, r.protocol(), r.outcome(), looksLikeAppPassword));
                outcomes.add(r.protocol().label() + " " + r.outcome().name());
            }
        }
        var after = links.find(token).orElse(link);
        int left = Math.max(0, maxAttempts() - after.attempts());
        log.info(
                "integration {} ({}): reconnect page password refused ({}); {} tr{} left on this link",
                i.id(),
                i.email(),
                String.join(", ", outcomes),
                left,
                left == 1 ? "y" : "ies");
        var p = form(200, token, after, i, List.copyOf(hints));
        p.view()
                .put(
                        "triesLeft",
                        left == 0
                                ? "That was the last try this link allows."
                                : left == 1
                                        ? "You can try once more with this link."
                                        : "You can try " + left + " more times with this link.");
        if (left == 0) {
            p.view().remove("csrf");
            p.view().put("noMoreTries", true);
        }
        return p;
    }

    private static NewIntegration asNew(Integration i) {
        return new NewIntegration(
                i.dealerId(),
                i.dealerName(),
                i.contactEmail(),
                i.email(),
                i.provider(),
                i.username(),
                i.imap(),
                i.smtp(),
                i.protocols(),
                true,
                i.canary(),
                null);
    }

    private Page form(int status, String token, ReconnectLinks.Link link, Integration i, List<String> hints) {
        var spec = catalog.find(i.provider()).orElseGet(() -> catalog.get(ProviderCatalog.CUSTOM));
        var here = pageUrl(token);
        var alerts = config.alerts();
        var context = new AlertContext(
                alerts.productName(),
                i.dealerName(),
                i.email(),
                spec,
                link.outcome(),
                AlertKind.FAILURE,
                i.id(),
                here,
                alerts.supportContact(),
                i.problemSince(),
                0,
                null);
        var v = new LinkedHashMap<>(composer.pageView(context));
        v.putAll(base());
        @SuppressWarnings("unchecked")
        var steps = (List<Map<String, Object>>) v.get("steps");
        if (steps != null) {
            for (var s : steps) {
                if (here.equals(s.get("link"))) { // "enter it in the settings": that is this page
                    s.remove("link");
                    s.remove("href");
                    s.put("here", true);
                }
            }
        }
        var ap = spec.appPassword();
        if (ap != null && ap.url() != null && ap.url().toLowerCase(Locale.ROOT).startsWith("https://")) {
            v.put("providerPage", ap.url());
        }
        v.put("title", "Reconnect " + i.email());
        v.put("action", "/reconnect/" + token);
        v.put("csrf", csrf.issue(link.id()));
        if (hints != null) {
            v.put("failed", true);
            v.put("hints", hints);
        }
        return new Page(status, "reconnect.html.mustache", v);
    }

    private String pageUrl(String token) {
        var base =
                config.api().publicUrl() == null ? "" : config.api().publicUrl().replaceAll("/+$", "");
        return base + "/reconnect/" + token;
    }

    private static String providerName(String id, String name) {
        return id.equals(ProviderCatalog.CUSTOM) ? "your email provider" : name;
    }

    private Map<String, Object> base() {
        var a = config.alerts();
        var v = new LinkedHashMap<String, Object>();
        v.put("product", a.productName());
        v.put("support", a.supportContact());
        var s = a.supportContact() == null ? "" : a.supportContact();
        if (s.matches("[^\\s@<>\"]+@[^\\s@<>\"]+")) {
            v.put("supportHref", "mailto:" + s);
        } else if (s.toLowerCase(Locale.ROOT).startsWith("https://")) {
            v.put("supportHref", s);
        }
        v.put("hasSupport", !s.isBlank());
        return v;
    }

    Page notFound() {
        return message(
                404,
                "This link does not work",
                "The link may have been cut short when it was copied, or it was never a link from us.",
                "Open the newest email from " + config.alerts().productName()
                        + " about your mailbox and tap the button in it,"
                        + " or copy the whole link into the browser.");
    }

    Page tooMany(long seconds) {
        long minutes = Math.max(1, (seconds + 59) / 60);
        var p = message(
                429,
                "Too many tries in a short time",
                "To keep your email provider from locking the mailbox, this page takes only a few tries at a time. Nothing was saved.",
                "Wait " + (minutes == 1 ? "a minute" : minutes + " minutes")
                        + ", then open the link from the email again.");
        return new Page(429, p.template(), p.view(), Map.of("Retry-After", Long.toString(seconds)));
    }

    Page unreadable(int status) {
        return message(
                status,
                "The form could not be read",
                "Nothing was saved.",
                "Open the link in the email again and enter the new password once more.");
    }

    private Page gone(Status status) {
        var product = config.alerts().productName();
        return switch (status) {
            case USED ->
                message(
                        410,
                        "This link has been used",
                        "A new password was already saved with it, and mail for this mailbox flows again.",
                        "There is nothing more to do. If the mailbox stops working again, " + product
                                + " emails you a new link.");
            case EXPIRED ->
                message(
                        410,
                        "This link has expired",
                        "For your safety the links in our emails work only for "
                                + days(config.reconnect().linkTtl()) + ".",
                        "Open the newest email from " + product
                                + " about this mailbox and use its link, or enter the new app"
                                + " password in the email settings of " + product + ".");
            case SUPERSEDED ->
                message(
                        410,
                        "There is a newer email about this mailbox",
                        "This link belongs to an older email, so it no longer opens the form.",
                        "Use the link in the newest email from " + product + " about this mailbox.");
            case EXHAUSTED ->
                message(
                        410,
                        "This link has been tried too many times",
                        "To keep your email provider from locking the mailbox, a link checks only " + maxAttempts()
                                + " passwords. Nothing was saved.",
                        "Use the link in the next reminder email from " + product
                                + ", or enter the new app password in the email" + " settings of " + product + ".");
            case NOT_CHECKED ->
                message(
                        410,
                        "This mailbox is no longer checked",
                        "Checking was switched off for it in " + product
                                + " after the email was sent, so this link no longer opens the form.",
                        "If the mailbox should still be connected, enter the new app password in the email settings of "
                                + product + ", or contact support.");
            case FIXED, LIVE ->
                message(
                        410,
                        "This mailbox is working again",
                        "It was fixed another way since the email was sent, so this link is no longer needed.",
                        "There is nothing to do. If the mailbox stops working again, " + product
                                + " emails you a new link.");
        };
    }

    private static String days(Duration d) {
        long days = d.toDays();
        return days >= 1 ? (days == 1 ? "1 day" : days + " days") : d.toHours() + " hours";
    }

    private Page message(int status, String heading, String what, String todo) {
        var v = base();
        v.put("title", heading);
        v.put("heading", heading);
        v.put("what", what);
        v.put("todo", todo);
        return new Page(status, "reconnect-message.html.mustache", v);
    }

    Optional<ReconnectLinks.Link> find(String token) {
        return links.find(token);
    }
}
