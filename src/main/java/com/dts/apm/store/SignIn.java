package com.dts.apm.store;

import com.dts.apm.provider.Auth;
import java.util.Objects;

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

    /** The app whose token endpoint trades this grant: the named one, else the provider's default; null for none. */
    public String app(String provider) {
        return oauthApp != null ? oauthApp : Auth.defaultApp(provider);
    }

    public boolean oauth() {
        return auth == Auth.OAUTH2;
    }
}
