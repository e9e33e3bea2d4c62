package com.dts.apm.api;

import java.util.Map;

/** What a route answers: a status, a JSON body (null: none) and extra headers. */
record Reply(int status, Object body, Map<String, String> headers) {
    Reply {
        headers = Map.copyOf(headers);
    }

    static Reply ok(Object body) {
        return new Reply(200, body, Map.of());
    }

    static Reply of(int status, Object body) {
        return new Reply(status, body, Map.of());
    }

    static Reply noContent() {
        return new Reply(204, null, Map.of());
    }
}
