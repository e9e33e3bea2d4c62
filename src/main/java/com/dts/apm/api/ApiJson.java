package com.dts.apm.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * The JSON of the API and of the command line's {@code --json}: snake_case, ISO-8601 times, nulls written; reading is strict (unknown fields, duplicate keys,
 * trailing data, a string where a number belongs: all refused) and every refusal names the field, never the value.
 */
public final class ApiJson {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .defaultPropertyInclusion(
                    JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private ApiJson() {}

    /** {@code value} as JSON text (the command line's {@code --json} output). */
    public static String text(Object value) {
        return new String(write(value), StandardCharsets.UTF_8);
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** Reads a UTF-8 JSON body into {@code type}; a {@link Problem} 400 naming what is wrong otherwise. */
    static <T> T read(byte[] body, Class<T> type) {
        if (body.length == 0) {
            throw Problem.badRequest("the body is empty: a JSON object is expected");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw Problem.badRequest("the body is not UTF-8 text");
        }
        return readText(text, type);
    }

    private static Problem malformed(JsonProcessingException e) {
        var loc = e.getLocation();
        var where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        var m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        var what = m.startsWith("Duplicate field")
                ? "a field appears twice"
                : m.contains("end-of-input") || m.contains("EOF") ? "it ends early (truncated?)" : "malformed JSON";
        return Problem.badRequest("the body is not valid JSON" + where + ": " + what);
    }

    private static <T> T readText(String text, Class<T> type) {
        try {
            var value = MAPPER.readValue(text, type);
            if (value == null) {
                throw Problem.badRequest("the body is null: a JSON object is expected");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw Problem.badRequest(path(e) + ": unknown field (known here: "
                    + e.getKnownPropertyIds().stream()
                            .map(Object::toString)
                            .sorted()
                            .collect(Collectors.joining(", ")) + ")");
        } catch (MismatchedInputException e) {
            var p = path(e);
            throw Problem.badRequest((p.isEmpty() ? "the body" : p) + ": expected " + expected(e.getTargetType()));
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            if (e.getCause() instanceof com.fasterxml.jackson.core.JsonParseException parse) {
                throw malformed(parse); // a parse error met inside a field (a truncated string, say)
            }
            var p = path(e);
            throw Problem.badRequest((p.isEmpty() ? "the body" : p) + ": "
                    + (e.getCause() instanceof IllegalArgumentException ? "not a valid value" : "cannot be read"));
        } catch (JsonProcessingException e) {
            throw malformed(e);
        }
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }
}
