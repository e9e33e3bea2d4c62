package com.dts.apm.probe;

import com.dts.apm.config.Secret;
import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.provider.Security;

/** Object mother for probe targets: a catalog provider's rules, pointed at a test server on loopback. */
final class Targets {
    static final ProviderCatalog CATALOG = ProviderCatalog.builtIn();

    private Targets() {}

    static ProbeTarget target(
            String provider,
            Protocol protocol,
            String host,
            int port,
            Security security,
            String user,
            String password) {
        return new ProbeTarget(
                CATALOG.get(provider), protocol, new Endpoint(host, port, security), user, Secret.of(password));
    }

    static ProbeTarget imap(String provider, int port, Security security, String user, String password) {
        return target(provider, Protocol.IMAP, "127.0.0.1", port, security, user, password);
    }

    static ProbeTarget smtp(String provider, int port, Security security, String user, String password) {
        return target(provider, Protocol.SMTP, "127.0.0.1", port, security, user, password);
    }
}
