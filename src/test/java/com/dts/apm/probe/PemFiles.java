package com.dts.apm.probe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Collections;

/** Test certificates as PEM text, the form ops teams keep CA certificates in; reads only TestCerts' public accessors. */
public final class PemFiles {
    private PemFiles() {}

    /** Every certificate of {@code certs}' trust store as {@code -----BEGIN CERTIFICATE-----} blocks. */
    public static String certificates(TestCerts certs) {
        try (InputStream in = Files.newInputStream(certs.trustStore())) {
            var store = KeyStore.getInstance("PKCS12");
            store.load(in, certs.password());
            var pem = new StringBuilder();
            var encoder = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
            for (var alias : Collections.list(store.aliases())) {
                pem.append("-----BEGIN CERTIFICATE-----\n")
                        .append(encoder.encodeToString(
                                store.getCertificate(alias).getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            }
            return pem.toString();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the test trust store " + certs.trustStore(), e);
        }
    }
}
