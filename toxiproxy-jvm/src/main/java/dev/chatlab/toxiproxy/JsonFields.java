package dev.chatlab.toxiproxy;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads optional fields of a request body as Toxiproxy's Go decoder does: absent or null keeps the default, and a
 * wrong type is a bad request.
 */
final class JsonFields {
    private JsonFields() {
    }

    static void requireObject(JsonNode body) throws ApiError {
        if (!body.isObject()) {
            throw ApiError.badRequestBody("expected a JSON object, got " + body);
        }
    }

    static String text(JsonNode body, String field, String otherwise) throws ApiError {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return otherwise;
        }
        if (!value.isTextual()) {
            throw ApiError.badRequestBody(field + " must be a string, got " + value);
        }
        return value.textValue();
    }

    static boolean bool(JsonNode body, String field, boolean otherwise) throws ApiError {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return otherwise;
        }
        if (!value.isBoolean()) {
            throw ApiError.badRequestBody(field + " must be true or false, got " + value);
        }
        return value.booleanValue();
    }

    static float number(JsonNode body, String field, float otherwise) throws ApiError {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return otherwise;
        }
        if (!value.isNumber()) {
            throw ApiError.badRequestBody(field + " must be a number, got " + value);
        }
        return value.floatValue();
    }
}
