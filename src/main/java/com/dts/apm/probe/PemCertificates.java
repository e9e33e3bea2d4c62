package com.dts.apm.probe;

import com.dts.apm.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A PEM file of CA certificates (what {@code openssl} and most CAs hand out, a bundle of one or more
 * {@code -----BEGIN CERTIFICATE-----} blocks) read as a trust store for {@code checks.trust-store}.
 * Text around the blocks and blocks of other types (a private key, for one) are ignored.
 */
final class PemCertificates {
    private static final String KEY = "checks.trust-store";
    private static final String ARMOUR = "-----BEGIN ";
    private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
    private static final Pattern CERTIFICATE =
            Pattern.compile("-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----");

    private PemCertificates() {}

    /** True when {@code content} is PEM text: a key store (PKCS12, JKS) is binary and never holds the armour. */
    static boolean isPem(byte[] content) {
        return new String(content, StandardCharsets.ISO_8859_1).contains(ARMOUR);
    }

    /**
     * The certificates of a PEM file as an in-memory trust store.
     *
     * @throws ConfigException naming the key and the file when there is no certificate or one does not parse
     */
    static KeyStore trustStore(byte[] content, Path file) {
        var text = new String(content, StandardCharsets.ISO_8859_1);
        var certificates = parse(text, file);
        if (certificates.isEmpty()) {
            throw new ConfigException(
                    KEY + ": " + file + " is a PEM file with no certificate in it (no " + BEGIN + " block)");
        }
        try {
            var store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("pem-" + (i + 1), certificates.get(i));
            }
            return store;
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build an in-memory trust store", e);
        }
    }

    private static List<X509Certificate> parse(String text, Path file) {
        var out = new ArrayList<X509Certificate>();
        var factory = x509();
        var m = CERTIFICATE.matcher(text);
        int end = 0;
        while (m.find()) {
            var line = line(text, m.start());
            var unparsed = text.substring(end, m.start());
            if (unparsed.contains(BEGIN)) {
                throw unreadable(
                        file, line(text, end + unparsed.indexOf(BEGIN)), "has no -----END CERTIFICATE----- line");
            }
            end = m.end();
            try {
                var der = Base64.getMimeDecoder().decode(m.group(1).strip());
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (IllegalArgumentException | CertificateException e) {
                throw unreadable(file, line, "is not a valid X.509 certificate (" + firstLine(e) + ")");
            }
        }
        var rest = text.substring(end);
        if (rest.contains(BEGIN)) {
            throw unreadable(file, line(text, end + rest.indexOf(BEGIN)), "has no -----END CERTIFICATE----- line");
        }
        return out;
    }

    private static ConfigException unreadable(Path file, int line, String problem) {
        return new ConfigException(KEY + ": " + file + ": the certificate at line " + line + " " + problem);
    }

    private static int line(String text, int offset) {
        int n = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static String firstLine(Exception e) {
        var msg = e.getMessage();
        return msg == null
                ? e.getClass().getSimpleName()
                : msg.lines().findFirst().orElse(msg);
    }

    private static CertificateFactory x509() {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK offers no X.509 certificate factory", e);
        }
    }
}
