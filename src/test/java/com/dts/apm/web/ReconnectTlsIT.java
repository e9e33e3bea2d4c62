package com.dts.apm.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.app.App;
import com.dts.apm.config.ConfigLoader;
import com.dts.apm.probe.TestCerts;
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

/** Served over TLS (api.tls), the reconnect page and its assets add Strict-Transport-Security to the other headers. */
class ReconnectTlsIT {
    @TempDir
    Path dir;

    @Test
    void pagesServedOverTlsCarryHsts() throws Exception {
        var certs = TestCerts.generate(dir, "api");
        var store = KeyStore.getInstance("PKCS12");
        try (var in = new FileInputStream(certs.keyStore().toFile())) {
            store.load(in, certs.password());
        }
        var mime = Base64.getMimeEncoder(64, "\n".getBytes());
        var keyFile = dir.resolve("api.key");
        Files.writeString(
                keyFile,
                "-----BEGIN PRIVATE KEY-----\n"
                        + mime.encodeToString(((PrivateKey) store.getKey("server", certs.password())).getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
        var certFile = dir.resolve("api-server.crt");
        Files.writeString(
                certFile,
                "-----BEGIN CERTIFICATE-----\n"
                        + mime.encodeToString(store.getCertificate("server").getEncoded())
                        + "\n-----END CERTIFICATE-----\n");
        var config = dir.resolve("apm.yml");
        // public-url plain on purpose: the header comes from the TLS connection itself
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "database: { path: " + dir.resolve("data/apm.db") + " }",
                        "http: { port: 0 }",
                        "api: { enabled: true, port: 0, public-url: 'http://localhost', tls: { cert-file: " + certFile
                                + ", key-file: " + keyFile + " } }",
                        "reconnect: { enabled: true }",
                        ""));
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
            for (var path : new String[] {"/reconnect/" + "A".repeat(43), "/assets/reconnect.css"}) {
                var r = client.send(
                        HttpRequest.newBuilder(URI.create("https://localhost:" + app.apiPort() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path).isIn(200, 404);
                assertThat(r.headers().firstValue("Strict-Transport-Security"))
                        .as(path)
                        .hasValue("max-age=31536000");
                assertThat(r.headers().firstValue("Content-Security-Policy"))
                        .as(path)
                        .isPresent();
            }
        }
    }
}
