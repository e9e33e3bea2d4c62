package com.dts.apm.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The sample lines of a Prometheus text scrape, parsed just enough for assertions. */
record Samples(List<Sample> all) {
    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Sample(String name, Map<String, String> labels, String value) {}

    static Samples parse(String text) {
        return new Samples(text.lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(Samples::sample)
                .toList());
    }

    private static Sample sample(String line) {
        var m = LINE.matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a sample line: " + line);
        }
        var labels = new LinkedHashMap<String, String>();
        if (m.group(2) != null) {
            var l = LABEL.matcher(m.group(2));
            while (l.find()) {
                labels.put(l.group(1), l.group(2));
            }
        }
        return new Sample(m.group(1), labels, m.group(3));
    }

    /** The value of the one series with exactly these labels. */
    Optional<Double> value(String name, Map<String, String> labels) {
        return all.stream()
                .filter(s -> s.name().equals(name) && s.labels().equals(labels))
                .map(s -> Double.valueOf(s.value()))
                .findFirst();
    }

    Optional<Double> value(String name) {
        return value(name, Map.of());
    }

    List<Sample> named(String name) {
        return all.stream().filter(s -> s.name().equals(name)).toList();
    }
}
