package com.dts.apm.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds and reads the configuration: {@code --config FILE}, else {@code $APM_CONFIG}, else the embedded defaults. */
public final class ConfigLoader {
    /** Far above any real configuration. */
    static final int MAX_BYTES = 1 << 20;

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
            // bounded: the YAML parser takes minutes over a multi-megabyte scalar; a real config is a few KB
            var bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new ConfigException(chosen + ": larger than " + (MAX_BYTES >> 10) + " KB; not a config file");
            }
            return Yaml.read(new java.io.ByteArrayInputStream(bytes), Config.class, chosen.toString())
                    .validate(chosen.toString());
        } catch (IOException e) {
            throw new ConfigException(chosen + ": cannot read: " + e.getMessage());
        }
    }
}
