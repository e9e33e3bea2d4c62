package com.dts.apm.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dts.apm.app.App;
import com.dts.apm.config.ConfigException;
import com.dts.apm.config.ConfigLoader;
import com.dts.apm.probe.TestCerts;
import com.dts.apm.testing.Cli;
import java.io.FileInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** api.tls: the listener serves HTTPS from PEM files; a key file that is not PKCS#8 stops the start with the key named. */
class ApiTlsIT {
    @TempDir
    Path dir;

    @Test
    void servesHttpsFromPemFiles() throws Exception {
        var certs = TestCerts.generate(dir, "api");
        var store = KeyStore.getInstance("PKCS12");
        try (var in = new FileInputStream(certs.keyStore().toFile())) {
            store.load(in, certs.password());
        }
        var key = (PrivateKey) store.getKey("server", certs.password());
        var keyFile = dir.resolve("api.key");
        Files.writeString(
                keyFile,
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
        var certFile = dir.resolve("api.crt");
        Files.writeString(
                certFile,
                "-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes())
                                .encodeToString(store.getCertificate("server").getEncoded())
                        + "\n-----END CERTIFICATE-----\n");
        var config = dir.resolve("apm.yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "database: { path: " + dir.resolve("data/apm.db") + " }",
                        "http: { port: 0 }",
                        "api: { enabled: true, port: 0, tls: { cert-file: " + certFile + ", key-file: " + keyFile
                                + " } }",
                        ""));
        var cli = new Cli(config);
        var token = cli.run("api-tokens", "create", "crm", "--scopes", "integrations:read")
                .out()
                .strip();
        var trust = KeyStore.getInstance("PKCS12");
        try (var in = new FileInputStream(certs.trustStore().toFile())) {
            trust.load(in, certs.password());
        }
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        var ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        try (var app = App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC())) {
            var client = HttpClient.newBuilder().sslContext(ssl).build();
            var r = client.send(
                    HttpRequest.newBuilder(URI.create("https://localhost:" + app.apiPort() + "/api/v1/integrations"))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"items\":[],\"next_cursor\":null}");
            // plain HTTP on the TLS port gets no API answer
            var plain = HttpClient.newHttpClient();
            assertThatThrownBy(() -> plain.send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + app.apiPort() + "/api/v1/integrations"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(java.io.IOException.class);
        }

        Files.writeString(keyFile, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC())
                        .close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("api.tls.key-file")
                .hasMessageContaining("PKCS#8");
    }
}
