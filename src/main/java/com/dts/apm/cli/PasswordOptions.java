package com.dts.apm.cli;

import com.dts.apm.BadInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a password comes from: standard input or a file, never an argument (it would show in {@code ps}). */
final class PasswordOptions {
    @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
    boolean fromStdin;

    @Option(names = "--password-file", paramLabel = "FILE", description = "Read the password from the first line of FILE.")
    Path file;

    @Option(names = "--password", hidden = true, paramLabel = "PASSWORD")
    String refused;

    /** The raw password text as given, before spaces are stripped. */
    String read(Terminal terminal) {
        if (refused != null) {
            throw new BadInputException("--password is refused: a password on the command line is visible to every user in ps;"
                    + " use --password-stdin or --password-file");
        }
        if (fromStdin == (file != null)) {
            throw new BadInputException("give exactly one of --password-stdin or --password-file");
        }
        try {
            if (fromStdin) {
                var line = new BufferedReader(new InputStreamReader(terminal.in(), StandardCharsets.UTF_8)).readLine();
                if (line == null) {
                    throw new BadInputException("no password on standard input");
                }
                return line;
            }
            var text = Files.readString(file, StandardCharsets.UTF_8);
            return text.lines().findFirst().orElse("");
        } catch (NoSuchFileException e) {
            throw new BadInputException("password file " + file + " does not exist");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new BadInputException("password file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new BadInputException("cannot read the password: " + e.getMessage());
        }
    }
}
