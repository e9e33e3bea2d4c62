package com.dts.apm.probe;

import com.dts.apm.config.Secret;
import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderSpec;
import java.util.Objects;

/** One login to check: which provider's rules apply, which server, and the credentials. */
public record ProbeTarget(
        ProviderSpec provider, Protocol protocol, Endpoint endpoint, String username, Secret password) {
    public ProbeTarget {
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
        return protocol.label() + " " + username + " at " + endpoint + " (" + provider.id() + ")";
    }
}
