package com.dts.apm.api;

import java.util.Map;

/**
 * An RFC 9457 problem the API answers with: status, a short title, and a detail naming the field and what is
 * wrong. Thrown by routes; {@link ApiHandler} writes it as {@code application/problem+json}.
 */
final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String title;
    private final Map<String, String> headers;

    Problem(int status, String title, String detail) {
        this(status, title, detail, Map.of());
    }

    Problem(int status, String title, String detail, Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.headers = Map.copyOf(headers);
    }

    static Problem badRequest(String detail) {
        return new Problem(400, "Bad request", detail);
    }

    static Problem notFound(String detail) {
        return new Problem(404, "Not found", detail);
    }

    int status() {
        return status;
    }

    String title() {
        return title;
    }

    String detail() {
        return getMessage();
    }

    Map<String, String> headers() {
        return headers;
    }

    /** The {@code type} URI: a stable name per status, under the API's own namespace. */
    String type() {
        return "https://app-password-monitor.dts/problems/"
                + switch (status) {
                    case 400 -> "bad-request";
                    case 401 -> "unauthorized";
                    case 403 -> "forbidden";
                    case 404 -> "not-found";
                    case 405 -> "method-not-allowed";
                    case 409 -> "conflict";
                    case 413 -> "body-too-large";
                    case 415 -> "unsupported-media-type";
                    case 429 -> "too-many-requests";
                    case 503 -> "unavailable";
                    default -> "error-" + status;
                };
    }
}
