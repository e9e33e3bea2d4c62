package com.dts.apm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dts.apm.store.WebhookEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The api: and webhooks: keys: defaults, and bad values refused with the full key name. */
class ApiConfigTest {
    @TempDir
    Path dir;

    private Config load(String yaml) throws Exception {
        var f = dir.resolve("apm.yml");
        Files.writeString(f, yaml);
        return ConfigLoader.load(f, null);
    }

    private void refused(String yaml, String... message) {
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class).hasMessageContainingAll(message);
    }

    @Test
    void theApiIsOffOnLoopbackPort9465ByDefault() {
        var api = Config.defaults().api();
        assertThat(api.enabled()).isFalse();
        assertThat(api.bind()).isEqualTo("127.0.0.1");
        assertThat(api.port()).isEqualTo(9465);
        assertThat(api.tls().enabled()).isFalse();
        assertThat(Config.defaults().webhooks()).isEmpty();
    }

    @Test
    void badApiValuesNameTheirKey() throws Exception {
        refused("api: { port: 70000 }\n", "key api.port", "out of range");
        refused("api: { tls: { cert-file: " + dir.resolve("c.pem") + " } }\n", "key api.tls.key-file", "go together");
        refused(
                "api: { tls: { cert-file: /nope.pem, key-file: /nope.key } }\n",
                "key api.tls.cert-file",
                "does not exist");
        refused("api: { public-url: 'ftp://x' }\n", "key api.public-url");
        refused("api: { enabled: maybe }\n", "key api.enabled");
    }

    @Test
    void webhooksNeedAnHttpsUrlAnExistingSecretAndKnownEvents() throws Exception {
        var secret = dir.resolve("w.secret");
        Files.writeString(secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
        var ok = load("webhooks:\n  - url: https://crm.example.com/hooks\n    secret-file: " + secret
                + "\n    events: [integration.failing]\n  - url: http://127.0.0.1:8080/h\n    secret-file: " + secret
                + "\n");
        assertThat(ok.webhooks()).hasSize(2);
        assertThat(ok.webhooks().get(1).events()).isEmpty();
        refused(
                "webhooks:\n  - url: http://crm.example.com/hooks\n    secret-file: " + secret + "\n",
                "key webhooks[0].url",
                "https");
        refused("webhooks:\n  - url: https://crm.example.com/hooks\n", "key webhooks[0].secret-file", "missing");
        refused(
                "webhooks:\n  - url: https://crm.example.com/hooks\n    secret-file: " + secret
                        + "\n    events: [integration.dead]\n",
                "key webhooks[0].events[0]",
                "integration.failing");
        refused(
                "webhooks:\n  - url: https://a.test/h\n    secret-file: " + secret
                        + "\n  - url: https://a.test/h\n    secret-file: " + secret + "\n",
                "key webhooks[1].url",
                "twice");
        refused("webhooks:\n  - url: https://a.test/h\n    secret: x\n", "webhooks[0].secret", "unknown key");
    }

    @Test
    void theConfigsEventNamesAreTheWebhookEventTypes() {
        assertThat(Config.WEBHOOK_EVENTS)
                .containsExactlyElementsOf(Arrays.stream(WebhookEvent.values())
                        .map(WebhookEvent::label)
                        .toList());
    }
}
