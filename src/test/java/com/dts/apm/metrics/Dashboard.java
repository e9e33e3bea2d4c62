package com.dts.apm.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The shipped Grafana dashboard, read for tests: its panels, their queries, the metric names in them. */
record Dashboard(JsonNode root) {
    static final Path FILE = Path.of("config", "grafana", "app-password-monitor.json");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    // Possessive, so that "rate(" is seen as a function and not as the metric "rat".
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:$])[a-zA-Z_:][a-zA-Z0-9_:]*+(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "bool",
            "offset",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "inf",
            "nan",
            "Inf",
            "NaN");

    static Dashboard load() throws IOException {
        return new Dashboard(new ObjectMapper().readTree(FILE.toFile()));
    }

    /** Every panel, including those nested in collapsed rows. */
    List<JsonNode> panels() {
        var all = new ArrayList<JsonNode>();
        collect(root.path("panels"), all);
        return all;
    }

    private static void collect(JsonNode panels, List<JsonNode> into) {
        for (var panel : panels) {
            into.add(panel);
            collect(panel.path("panels"), into);
        }
    }

    List<String> expressions() {
        var exprs = new ArrayList<String>();
        for (var panel : panels()) {
            for (var target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
        }
        return exprs;
    }

    /** Metric names a PromQL expression selects: what is left once strings, matchers, ranges and functions go. */
    static Set<String> metricNames(String expr) {
        var text = STRING.matcher(expr).replaceAll("\"\"");
        text = MATCHERS.matcher(text).replaceAll(" ");
        text = RANGE.matcher(text).replaceAll(" ");
        text = GROUPING.matcher(text).replaceAll(" ");
        var names = new TreeSet<String>();
        var m = IDENTIFIER.matcher(text);
        while (m.find()) {
            if (!KEYWORDS.contains(m.group())) {
                names.add(m.group());
            }
        }
        return names;
    }
}
