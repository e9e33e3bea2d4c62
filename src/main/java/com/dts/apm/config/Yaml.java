package com.dts.apm.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * Strict YAML binding for the config file and the provider catalog: kebab-case keys, unknown keys
 * refused, durations in the short form, and every problem turned into one line naming the source,
 * the full key and what is wrong.
 */
public final class Yaml {
    private static final ObjectMapper MAPPER = YAMLMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .addModule(new SimpleModule().addDeserializer(Duration.class, new DurationDeserializer()))
            .build();

    private Yaml() {}

    /** Reads {@code in} as a {@code type}; {@code source} names the file in error messages. */
    public static <T> T read(InputStream in, Class<T> type, String source) {
        try {
            T value = MAPPER.readValue(in, type);
            if (value == null) {
                throw new ConfigException(source + ": the file is empty");
            }
            return value;
        } catch (JsonMappingException e) {
            throw new ConfigException(source + ": " + describe(e));
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new ConfigException(source + ": not valid YAML at line " + (loc == null ? "?" : loc.getLineNr())
                    + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read: " + e.getMessage());
        }
    }

    private static String describe(JsonMappingException e) {
        var key = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
        String problem;
        if (e instanceof UnrecognizedPropertyException u) {
            problem = "unknown key (known here: "
                    + u.getKnownPropertyIds().stream()
                            .map(Object::toString)
                            .sorted()
                            .collect(Collectors.joining(", ")) + ")";
        } else if (e instanceof InvalidFormatException f) {
            problem = "'" + f.getValue() + "' is not a valid " + simpleName(f.getTargetType());
        } else if (e instanceof MismatchedInputException m
                && m.getTargetType() != null
                && !(e.getCause() instanceof IllegalArgumentException)) {
            problem = "expected " + simpleName(m.getTargetType());
        } else {
            problem = rootMessage(e);
        }
        return (key.isEmpty() ? "" : "key " + key + ": ") + problem;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        var msg = t instanceof JsonMappingException j ? j.getOriginalMessage() : t.getMessage();
        return msg == null
                ? t.getClass().getSimpleName()
                : msg.lines().findFirst().orElse(msg);
    }

    private static String simpleName(Class<?> type) {
        if (type == Duration.class) {
            return "duration (use 90s, 15m, 6h, 7d)";
        }
        if (type.isEnum()) {
            return "value (one of "
                    + java.util.Arrays.stream(type.getEnumConstants())
                            .map(c -> c.toString().toLowerCase(java.util.Locale.ROOT))
                            .collect(Collectors.joining(", "))
                    + ")";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "whole number";
        }
        if (type == double.class || type == Double.class) {
            return "number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "list";
        }
        if (type == String.class) {
            return "text";
        }
        return "mapping of keys";
    }

    private static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            try {
                return Durations.parse(p.getValueAsString());
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(p, e.getMessage(), e);
            }
        }
    }
}
