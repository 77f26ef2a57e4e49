package dev.chatlab.toxiproxy;

/** A request Toxiproxy would refuse: its HTTP status and the message it puts in {@code {"error": ..., "status": ...}}. */
final class ApiError extends Exception {
    static final ApiError PROXY_NOT_FOUND = new ApiError(404, "proxy not found");
    static final ApiError PROXY_ALREADY_EXISTS = new ApiError(409, "proxy already exists");
    static final ApiError TOXIC_NOT_FOUND = new ApiError(404, "toxic not found");
    static final ApiError TOXIC_ALREADY_EXISTS = new ApiError(409, "toxic already exists");
    static final ApiError INVALID_TOXIC_TYPE = new ApiError(400, "invalid toxic type");
    static final ApiError INVALID_STREAM =
            new ApiError(400, "stream was invalid, can be either upstream or downstream");

    private final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static ApiError badRequestBody(String detail) {
        return new ApiError(400, "bad request body: " + detail);
    }

    static ApiError missingField(String field) {
        return new ApiError(400, "missing required field: " + field);
    }

    int status() {
        return status;
    }
}
