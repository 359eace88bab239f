package io.vnet4j.control;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for the control socket and the slirp4netns API socket, through Jackson's streaming core:
 * {@link #parse} turns text into maps (keys in order), lists, strings, numbers (Long, or Double for a
 * fraction or exponent), booleans and null, and {@link #write} does the reverse. Nesting is bounded at
 * {@value #MAX_DEPTH} levels and a number at 1,000 digits, so a hostile client cannot exhaust the stack
 * or the CPU; every malformed input is an IllegalArgumentException whose message starts with the
 * character offset ("JSON at 12: ...").
 */
public final class Json {
    static final int MAX_DEPTH = 32;
    /** Limits as the class comment says; a name twice in one object is refused, as QEMU's JSON parser does. */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxNumberLength(1000).build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // 'text' as well as "text", as QEMU's JSON parser (qobject/json-lexer.c) and json-c take strings
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_SINGLE_QUOTES)
            // every non-ASCII character as a backslash-u escape, as QEMU's QMP writes it (qobject/qjson.c): what
            // reaches a terminal (vnet4j ctl) holds no C1 control or bidi override a guest chose
            .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();

    private Json() {}

    /** Parses one JSON value; throws IllegalArgumentException with the position on malformed input. */
    public static Object parse(String text) {
        return parse(text, true);
    }

    /**
     * Parses the JSON value {@code text} begins with and ignores what follows it, as parson's
     * {@code json_parse_string} does (slirp4netns's api.c); throws as {@link #parse} does when it begins with none.
     */
    public static Object parseFirst(String text) {
        return parse(text, false);
    }

    /**
     * Whether {@code text} ends before the JSON value it begins: it is white space only, or a value cut short, which
     * more text could complete. False for a whole value (what follows it aside) and for text no more text can make
     * one (malformed, a name twice in an object).
     */
    public static boolean endsTooSoon(String text) {
        try {
            parse(text, false);
            return false;
        } catch (IllegalArgumentException e) {
            return text.isBlank() || e.getCause() instanceof JsonEOFException;
        }
    }

    private static Object parse(String text, boolean whole) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            try {
                JsonToken first = parser.nextToken();
                if (first == null) {
                    throw error(parser, "unexpected end");
                }
                Object value = value(parser, first);
                if (whole && parser.nextToken() != null) {
                    throw error(parser, "unexpected text after the value");
                }
                return value;
            } catch (StreamConstraintsException e) {
                // it has no location of its own: the parser's; "... exceeds the maximum allowed (32, from
                // `StreamReadConstraints.getMaxNestingDepth()`)": the limit stays, the name of Jackson's setting goes
                throw new IllegalArgumentException("JSON at " + parser.currentLocation().getCharOffset()
                        + ": nested too deeply or too long: "
                        + e.getOriginalMessage().replaceAll(", from `[^`]*`\\)", ")"), e);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("JSON at " + offset(e) + ": " + withoutSource(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a String source has no I/O to fail
        }
    }

    /**
     * Jackson's message without its "(start marker at [Source: REDACTED ...])" or "(for Object starting at
     * [Source: ...])", which say nothing to a user.
     */
    private static String withoutSource(String message) {
        int source = message.indexOf("[Source:");
        int note = source < 0 ? -1 : message.lastIndexOf(" (", source);
        return note < 0 ? message : message.substring(0, note);
    }

    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String name = parser.currentName();
                    map.put(name, value(parser, parser.nextToken()));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    list.add(value(parser, t));
                }
                yield list;
            }
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> {
                if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw error(parser, "number out of range");
                }
                yield parser.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw error(parser, "unexpected " + token);
        };
    }

    private static IllegalArgumentException error(JsonParser parser, String message) {
        return new IllegalArgumentException("JSON at " + parser.currentTokenLocation().getCharOffset() + ": " + message);
    }

    private static long offset(JsonProcessingException e) {
        return e.getLocation() == null ? 0 : e.getLocation().getCharOffset();
    }

    /**
     * Writes a value made of maps, lists, strings, numbers, booleans and null as compact JSON (a
     * non-finite double as null, anything else as its string).
     */
    public static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            write(generator, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter has no I/O to fail
        }
        return out.toString();
    }

    private static void write(JsonGenerator generator, Object value) throws IOException {
        switch (value) {
            case null -> generator.writeNull();
            case String s -> generator.writeString(s);
            case Double d when d.isNaN() || d.isInfinite() -> generator.writeNull();
            case Long n -> generator.writeNumber(n);
            case Integer n -> generator.writeNumber(n);
            case Number n -> generator.writeNumber(n.toString());
            case Boolean b -> generator.writeBoolean(b);
            case Map<?, ?> map -> {
                generator.writeStartObject();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    generator.writeFieldName(String.valueOf(e.getKey()));
                    write(generator, e.getValue());
                }
                generator.writeEndObject();
            }
            case List<?> list -> {
                generator.writeStartArray();
                for (Object item : list) {
                    write(generator, item);
                }
                generator.writeEndArray();
            }
            default -> generator.writeString(value.toString());
        }
    }
}
