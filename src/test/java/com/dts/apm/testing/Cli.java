package com.dts.apm.testing;

import com.dts.apm.cli.RootCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the real command line in-process against a config file, with captured streams. */
public final class Cli {
    private final Path config;
    private final Map<String, String> env;

    public Cli(Path config) {
        this(config, Map.of());
    }

    public Cli(Path config, Map<String, String> env) {
        this.config = config;
        this.env = env;
    }

    /** What one command printed and returned. */
    public record Result(int exit, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    public Result run(String... args) {
        return runWithInput("", args);
    }

    public Result runWithInput(String stdin, String... args) {
        return runWithStream(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
    }

    /** Runs with {@code stdin} as standard input (an endless stream, for instance). */
    public Result runWithStream(java.io.InputStream stdin, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var full = new ArrayList<String>();
        if (config != null) {
            full.addAll(List.of("--config", config.toString()));
        }
        full.addAll(List.of(args));
        int code = RootCommand.execute(
                full.toArray(String[]::new),
                stdin,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
