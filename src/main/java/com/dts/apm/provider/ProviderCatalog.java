package com.dts.apm.provider;

import com.dts.apm.BadInputException;
import com.dts.apm.config.ConfigException;
import com.dts.apm.config.Yaml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * The known providers, read from {@code providers.yml}: the operator's file when configured, else the
 * copy built into the jar. Answers which provider serves a mail domain and what its servers are. The
 * providers keep the file's order ({@code custom} last unless the file lists it): when two claim one
 * mail domain, the guess is the one listed first.
 */
public final class ProviderCatalog {
    /** The provider for any other IMAP/SMTP host: no presets, generic rules only. */
    public static final String CUSTOM = "custom";

    private static final String BUILT_IN = "/builtin/providers.yml";

    private final Map<String, ProviderSpec> providers;

    private ProviderCatalog(LinkedHashMap<String, ProviderSpec> providers) {
        this.providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers)); // the file's order
    }

    /** The catalog shipped in the jar. */
    public static ProviderCatalog builtIn() {
        try (InputStream in = ProviderCatalog.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("the jar has no " + BUILT_IN);
            }
            return read(in, "built-in providers.yml");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in provider catalog", e);
        }
    }

    /** The catalog at {@code file}, or the built-in one when {@code file} is null. */
    public static ProviderCatalog load(Path file) {
        if (file == null) {
            return builtIn();
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    static ProviderCatalog read(InputStream in, String source) {
        var file = Yaml.read(in, CatalogFile.class, source);
        if (file.providers() == null || file.providers().isEmpty()) {
            throw new ConfigException(source + ": key providers: no providers listed");
        }
        var specs = new LinkedHashMap<String, ProviderSpec>();
        file.providers().forEach((id, e) -> {
            var key = "key providers." + id;
            try {
                specs.put(
                        id,
                        new ProviderSpec(
                                id,
                                e.name(),
                                e.domains(),
                                e.imap(),
                                e.smtp(),
                                e.username(),
                                appPassword(e.appPassword(), source, key + ".app-password"),
                                ProviderSpec.Policy.parse(e.policy()),
                                e.limits(),
                                e.variants(),
                                signatures(e.signatures(), source, key + ".signatures"),
                                e.protocols()));
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(source + ": " + key + ": " + ex.getMessage());
            }
        });
        specs.putIfAbsent(
                CUSTOM,
                new ProviderSpec(
                        CUSTOM, "Other mail host", List.of(), null, null, null, null, null, null, null, null, null));
        return new ProviderCatalog(specs);
    }

    private static ProviderSpec.AppPassword appPassword(AppPasswordEntry e, String source, String key) {
        if (e == null) {
            return null;
        }
        try {
            return new ProviderSpec.AppPassword(e.url(), e.helpUrl(), e.pattern(), e.format());
        } catch (PatternSyntaxException ex) {
            throw new ConfigException(source + ": " + key + ".pattern: " + notARegex(ex));
        }
    }

    private static List<Signature> signatures(List<SignatureEntry> entries, String source, String key) {
        if (entries == null) {
            return null;
        }
        var out = new ArrayList<Signature>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            var e = entries.get(i);
            var at = source + ": " + key + "[" + i + "]";
            if (e == null || e.match() == null || e.outcome() == null) {
                throw new ConfigException(at + ": a signature needs match and outcome");
            }
            try {
                out.add(new Signature(e.protocol(), e.match(), e.outcome(), e.note()));
            } catch (PatternSyntaxException ex) {
                throw new ConfigException(at + ".match: " + notARegex(ex));
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(at + ".match: " + ex.getMessage());
            }
        }
        return out;
    }

    private static String notARegex(PatternSyntaxException e) {
        return "not a valid regex (" + e.getDescription() + " near index " + e.getIndex() + ")";
    }

    /** The provider with this id; a clear bad-input error when there is none. */
    public ProviderSpec get(String id) {
        return find(id).orElseThrow(() ->
                new BadInputException("unknown provider '" + id + "' (known: " + String.join(", ", ids()) + ")"));
    }

    public Optional<ProviderSpec> find(String id) {
        return Optional.ofNullable(id == null ? null : providers.get(id.trim().toLowerCase(Locale.ROOT)));
    }

    /**
     * The provider whose mail domains include the domain of {@code email}, if any; when several do, the
     * one listed first in the catalog file.
     */
    public Optional<ProviderSpec> guess(String email) {
        var domain = ProviderSpec.domainOf(email);
        return providers.values().stream().filter(p -> p.servesDomain(domain)).findFirst();
    }

    public List<String> ids() {
        var ids = new ArrayList<>(providers.keySet());
        ids.sort(null);
        return ids;
    }

    /** Every provider, in the catalog file's order. */
    public Collection<ProviderSpec> all() {
        return providers.values();
    }

    record CatalogFile(LinkedHashMap<String, Entry> providers) {}

    record Entry(
            String name,
            List<String> domains,
            Endpoint imap,
            Endpoint smtp,
            ProviderSpec.UsernameForm username,
            AppPasswordEntry appPassword,
            String policy,
            ProviderSpec.Limits limits,
            List<ProviderSpec.Variant> variants,
            List<SignatureEntry> signatures,
            Set<Protocol> protocols) {}

    /** The file's form of {@link ProviderSpec.AppPassword}. */
    record AppPasswordEntry(String url, String helpUrl, String pattern, String format) {}

    /** The file's form of {@link Signature}. */
    record SignatureEntry(Protocol protocol, String match, Outcome outcome, String note) {}
}
