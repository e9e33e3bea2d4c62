package com.dts.apm.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds and reads the configuration: {@code --config FILE}, else {@code $APM_CONFIG}, else the embedded defaults. */
public final class ConfigLoader {
    private ConfigLoader() {}

    /** Loads {@code file}, or the file named by {@code envValue}, or the defaults when both are null. */
    public static Config load(Path file, String envValue) {
        Path chosen = file != null ? file : (envValue == null || envValue.isBlank() ? null : Path.of(envValue));
        if (chosen == null) {
            return Config.defaults().validate("embedded defaults");
        }
        if (!Files.isRegularFile(chosen)) {
            throw new ConfigException(chosen + ": config file does not exist");
        }
        try (var in = Files.newInputStream(chosen)) {
            return Yaml.read(in, Config.class, chosen.toString()).validate(chosen.toString());
        } catch (IOException e) {
            throw new ConfigException(chosen + ": cannot read: " + e.getMessage());
        }
    }
}
