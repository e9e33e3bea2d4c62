package com.dts.apm.probe;

import com.dts.apm.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A throw-away self-signed server certificate for 127.0.0.1 and localhost, made with the JDK's keytool
 * at test time (no key is ever committed), plus a trust store holding just that certificate.
 */
public record TestCerts(Path keyStore, Path trustStore, Path passwordFile, char[] password) {
    public static final String PASSWORD = "changeit";

    private static TestCerts greenMail;

    /**
     * The certificate GreenMail serves over IMAPS/SMTPS in this JVM. GreenMail reads its key store once per
     * JVM (from the {@code greenmail.tls.keystore.*} system properties), so every test class must share one
     * certificate: the first call makes it in a temporary folder deleted at exit and sets the properties.
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
            System.setProperty("greenmail.tls.keystore.file", greenMail.keyStore().toString());
            System.setProperty("greenmail.tls.keystore.password", PASSWORD);
        }
        return greenMail;
    }

    public static TestCerts generate(Path dir, String name) {
        return generate(dir, name, "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1", null, 3);
    }

    /** A certificate that expired days ago (valid for one day, starting ten days back). */
    static TestCerts expired(Path dir, String name) {
        return generate(dir, name, "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1", "-10d", 1);
    }

    /** A trusted, valid certificate for another host name than the one the check connects to. */
    static TestCerts forOtherHost(Path dir, String name) {
        return generate(dir, name, "CN=mail.other-host.test", "SAN=dns:mail.other-host.test", null, 3);
    }

    private static TestCerts generate(Path dir, String name, String dname, String san, String startDate, int days) {
        var keyStore = dir.resolve(name + "-server.p12");
        var cert = dir.resolve(name + "-server.crt");
        var trustStore = dir.resolve(name + "-trust.p12");
        var passwordFile = dir.resolve(name + "-trust.pass");
        var gen = new ArrayList<>(List.of("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", Integer.toString(days), "-dname", dname, "-ext", san,
                "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD));
        if (startDate != null) {
            gen.addAll(List.of("-startdate", startDate));
        }
        keytool(gen.toArray(String[]::new));
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", cert.toString(),
                "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", PASSWORD);
        try {
            Files.writeString(passwordFile, PASSWORD + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new TestCerts(keyStore, trustStore, passwordFile, PASSWORD.toCharArray());
    }

    /** Check settings that trust this certificate, with short timeouts for tests. */
    Config.Checks trustingChecks(Duration deadline) {
        return new Config.Checks(Duration.ofSeconds(5), Duration.ofSeconds(10), deadline, trustStore, "PKCS12",
                passwordFile);
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

    private static void keytool(String... args) {
        var command = new ArrayList<String>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        try {
            var process = new ProcessBuilder(command).redirectErrorStream(true).start();
            var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
