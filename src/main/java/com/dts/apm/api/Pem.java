package com.dts.apm.api;

import com.dts.apm.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Pattern;

/** Reads a PEM certificate chain and a PKCS#8 PEM private key into an in-memory key store for Jetty. */
final class Pem {
    private static final Pattern KEY =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private Pem() {}

    static KeyStore keyStore(Path certFile, Path keyFile, char[] password) {
        try {
            var certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certFile)))
                    .toArray(Certificate[]::new);
            if (certs.length == 0) {
                throw new ConfigException(certFile + ": key api.tls.cert-file: no PEM certificate in the file");
            }
            var store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("api", privateKey(keyFile), password, certs);
            return store;
        } catch (IOException e) {
            throw new ConfigException("api.tls: cannot read " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new ConfigException(
                    certFile + ": key api.tls.cert-file: not a PEM certificate chain: " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(Path keyFile) throws IOException {
        var text = Files.readString(keyFile, StandardCharsets.US_ASCII);
        var m = KEY.matcher(text);
        if (!m.find()) {
            throw new ConfigException(keyFile + ": key api.tls.key-file: no PKCS#8 key (BEGIN PRIVATE KEY) in the file;"
                    + " convert one with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        var spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1)));
        for (var algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException tryNext) {
                // not this algorithm
            }
        }
        throw new ConfigException(keyFile + ": key api.tls.key-file: not an RSA, EC or Ed25519 private key");
    }
}
