package com.dts.apm.store;

import com.dts.apm.BadInputException;
import com.dts.apm.provider.Auth;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How an integration signs in: {@code auth}, and for {@code oauth2} the OAuth app (a key of the config's
 * {@code oauth:}) that issued its grant, null meaning the provider's default app. The secret itself (password or
 * refresh token) is sealed apart.
 */
public record SignIn(Auth auth, String oauthApp) {
    public static final SignIn PASSWORD = new SignIn(Auth.PASSWORD, null);

    public SignIn {
        Objects.requireNonNull(auth, "auth");
        oauthApp = oauthApp == null || oauthApp.isBlank() || auth != Auth.OAUTH2 ? null : oauthApp.strip();
    }

    /**
     * The sign-in of a new {@code oauth2} mailbox of {@code provider} whose grant came from {@code app} (null or
     * blank: the provider's default app), which must be one of the {@code configured} apps (the config's
     * {@code oauth:} keys). The one rule of the command line, the CSV and the API; {@code field} names the app's
     * option or column in the error ({@code --oauth-app}, {@code oauth_app}).
     */
    public static SignIn oauth2(String app, String provider, Set<String> configured, String field) {
        boolean named = app != null && !app.isBlank();
        var name = named ? app.strip() : Auth.defaultApp(provider);
        if (name == null) {
            throw new BadInputException("provider " + provider
                    + " has no default OAuth app (only gmail, outlook and microsoft365 do):" + " give " + field);
        }
        if (!configured.contains(name)) {
            throw new BadInputException("OAuth app '" + IntegrationInput.printable(name) + "' is not configured"
                    + (configured.isEmpty()
                            ? " (the config has no oauth: section)"
                            : " (configured: " + String.join(", ", new TreeSet<>(configured)) + ")"));
        }
        return new SignIn(Auth.OAUTH2, named ? name : null);
    }

    /** The app whose token endpoint trades this grant: the named one, else the provider's default; null for none. */
    public String app(String provider) {
        return oauthApp != null ? oauthApp : Auth.defaultApp(provider);
    }

    public boolean oauth() {
        return auth == Auth.OAUTH2;
    }
}
