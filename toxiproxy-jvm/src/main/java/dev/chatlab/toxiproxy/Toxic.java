package dev.chatlab.toxiproxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One toxic as the API sees it: what it does, which way, and to how many connections.
 *
 * @param toxicity the probability, drawn per connection, that the toxic acts on it (1 = always, 0 = never)
 * @param attributes every attribute of {@code type}, 0 when not given
 */
record Toxic(String name, ToxicType type, Direction stream, float toxicity, Map<String, Long> attributes) {

    Toxic {
        attributes = Map.copyOf(attributes);
    }

    long attribute(String key) {
        return attributes.getOrDefault(key, 0L);
    }

    /**
     * Reads a {@code POST /proxies/{name}/toxics} body, with Toxiproxy's defaults: downstream, toxicity 1, and the
     * name {@code <type>_<stream>}.
     */
    static Toxic fromJson(JsonNode body) throws ApiError {
        JsonFields.requireObject(body);
        String typeName = JsonFields.text(body, "type", "");
        Direction stream = Direction.parse(JsonFields.text(body, "stream", "downstream"));
        String name = JsonFields.text(body, "name", "");
        if (name.isEmpty()) {
            name = typeName + "_" + stream.wireName();
        }
        ToxicType type = ToxicType.parse(typeName).orElseThrow(() -> ApiError.INVALID_TOXIC_TYPE);
        Map<String, Long> attributes = new LinkedHashMap<>();
        for (String key : type.attributes()) {
            attributes.put(key, 0L);
        }
        readAttributes(body, attributes);
        return new Toxic(name, type, stream, JsonFields.number(body, "toxicity", 1f), attributes);
    }

    /** Applies a {@code POST /proxies/{name}/toxics/{toxic}} body: the attributes it names, and its toxicity. */
    Toxic updatedWith(JsonNode body) throws ApiError {
        JsonFields.requireObject(body);
        Map<String, Long> merged = new LinkedHashMap<>(attributes);
        readAttributes(body, merged);
        return new Toxic(name, type, stream, JsonFields.number(body, "toxicity", toxicity), merged);
    }

    ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        ObjectNode attributesJson = json.putObject("attributes");
        for (String key : type.attributes()) {
            attributesJson.put(key, attribute(key));
        }
        json.put("name", name);
        json.put("type", type.wireName());
        json.put("stream", stream.wireName());
        json.put("toxicity", toxicity);
        return json;
    }

    private static void readAttributes(JsonNode body, Map<String, Long> into) throws ApiError {
        JsonNode given = body.get("attributes");
        if (given == null || given.isNull()) {
            return;
        }
        if (!given.isObject()) {
            throw ApiError.badRequestBody("attributes must be an object");
        }
        for (String key : into.keySet()) {
            JsonNode value = given.get(key);
            if (value == null || value.isNull()) {
                continue;
            }
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw ApiError.badRequestBody("attribute " + key + " must be an integer, got " + value);
            }
            into.put(key, value.longValue());
        }
    }
}
