package com.dts.apm.probe;

import com.dts.apm.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away self-signed server certificate, plus a trust store holding just that certificate (pinned). Each
 * kind (for 127.0.0.1 and localhost; expired; for another host) is made in-process with BouncyCastle once per JVM
 * and only written out per test folder, so no key is ever committed and no keytool is forked.
 */
public record TestCerts(Path keyStore, Path trustStore, Path passwordFile, char[] password) {
    public static final String PASSWORD = "changeit";

    private static TestCerts greenMail;

    /** What a certificate says: its subject, its alternative names and when it is valid. */
    private enum Kind {
        /** For localhost and 127.0.0.1, valid from now for three days. */
        GOOD("CN=localhost", List.of(dns("localhost"), ip("127.0.0.1")), Duration.ZERO, Duration.ofDays(3)),
        /** For localhost and 127.0.0.1, valid for one day starting ten days back: expired nine days ago. */
        EXPIRED("CN=localhost", List.of(dns("localhost"), ip("127.0.0.1")), Duration.ofDays(-10), Duration.ofDays(1)),
        /** Valid, but for mail.other-host.test only. */
        OTHER_HOST("CN=mail.other-host.test", List.of(dns("mail.other-host.test")), Duration.ZERO, Duration.ofDays(3));

        final String subject;
        final List<GeneralName> names;
        final Duration start;
        final Duration validity;

        Kind(String subject, List<GeneralName> names, Duration start, Duration validity) {
            this.subject = subject;
            this.names = names;
            this.start = start;
            this.validity = validity;
        }
    }

    private record Made(KeyPair keys, X509Certificate certificate) {}

    private static final Map<Kind, Made> MADE = new ConcurrentHashMap<>();

    /**
     * The certificate GreenMail serves over IMAPS/SMTPS in this JVM. GreenMail reads its key store once per
     * JVM (from the {@code greenmail.tls.keystore.*} system properties), so every test class must share one
     * certificate: the first call writes it to a temporary folder deleted at exit and sets the properties.
     */
    public static synchronized TestCerts forGreenMail() {
        if (greenMail == null) {
            try {
                var dir = Files.createTempDirectory("apm-greenmail-cert");
                greenMail = generate(dir, "greenmail");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try (var files = Files.list(dir)) {
                        files.forEach(f -> f.toFile().delete());
                        dir.toFile().delete();
                    } catch (IOException e) {
                        // best effort
                    }
                }));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            System.setProperty(
                    "greenmail.tls.keystore.file", greenMail.keyStore().toString());
            System.setProperty("greenmail.tls.keystore.password", PASSWORD);
        }
        return greenMail;
    }

    /** A trusted, valid certificate for localhost and 127.0.0.1. */
    public static TestCerts generate(Path dir, String name) {
        return write(dir, name, Kind.GOOD);
    }

    /** A certificate that expired days ago (valid for one day, starting ten days back). */
    static TestCerts expired(Path dir, String name) {
        return write(dir, name, Kind.EXPIRED);
    }

    /** A trusted, valid certificate for another host name than the one the check connects to. */
    static TestCerts forOtherHost(Path dir, String name) {
        return write(dir, name, Kind.OTHER_HOST);
    }

    private static TestCerts write(Path dir, String name, Kind kind) {
        var made = MADE.computeIfAbsent(kind, TestCerts::make);
        var keyStore = dir.resolve(name + "-server.p12");
        var trustStore = dir.resolve(name + "-trust.p12");
        var passwordFile = dir.resolve(name + "-trust.pass");
        try {
            var keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry(
                    "server", made.keys().getPrivate(), PASSWORD.toCharArray(), new Certificate[] {made.certificate()});
            store(keys, keyStore);
            var trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", made.certificate());
            store(trust, trustStore);
            Files.writeString(passwordFile, PASSWORD + "\n", StandardCharsets.UTF_8);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the test certificate " + name, e);
        }
        return new TestCerts(keyStore, trustStore, passwordFile, PASSWORD.toCharArray());
    }

    private static void store(KeyStore store, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, PASSWORD.toCharArray());
        }
    }

    /**
     * An EC P-256 key pair (a few milliseconds to make, where RSA 2048 takes hundreds) and a self-signed
     * SHA256withECDSA v3 certificate with the kind's names and validity.
     */
    private static Made make(Kind kind) {
        try {
            var generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            var keys = generator.generateKeyPair();
            var now = Instant.now();
            var notBefore = now.plus(kind.start);
            var subject = new X500Name(kind.subject);
            var builder = new JcaX509v3CertificateBuilder(
                            subject,
                            BigInteger.valueOf(now.toEpochMilli() * 10 + kind.ordinal()),
                            Date.from(notBefore),
                            Date.from(notBefore.plus(kind.validity)),
                            subject,
                            keys.getPublic())
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(kind.names.toArray(GeneralName[]::new)))
                    .addExtension(
                            Extension.subjectKeyIdentifier,
                            false,
                            new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
            return new Made(keys, new JcaX509CertificateConverter().getCertificate(builder.build(signer)));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make the " + kind + " test certificate", e);
        }
    }

    private static GeneralName dns(String name) {
        return new GeneralName(GeneralName.dNSName, name);
    }

    private static GeneralName ip(String address) {
        return new GeneralName(GeneralName.iPAddress, address);
    }

    /** Check settings that trust this certificate, with short timeouts for tests. */
    Config.Checks trustingChecks(Duration deadline) {
        return new Config.Checks(
                Duration.ofSeconds(5), Duration.ofSeconds(10), deadline, trustStore, "PKCS12", passwordFile);
    }

    /** {@code c} with another TLS provider and session lifetime (null: the default). */
    static Config.Checks withTls(Config.Checks c, String provider, Duration sessionLifetime) {
        return new Config.Checks(
                c.connectTimeout(),
                c.readTimeout(),
                c.deadline(),
                c.trustStore(),
                c.trustStoreType(),
                c.trustStorePasswordFile(),
                provider,
                sessionLifetime);
    }

    /** Check settings that trust only the JDK's CAs. */
    static Config.Checks defaultChecks(Duration deadline) {
        return new Config.Checks(Duration.ofSeconds(5), Duration.ofSeconds(10), deadline, null, null, null);
    }

    public SSLContext serverContext() {
        try (InputStream in = Files.newInputStream(keyStore)) {
            var ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            var context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
