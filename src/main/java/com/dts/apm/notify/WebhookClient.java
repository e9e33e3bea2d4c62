package com.dts.apm.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;

/**
 * Posts one signed webhook: 5 s to connect, 10 s for the answer, redirects not followed (a 3xx is a failure: the
 * dealer system must give the URL it means). The answer's body is never read beyond its status.
 */
public final class WebhookClient {
    static final Duration CONNECT = Duration.ofSeconds(5);
    static final Duration READ = Duration.ofSeconds(10);

    private final HttpClient http;
    private final Clock clock;

    public WebhookClient(Clock clock) {
        this.http = HttpClient.newBuilder()
                .connectTimeout(CONNECT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.clock = clock;
    }

    /** How one attempt went: delivered (2xx), or why not, in a few words fit for a log and {@code webhooks failed}. */
    public record Attempt(boolean delivered, String problem) {}

    public Attempt post(String url, String webhookId, String body, WebhookSignature signature)
            throws InterruptedException {
        long timestamp = clock.instant().getEpochSecond();
        var request = HttpRequest.newBuilder(URI.create(url))
                .timeout(READ)
                .header("Content-Type", "application/json")
                .header("User-Agent", "app-password-monitor")
                .header("webhook-id", webhookId)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", signature.sign(webhookId, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        // sendAsync with a bound of its own: the request timeout covers the headers only, not a body that never ends
        var future = http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            var response = future.get(READ.toMillis() + 1_000, java.util.concurrent.TimeUnit.MILLISECONDS);
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new Attempt(true, null);
            }
            return new Attempt(
                    false, "HTTP " + status + (status >= 300 && status < 400 ? " (redirects are not followed)" : ""));
        } catch (java.util.concurrent.TimeoutException e) {
            future.cancel(true);
            return new Attempt(false, "no complete answer within " + READ.toSeconds() + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            var cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                return new Attempt(false, "no answer within " + READ.toSeconds() + " s");
            }
            var m = cause == null ? null : cause.getMessage();
            return new Attempt(
                    false,
                    (cause == null ? "error" : cause.getClass().getSimpleName())
                            + (m == null ? "" : ": " + m.lines().findFirst().orElse("")));
        }
    }
}
