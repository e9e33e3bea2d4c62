package com.dts.apm.probe;

import com.dts.apm.config.Config;
import com.dts.apm.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * The certificates a check trusts: the JDK's CA list, plus the operator's trust store from
 * {@code checks.trust-store} when one is configured (for dealers' private mail servers): a PKCS12 or JKS
 * key store, or a PEM file of CA certificates, told apart by content ({@link PemCertificates}). A chain
 * passes when either accepts it; host-name checks stay with the JDK trust manager. The server's own
 * certificate must be within its dates even when it is pinned as a trust anchor.
 */
final class Trust {
    /** A CA bundle is a few hundred KiB; more is not a trust store (and must not fill the heap). */
    static final int MAX_TRUST_STORE_BYTES = 16 * 1024 * 1024;

    private final List<X509ExtendedTrustManager> managers;
    /** Per manager, the subjects of its trust anchors: the one that knows a chain's issuer is asked first. */
    private final List<Set<X500Principal>> anchors;

    private Trust(List<X509ExtendedTrustManager> managers) {
        this.managers = List.copyOf(managers);
        this.anchors = this.managers.stream()
                .map(m -> Arrays.stream(m.getAcceptedIssuers())
                        .map(X509Certificate::getSubjectX500Principal)
                        .collect(Collectors.toUnmodifiableSet()))
                .toList();
    }

    /**
     * The managers in the order to ask them about {@code chain}: first those holding an anchor for its last
     * certificate, so a private server's chain does not first fail a full path search through the JDK's CA list
     * (about a tenth of a check's CPU). The verdict is the same in any order: the chain passes when one accepts it.
     */
    private List<X509ExtendedTrustManager> ordered(X509Certificate[] chain) {
        if (managers.size() < 2 || chain == null || chain.length == 0) {
            return managers;
        }
        var top = chain[chain.length - 1];
        var first = new ArrayList<X509ExtendedTrustManager>(managers.size());
        var rest = new ArrayList<X509ExtendedTrustManager>(managers.size());
        for (int i = 0; i < managers.size(); i++) {
            var known = anchors.get(i);
            boolean knows =
                    known.contains(top.getIssuerX500Principal()) || known.contains(top.getSubjectX500Principal());
            (knows ? first : rest).add(managers.get(i));
        }
        first.addAll(rest);
        return first;
    }

    static Trust from(Config.Checks checks) {
        var managers = new ArrayList<X509ExtendedTrustManager>();
        managers.add(managerFor(null));
        if (checks.trustStore() != null) {
            managers.add(managerFor(load(checks)));
        }
        return new Trust(managers);
    }

    private static KeyStore load(Config.Checks checks) {
        var file = checks.trustStore();
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes(MAX_TRUST_STORE_BYTES + 1);
        } catch (IOException e) {
            throw new ConfigException("checks.trust-store: cannot read " + file + ": " + e.getMessage());
        }
        if (content.length > MAX_TRUST_STORE_BYTES) {
            throw new ConfigException("checks.trust-store: " + file + " is larger than "
                    + MAX_TRUST_STORE_BYTES / (1024 * 1024) + " MiB: not a trust store");
        }
        if (PemCertificates.isPem(content)) {
            return PemCertificates.trustStore(content, file);
        }
        char[] password = null;
        if (checks.trustStorePasswordFile() != null) {
            try {
                password = Files.readString(checks.trustStorePasswordFile(), StandardCharsets.UTF_8)
                        .strip()
                        .toCharArray();
            } catch (IOException e) {
                throw new ConfigException("checks.trust-store-password-file: cannot read "
                        + checks.trustStorePasswordFile() + ": " + e.getMessage());
            }
        }
        try {
            var store = KeyStore.getInstance(checks.trustStoreType());
            store.load(new ByteArrayInputStream(content), password);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            var msg = e.getMessage() == null
                    ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            throw new ConfigException("checks.trust-store: cannot read " + file + " as a " + checks.trustStoreType()
                    + " key store or a PEM file of certificates: " + msg);
        }
    }

    private static X509ExtendedTrustManager managerFor(KeyStore store) {
        try {
            var factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (var m : factory.getTrustManagers()) {
                if (m instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("the JDK offers no X509ExtendedTrustManager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS trust", e);
        }
    }

    /**
     * A client TLS context with this trust for other HTTPS clients of a check (the OAuth token endpoints): the same
     * verdict as a probe's, and the JDK trust manager it delegates to still checks the host name the client sets
     * (the JDK's HTTP client asks for HTTPS identification). No client certificate.
     */
    SSLContext clientContext() {
        try {
            var context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {forCheck(chain -> {})}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS trust", e);
        }
    }

    /** A trust manager for one check that reports the verified chain to {@code onTrusted}. */
    X509ExtendedTrustManager forCheck(java.util.function.Consumer<X509Certificate[]> onTrusted) {
        return new X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                check(chain, m -> m.checkServerTrusted(chain, jdkAuthType(authType), socket));
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                check(chain, m -> m.checkServerTrusted(chain, jdkAuthType(authType), engine));
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                check(chain, m -> m.checkServerTrusted(chain, jdkAuthType(authType)));
            }

            private void check(X509Certificate[] chain, Check check) throws CertificateException {
                if (chain != null && chain.length > 0) {
                    // PKIX never checks the dates of a trust anchor, so a self-signed certificate pinned in the
                    // trust store would pass after it expired. Only the leaf: an expired cross-signed root in
                    // the chain is harmless when the JDK finds another path.
                    chain[0].checkValidity();
                }
                CertificateException first = null;
                for (var m : ordered(chain)) {
                    try {
                        check.run(m);
                        onTrusted.accept(chain);
                        return;
                    } catch (CertificateException e) {
                        first = first == null ? e : first;
                    }
                }
                throw first;
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                throw new CertificateException("a probe never acts as a server");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                throw new CertificateException("a probe never acts as a server");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("a probe never acts as a server");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return managers.stream()
                        .flatMap(m -> java.util.Arrays.stream(m.getAcceptedIssuers()))
                        .toArray(X509Certificate[]::new);
            }
        };
    }

    /**
     * TLS 1.3 does not tie the certificate to the key exchange: the JDK's own TLS names that {@code UNKNOWN},
     * Conscrypt names it {@code GENERIC}, which the JDK's trust manager refuses as an unknown type. Same check.
     */
    static String jdkAuthType(String authType) {
        return "GENERIC".equals(authType) ? "UNKNOWN" : authType;
    }

    private interface Check {
        void run(X509ExtendedTrustManager manager) throws CertificateException;
    }
}
