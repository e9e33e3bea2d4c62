package com.dts.apm.notify;

import com.github.mustachejava.MustacheResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Finds a template file by name: in the override folder ({@code alerts.templates-dir}) when a file of
 * that name is there, else in the jar under {@code templates/}.
 */
final class TemplateSource implements MustacheResolver {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final Path overrideDir;

    TemplateSource(Path overrideDir) {
        this.overrideDir = overrideDir;
    }

    @Override
    public Reader getReader(String name) {
        var in = open(name);
        return in == null ? null : new InputStreamReader(in, StandardCharsets.UTF_8);
    }

    /** The named file's bytes, or null when neither place has it. */
    InputStream open(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("bad template name '" + name + "'");
        }
        try {
            if (overrideDir != null) {
                var file = overrideDir.resolve(name);
                if (Files.isRegularFile(file)) {
                    return Files.newInputStream(file);
                }
            }
            return TemplateSource.class.getClassLoader().getResourceAsStream("templates/" + name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read template " + name, e);
        }
    }

    /** Where a name is read from, for messages. */
    String describe(String name) {
        if (overrideDir != null && Files.isRegularFile(overrideDir.resolve(name))) {
            return overrideDir.resolve(name).toString();
        }
        return "built-in templates/" + name;
    }
}
