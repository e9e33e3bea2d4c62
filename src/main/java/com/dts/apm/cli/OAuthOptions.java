package com.dts.apm.cli;

import com.dts.apm.BadInputException;
import com.dts.apm.config.Secret;
import com.dts.apm.provider.Auth;
import com.dts.apm.store.SignIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * How a new mailbox signs in: {@code --auth password} (the default; the password from {@link PasswordOptions}) or
 * {@code --auth oauth2} with the grant's refresh token from standard input or a file (never an argument) and the
 * OAuth app that issued it ({@code --oauth-app}, default from the provider).
 */
final class OAuthOptions {
    @Option(names = "--auth", paramLabel = "AUTH", description = "password (default) or oauth2 (an OAuth grant).")
    String auth;

    @Option(
            names = "--oauth-app",
            paramLabel = "NAME",
            description =
                    "The config's oauth.NAME app that issued the grant (default: google for gmail, microsoft for outlook and microsoft365).")
    String app;

    @Option(
            names = "--refresh-token-stdin",
            description = "Read the OAuth refresh token from the first line of standard input.")
    boolean fromStdin;

    @Option(
            names = "--refresh-token-file",
            paramLabel = "FILE",
            description = "Read the OAuth refresh token from the first line of FILE.")
    Path file;

    boolean oauth() {
        return Auth.parseOrBad(auth) == Auth.OAUTH2;
    }

    /** The sign-in for a {@code provider} mailbox; the app must be one of {@code configured}. */
    SignIn signIn(String provider, Set<String> configured) {
        if (!oauth()) {
            if (app != null || fromStdin || file != null) {
                throw new BadInputException("--oauth-app and --refresh-token-* need --auth oauth2");
            }
            return SignIn.PASSWORD;
        }
        return SignIn.oauth2(app, provider, configured, "--oauth-app NAME");
    }

    /** The refresh token, from exactly one of standard input or a file. */
    Secret refreshToken(Terminal terminal) {
        if (fromStdin == (file != null)) {
            throw new BadInputException(
                    "--auth oauth2 needs exactly one of --refresh-token-stdin or --refresh-token-file");
        }
        String line;
        try {
            if (fromStdin) {
                line = PasswordOptions.firstLine(terminal.in(), "standard input");
            } else {
                try (var in = Files.newInputStream(file)) {
                    line = PasswordOptions.firstLine(in, "refresh token file " + file);
                }
            }
        } catch (NoSuchFileException e) {
            throw new BadInputException("refresh token file " + file + " does not exist");
        } catch (IOException e) {
            throw new BadInputException(
                    "cannot read the refresh token: " + e.getClass().getSimpleName());
        }
        var token = line == null ? "" : line.strip();
        if (token.isEmpty() || token.chars().anyMatch(c -> Character.isISOControl(c) || c == ' ')) {
            throw new BadInputException("no refresh token (an empty line, or one with spaces or control characters)");
        }
        return Secret.of(token);
    }
}
