package com.dts.apm.notify;

import com.dts.apm.config.ConfigException;
import com.dts.apm.config.Yaml;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.ProviderCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dealer-facing sentences kept as data in {@code templates/steps.yml}: what happened for each
 * outcome, what it means for ops, and the numbered steps of each fix per provider (with
 * {@code custom} as the general version every procedure must have).
 */
final class Wording {
    static final String FILE = "steps.yml";

    /** The fixes a dealer can be asked to do. */
    enum Procedure {
        NEW_APP_PASSWORD("new-app-password"),
        SWITCH_ON_IMAP("switch-on-imap"),
        CONFIRM_ON_WEB("confirm-on-web"),
        SIGN_IN_WITH_PROVIDER("sign-in-with-provider");

        final String key;

        Procedure(String key) {
            this.key = key;
        }
    }

    /** One numbered step; {@code link} is {@code page}, {@code help}, {@code reconnect} or absent. */
    record Step(String text, String link) {
        static final Set<String> LINKS = Set.of("page", "help", "reconnect");

        Step {
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException("a step has no text");
            }
            if (link != null && !LINKS.contains(link)) {
                throw new IllegalArgumentException("link '" + link + "' is not one of page, help, reconnect");
            }
        }
    }

    record File(
            Map<String, List<String>> whatHappened,
            Map<Outcome, List<String>> opsMeaning,
            Map<String, Map<String, List<Step>>> procedures,
            Map<String, String> verifyHints) {}

    private static final List<Outcome> DEALER_OUTCOMES = Outcome.dealerFixable();

    private final File file;
    /** The built-in hints, then the override file's own, key by key. */
    private final Map<String, String> verifyHints;

    private Wording(File file, Map<String, String> verifyHints) {
        this.file = file;
        this.verifyHints = Map.copyOf(verifyHints);
    }

    static Wording load(TemplateSource source) {
        var where = source.describe(FILE);
        try (var in = source.open(FILE)) {
            if (in == null) {
                throw new IllegalStateException("the jar has no templates/" + FILE);
            }
            var file = Yaml.read(in, File.class, where);
            check(file, where);
            var hints = new java.util.HashMap<String, String>();
            try (var builtIn = Wording.class.getClassLoader().getResourceAsStream("templates/" + FILE)) {
                var defaults = Yaml.read(builtIn, File.class, "built-in templates/" + FILE)
                        .verifyHints();
                if (defaults == null
                        || !defaults.keySet()
                                .containsAll(EnumSet.allOf(Outcome.class).stream()
                                        .map(Outcome::name)
                                        .toList())) {
                    throw new IllegalStateException("the built-in " + FILE + " lacks a verify hint for some outcome");
                }
                hints.putAll(defaults);
            }
            if (file.verifyHints() != null) {
                hints.putAll(file.verifyHints());
            }
            return new Wording(file, hints);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void check(File f, String where) {
        if (f.whatHappened() == null
                || !f.whatHappened()
                        .keySet()
                        .containsAll(DEALER_OUTCOMES.stream().map(Outcome::name).toList())) {
            throw new ConfigException(where + ": key what-happened: needs an entry for each of " + DEALER_OUTCOMES);
        }
        if (f.opsMeaning() == null || !f.opsMeaning().keySet().containsAll(EnumSet.allOf(Outcome.class))) {
            throw new ConfigException(where + ": key ops-meaning: needs an entry for every outcome");
        }
        for (var p : Procedure.values()) {
            var byProvider = f.procedures() == null ? null : f.procedures().get(p.key);
            if (byProvider == null || byProvider.get(ProviderCatalog.CUSTOM) == null) {
                throw new ConfigException(where + ": key procedures." + p.key + ": needs at least a '"
                        + ProviderCatalog.CUSTOM + "' list of steps");
            }
        }
    }

    /** The provider's own wording for an outcome ({@code OUTCOME.provider}), else the general one. */
    List<String> whatHappened(Outcome outcome, String providerId) {
        var own = file.whatHappened().get(outcome.name() + "." + providerId);
        return own != null ? own : file.whatHappened().getOrDefault(outcome.name(), List.of());
    }

    /**
     * The verify hint for an outcome: the provider's own, else the general one; {@code mainPassword} first tries
     * the {@code .main-password} variant.
     */
    String verifyHint(Outcome outcome, String providerId, boolean mainPassword) {
        var base = outcome.name();
        if (mainPassword) {
            var own = verifyHints.get(base + ".main-password." + providerId);
            var general = verifyHints.get(base + ".main-password");
            if (own != null || general != null) {
                return own != null ? own : general;
            }
        }
        var own = verifyHints.get(base + "." + providerId);
        return own != null ? own : verifyHints.get(base);
    }

    List<String> opsMeaning(Outcome outcome) {
        return file.opsMeaning().getOrDefault(outcome, List.of());
    }

    /** The provider's own steps for a fix, else the general ones. */
    List<Step> steps(Procedure procedure, String providerId) {
        var byProvider = file.procedures().get(procedure.key);
        var own = byProvider.get(providerId);
        return own != null ? own : byProvider.get(ProviderCatalog.CUSTOM);
    }
}
