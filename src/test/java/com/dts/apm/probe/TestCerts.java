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
record TestCerts(Path keyStore, Path trustStore, Path passwordFile, char[] password) {
    static final String PASSWORD = "changeit";

    static TestCerts generate(Path dir, String name) {
        var keyStore = dir.resolve(name + "-server.p12");
        var cert = dir.resolve(name + "-server.crt");
        var trustStore = dir.resolve(name + "-trust.p12");
        var passwordFile = dir.resolve(name + "-trust.pass");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD);
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

    SSLContext serverContext() {
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
