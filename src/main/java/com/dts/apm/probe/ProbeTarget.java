package com.dts.apm.probe;

import com.dts.apm.config.Secret;
import com.dts.apm.provider.Auth;
import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderSpec;
import java.util.Objects;

/**
 * One login to check: which provider's rules apply, which server, and the credentials. With {@code auth}
 * {@link Auth#OAUTH2} the {@code password} is an OAuth access token and the login is SASL XOAUTH2.
 */
public record ProbeTarget(
        ProviderSpec provider, Protocol protocol, Endpoint endpoint, String username, Secret password, Auth auth) {
    /** A password login. */
    public ProbeTarget(ProviderSpec provider, Protocol protocol, Endpoint endpoint, String username, Secret password) {
        this(provider, protocol, endpoint, username, password, Auth.PASSWORD);
    }

    public ProbeTarget {
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (username.isBlank()) {
            throw new IllegalArgumentException("empty username");
        }
    }

    @Override
    public String toString() {
        return protocol.label() + " " + username + " at " + endpoint + " (" + provider.id()
                + (auth == Auth.OAUTH2 ? ", XOAUTH2" : "") + ")";
    }
}
