package com.dts.apm.api;

import com.dts.apm.store.ApiTokens;
import java.util.Map;
import java.util.Set;

/** One authenticated request as a route sees it: path and query parameters, the body (read already), the token. */
record Call(Map<String, String> path, Map<String, String> query, byte[] body, ApiTokens.Token token) {
    Call {
        path = Map.copyOf(path);
        query = Map.copyOf(query);
    }

    /** Refuses query parameters the route does not know, so a typo is an error rather than an ignored filter. */
    Call allowQuery(Set<String> known) {
        for (var name : query.keySet()) {
            if (!known.contains(name)) {
                throw Problem.badRequest("query parameter " + ApiHandler.printable(name) + ": unknown (known here: "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
        return this;
    }

    <T> T body(Class<T> type) {
        return ApiJson.read(body, type);
    }
}
