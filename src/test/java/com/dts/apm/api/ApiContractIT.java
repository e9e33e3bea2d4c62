package com.dts.apm.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.Await;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document cannot drift from the code: it names exactly the routes the code serves, and every
 * operation in it, called on the running daemon, answers a documented status with a body its schema accepts.
 */
class ApiContractIT {
    @TempDir
    java.nio.file.Path dir;

    /** The daemon and its API for one test; the PostgresIT subclass puts its database on PostgreSQL. */
    ApiHarness harness(java.nio.file.Path dir, String... extraConfig) throws java.io.IOException {
        return new ApiHarness(dir, extraConfig);
    }

    private static final List<String> ORDER = List.of(
            "get /api/v1/openapi.json",
            "put /api/v1/integrations/{external_id}",
            "get /api/v1/integrations",
            "get /api/v1/integrations/{external_id}",
            "post /api/v1/integrations/{external_id}/check",
            "get /api/v1/integrations/{external_id}/history",
            "get /api/v1/integrations/{external_id}/credential",
            "post /api/v1/verify",
            "delete /api/v1/integrations/{external_id}");

    @Test
    void everyDocumentedRouteAnswersWhatItsSchemaSays() throws Exception {
        try (var h = harness(dir)) {
            h.mail.setUser("doc@dealer-d.test", "doc@dealer-d.test", "doc-app-password");
            var app = h.start();
            var token = h.token("crm", "integrations:read,integrations:write,checks:run,credentials:read");
            var served = h.get("/api/v1/openapi.json", null);
            assertThat(served.statusCode()).isEqualTo(200);
            var doc = ApiHarness.JSON.readTree(served.body());
            assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");

            // the document and the code name the same operations
            var ws = app.workspace();
            var code = new TreeSet<String>();
            new Api(
                            ws.integrations(),
                            ws.apiTokens(),
                            ws.catalog(),
                            ws.history(),
                            null,
                            null,
                            java.util.Set.of(),
                            new SimpleMeterRegistry(),
                            Clock.systemUTC())
                    .routes()
                    .forEach(r -> code.add(r.method().toLowerCase() + " " + r.template()));
            var documented = new TreeSet<String>();
            doc.get("paths")
                    .properties()
                    .forEach(p -> p.getValue().fieldNames().forEachRemaining(m -> {
                        if (!m.equals("parameters")) {
                            documented.add(m + " " + p.getKey());
                        }
                    }));
            assertThat(documented).isEqualTo(code).isEqualTo(new TreeSet<>(ORDER));

            var body = ApiHarness.JSON.writeValueAsBytes(h.mailbox("doc@dealer-d.test", "doc-app-password"));
            int validated = 0;
            for (var op : ORDER) {
                var method = op.substring(0, op.indexOf(' ')).toUpperCase();
                var template = op.substring(op.indexOf(' ') + 1);
                var path = template.replace("{external_id}", "doc-1");
                var operation = doc.get("paths").get(template).get(method.toLowerCase());
                boolean takesBody = operation.has("requestBody");
                var response =
                        h.send(method, path, token, takesBody ? "application/json" : null, takesBody ? body : null);
                validated += check(doc, operation, op, response);
                if (op.startsWith("put")) {
                    Await.until(
                            "checked",
                            Duration.ofSeconds(10),
                            () -> ws.integrations()
                                    .findByExternalId("doc-1")
                                    .map(k -> k.integration().lastCheckedAt() != null)
                                    .orElse(false));
                }
                // the documented problems are problems too: no token, and a bad input where one is possible
                if (operation.has("security") && !operation.get("security").isEmpty()) {
                    validated += check(
                            doc,
                            operation,
                            op + " without a token",
                            h.send(method, path, null, takesBody ? "application/json" : null, takesBody ? body : null));
                }
            }
            var list = doc.get("paths").get("/api/v1/integrations").get("get");
            validated += check(doc, list, "limit=0", h.get("/api/v1/integrations?limit=0", token));
            var one = doc.get("paths").get("/api/v1/integrations/{external_id}").get("get");
            validated += check(doc, one, "missing", h.get("/api/v1/integrations/doc-1", token));
            var put = doc.get("paths").get("/api/v1/integrations/{external_id}").get("put");
            validated += check(doc, put, "415", h.send("PUT", "/api/v1/integrations/doc-2", token, "text/plain", body));
            assertThat(validated).isGreaterThanOrEqualTo(18);
        }
    }

    /** Validates one real response against the schema the document gives for its status; returns 1. */
    private static int check(JsonNode doc, JsonNode operation, String what, HttpResponse<String> response)
            throws Exception {
        var status = Integer.toString(response.statusCode());
        var documented = operation.get("responses").get(status);
        assertThat(documented)
                .as(what + ": status " + status + " is documented (" + response.body() + ")")
                .isNotNull();
        if (!documented.has("content")) {
            assertThat(response.body()).as(what).isEmpty();
            return 1;
        }
        var media = documented.get("content").fieldNames().next();
        assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .as(what)
                .startsWith(media);
        var schema = documented.get("content").get(media).get("schema");
        var errors = validate(doc, schema, response.body());
        assertThat(errors).as(what + ": " + response.body()).isEmpty();
        return 1;
    }

    private static List<String> validate(JsonNode doc, JsonNode schema, String instance) throws Exception {
        var root = ApiHarness.JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("$defs", doc.get("components").get("schemas"));
        root.setAll((ObjectNode) schema);
        var text = ApiHarness.JSON.writeValueAsString(root).replace("#/components/schemas/", "#/$defs/");
        var compiled = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(text, InputFormat.JSON);
        var out = new ArrayList<String>();
        compiled.validate(instance, InputFormat.JSON).forEach(e -> out.add(e.toString()));
        return out;
    }
}
