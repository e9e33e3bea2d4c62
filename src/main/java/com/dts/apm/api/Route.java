package com.dts.apm.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One route: a method, a path template such as {@code /api/v1/integrations/{external_id}}, the scope a token needs
 * (null: no token at all) and what answers it. The template, never the path, is what logs and metrics name.
 */
record Route(String method, String template, Scope scope, boolean takesBody, Action action) {
    /** Answers one call. */
    interface Action {
        Reply handle(Call call) throws Exception;
    }

    /** The path parameters when {@code segments} (decoded) fit the template, else null. */
    Map<String, String> match(List<String> segments) {
        var parts = template.substring(1).split("/");
        if (parts.length != segments.size()) {
            return null;
        }
        var params = new HashMap<String, String>();
        for (int i = 0; i < parts.length; i++) {
            var part = parts[i];
            if (part.startsWith("{") && part.endsWith("}")) {
                params.put(part.substring(1, part.length() - 1), segments.get(i));
            } else if (!part.equals(segments.get(i))) {
                return null;
            }
        }
        return params;
    }
}
