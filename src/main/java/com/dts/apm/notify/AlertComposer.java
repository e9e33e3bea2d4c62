package com.dts.apm.notify;

import com.dts.apm.config.Config;
import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.provider.ProviderSpec;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders an {@link AlertContext} into a {@link ComposedEmail} with the Mustache templates under
 * {@code templates/} (a file of the same name in the override folder wins) and the steps in
 * {@code templates/steps.yml}. Templates are compiled once; instances are immutable and thread-safe.
 */
public final class AlertComposer {
    static final int SUBJECT_MAX = 160;
    static final int DEALER_MAX = 120;
    static final int DEALER_IN_SUBJECT_MAX = 40;
    static final int DETAIL_MAX = 1000;

    private final MustacheFactory html;
    private final MustacheFactory text;
    private final Wording wording;
    private final Clock clock;

    /**
     * @param overrideDir folder whose files replace built-in templates of the same name; null for none
     * @param clock gives "now" for how long a failure has lasted
     */
    public AlertComposer(Path overrideDir, Clock clock) {
        var source = new TemplateSource(overrideDir);
        this.html = new DefaultMustacheFactory(source);
        this.text = new PlainTextFactory(source);
        this.wording = Wording.load(source);
        this.clock = clock;
        for (var kind : AlertKind.values()) { // fail at start on a broken override, not at the first alert
            if (!kind.templated()) {
                continue;
            }
            html.compile(kind.label() + ".html.mustache");
            text.compile(kind.label() + ".text.mustache");
        }
        text.compile("subject.mustache");
    }

    /**
     * The sentence {@code POST /api/v1/verify} shows the dealer for one protocol's outcome, from
     * {@code verify-hints} in steps.yml. {@code looksLikeAppPassword} false picks the "that is your main password"
     * wording for a rejected password.
     */
    public String verifyHint(ProviderSpec provider, Protocol protocol, Outcome outcome, boolean looksLikeAppPassword) {
        var text =
                wording.verifyHint(outcome, provider.id(), outcome == Outcome.AUTH_REJECTED && !looksLikeAppPassword);
        var format = provider.appPassword() == null || provider.appPassword().format() == null
                ? "a long password of letters and digits"
                : provider.appPassword().format();
        var filled = HINT_PLACEHOLDER
                .matcher(text)
                .replaceAll(m -> Matcher.quoteReplacement(
                        switch (m.group(1)) {
                            case "provider" -> providerName(provider);
                            case "format" -> format;
                            default -> protocol.label().toUpperCase(Locale.ROOT);
                        }));
        // as in the emails: only "your email provider" needs a capital at a sentence's start, a brand keeps its
        // spelling
        return text.startsWith("{provider}") && isCustom(provider) && !filled.isEmpty()
                ? Character.toUpperCase(filled.charAt(0)) + filled.substring(1)
                : filled;
    }

    private static final Pattern HINT_PLACEHOLDER = Pattern.compile("\\{(provider|format|protocol)}");

    /** A composer using {@code alerts.templates-dir}. */
    public static AlertComposer from(Config.Alerts alerts, Clock clock) {
        return new AlertComposer(alerts.templatesDir(), clock);
    }

    /**
     * Renders one alert. Failure and reminder emails need an outcome the dealer can fix (or
     * {@code BASIC_AUTH_DISABLED}, sent to dealers only when so configured).
     *
     * @throws IllegalArgumentException for a dealer failure or reminder about an outcome no dealer can fix
     */
    public ComposedEmail compose(AlertContext alert) {
        var view = view(alert);
        var kind = alert.kind().label();
        var subject = DisplayText.oneLine(render(text, "subject.mustache", view), SUBJECT_MAX);
        view.put("subject", subject);
        var textBody = tidy(render(text, kind + ".text.mustache", view));
        var htmlBody = render(html, kind + ".html.mustache", view);
        return new ComposedEmail(subject, textBody, htmlBody);
    }

    /**
     * The values a failure email of {@code alert} is rendered from (product, mailbox, provider, what happened, the
     * numbered steps of the fix): the hosted reconnect page shows the same steps from the same {@code steps.yml}.
     */
    public Map<String, Object> pageView(AlertContext alert) {
        return view(alert);
    }

    /**
     * Renders the page template {@code name} with HTML escaping, found like the email templates (a file of that name
     * in {@code alerts.templates-dir} wins).
     */
    public String renderPage(String name, Map<String, Object> view) {
        return render(html, name, view);
    }

    /** Which fix a dealer is asked for. */
    static Wording.Procedure procedure(Outcome outcome) {
        return switch (outcome) {
            case BASIC_AUTH_DISABLED, TOKEN_REVOKED -> Wording.Procedure.SIGN_IN_WITH_PROVIDER;
            case AUTH_REJECTED, APP_PASSWORD_REQUIRED -> Wording.Procedure.NEW_APP_PASSWORD;
            case PROTOCOL_DISABLED -> Wording.Procedure.SWITCH_ON_IMAP;
            case ACCOUNT_LOCKED -> Wording.Procedure.CONFIRM_ON_WEB;
            default ->
                throw new IllegalArgumentException(
                        "outcome " + outcome + " is not something a dealer can fix (who: " + outcome.who() + ")");
        };
    }

    private Map<String, Object> view(AlertContext a) {
        var p = a.provider();
        var dealer = DisplayText.oneLine(a.dealerName(), DEALER_MAX);
        var v = new LinkedHashMap<String, Object>();
        v.put(a.kind().label(), true);
        v.put("product", DisplayText.oneLine(a.productName(), 80));
        v.put("dealer", dealer);
        v.put("dealerShort", DisplayText.oneLine(a.dealerName(), DEALER_IN_SUBJECT_MAX));
        v.put("hasDealer", !dealer.isEmpty());
        v.put("mailbox", DisplayText.oneLine(a.mailbox(), 254));
        v.put("provider", providerName(p));
        v.put("mailboxKind", isCustom(p) ? "mailbox" : providerName(p) + " mailbox");
        v.put("providerId", p.id());
        v.put("outcome", a.outcome().name());
        v.put("support", DisplayText.oneLine(a.supportContact(), 200));
        v.put("supportHref", supportHref(a.supportContact()));
        v.put("reconnect", a.reconnectLink());
        v.put("reconnectHref", safeHref(a.reconnectLink()));
        if (a.failingSince() != null) {
            v.put("since", DisplayText.when(a.failingSince()));
            v.put("brokenFor", span(Duration.between(a.failingSince(), clock.instant())));
        }
        if (a.reminderNumber() > 0) {
            v.put("reminderNumber", a.reminderNumber());
        }
        switch (a.kind()) {
            case FAILURE, REMINDER -> {
                var fix = procedure(a.outcome());
                v.put("whatHappened", fill(wording.whatHappened(a.outcome(), p.id()), a));
                v.put("steps", steps(wording.steps(fix, p.id()), a));
            }
            case RECOVERY -> {}
            case OPS -> {
                v.put("opsMeaning", fill(wording.opsMeaning(a.outcome()), a));
                v.put("who", a.outcome().who().name().toLowerCase(Locale.ROOT));
                if (a.detail() != null && !a.detail().isBlank()) {
                    v.put("detail", DisplayText.oneLine(a.detail(), DETAIL_MAX));
                }
            }
        }
        return v;
    }

    private List<Map<String, Object>> steps(List<Wording.Step> steps, AlertContext a) {
        var out = new ArrayList<Map<String, Object>>();
        for (var s : steps) {
            var m = new LinkedHashMap<String, Object>();
            m.put("number", out.size() + 1);
            m.put("text", fill(s.text(), a));
            var link = link(s.link(), a);
            if (link != null) {
                m.put("link", link);
                m.put("href", safeHref(link));
            }
            out.add(m);
        }
        return out;
    }

    private static String link(String kind, AlertContext a) {
        if (kind == null) {
            return null;
        }
        var ap = a.provider().appPassword();
        return switch (kind) {
            case "page" -> ap.url();
            case "help" -> ap.helpUrl();
            case "reconnect" -> a.reconnectLink();
            default -> null;
        };
    }

    private static List<String> fill(List<String> texts, AlertContext a) {
        return texts.stream().map(t -> fill(t, a)).toList();
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(product|provider|mailbox|format)}");

    /** Fills the placeholders in one pass: a value that contains "{format}" (a mailbox, say) stays as it is. */
    private static String fill(String text, AlertContext a) {
        var filled = PLACEHOLDER.matcher(text).replaceAll(m -> Matcher.quoteReplacement(value(m.group(1), a)));
        // Only the generic "your email provider" needs a capital at the start of a sentence; a brand keeps
        // its own spelling ("iCloud Mail", not "ICloud Mail"), and so does the product name.
        if (text.startsWith("{provider}") && isCustom(a.provider()) && !filled.isEmpty()) {
            return Character.toUpperCase(filled.charAt(0)) + filled.substring(1);
        }
        return filled;
    }

    private static String value(String placeholder, AlertContext a) {
        return switch (placeholder) {
            case "product" -> DisplayText.oneLine(a.productName(), 80);
            case "provider" -> providerName(a.provider());
            case "mailbox" -> DisplayText.oneLine(a.mailbox(), 254);
            default -> {
                var format = a.provider().appPassword().format();
                yield format == null ? "a long password of letters and digits" : format;
            }
        };
    }

    private static boolean isCustom(ProviderSpec p) {
        return p.id().equals(ProviderCatalog.CUSTOM);
    }

    /** A custom host has no brand the dealer would know, so the mail says "your email provider". */
    private static String providerName(ProviderSpec p) {
        return isCustom(p) ? "your email provider" : DisplayText.oneLine(p.name(), 80);
    }

    /** Only http(s) links become clickable; anything else would let a config value run script. */
    private static String safeHref(String url) {
        var lower = url == null ? "" : url.toLowerCase(Locale.ROOT);
        return lower.startsWith("https://") || lower.startsWith("http://") ? url : null;
    }

    private static String supportHref(String contact) {
        if (contact == null || contact.isBlank()) {
            return null;
        }
        if (contact.matches("[^\\s@<>\"]+@[^\\s@<>\"]+")) {
            return "mailto:" + contact;
        }
        return safeHref(contact);
    }

    static String span(Duration d) {
        if (d.isNegative() || d.toHours() < 1) {
            return "less than an hour";
        }
        if (d.toHours() < 48) {
            return d.toHours() == 1 ? "1 hour" : d.toHours() + " hours";
        }
        return d.toDays() + " days";
    }

    private static String render(MustacheFactory factory, String name, Map<String, Object> view) {
        Mustache m = factory.compile(name);
        var out = new StringWriter();
        m.execute(out, view);
        return out.toString();
    }

    /** Trailing spaces off, at most one blank line in a row, one final newline. */
    static String tidy(String text) {
        var lines =
                text.replace("\r\n", "\n").lines().map(String::stripTrailing).toList();
        var sb = new StringBuilder();
        int blank = 0;
        for (var line : lines) {
            if (line.isEmpty()) {
                if (++blank > 1 || sb.length() == 0) {
                    continue;
                }
            } else {
                blank = 0;
            }
            sb.append(line).append('\n');
        }
        return sb.toString().strip() + "\n";
    }

    /** Mustache without HTML escaping, for the subject and the text part. */
    private static final class PlainTextFactory extends DefaultMustacheFactory {
        PlainTextFactory(TemplateSource source) {
            super(source);
        }

        @Override
        public void encode(String value, Writer writer) {
            try {
                writer.write(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
