"""OpenAPI post-processing: every operation documents the error envelope as its default response."""

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "code", "statusCode"],
            "properties": {
                "message": {"type": "string"},
                "code": {"type": "string"},
                "statusCode": {"type": "integer"},
                "fields": {"type": "object", "additionalProperties": True},
            },
            "additionalProperties": True,
        }
    },
}


def add_error_envelope(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["ErrorEnvelope"] = ERROR_ENVELOPE
    ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault(
                    "default",
                    {"description": "Error (the error envelope)", "content": {"application/json": {"schema": ref}}},
                )
    return result
