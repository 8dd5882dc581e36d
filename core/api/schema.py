"""The API's OpenAPI schema: the token security scheme and the error responses every operation documents."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from .auth import ApiTokenAuthentication


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents the token header in the OpenAPI schema (drf-spectacular finds extensions by import)."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>` or `Bearer <token>`; tokens are issued and revoked by bureau staff.",
        }


class ApiErrorSerializer(serializers.Serializer):
    """The one error body of the API (``core.api.errors.exception_handler``)."""

    code = serializers.CharField(help_text="invalid, not_authenticated, authentication_failed, permission_denied, "
                                 "not_found, throttled, …")  # fmt: skip
    message = serializers.CharField(help_text="In the request's language (Accept-Language).")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="Field name → messages (400 only)."
    )
    required_scopes = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="403 to a token client only: the scopes that would allow the operation (any one of them).",
    )  # fmt: skip


ERROR_RESPONSES = {
    "400": "Invalid query parameters.",
    "401": "No credentials, or an unknown or revoked token.",
    "403": "The token lacks the scope this resource needs.",
    "404": "Not found, or not visible to the caller.",
    "429": "Too many requests: retry after `Retry-After` seconds.",
}


class ApiAutoSchema(AutoSchema):
    """Documents the error responses every API operation can give, in the one error format, and the scope a token
    needs for each operation (``x-required-scopes``, and a line of its description)."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return operation
        from .auth import required_scopes

        scopes = list(required_scopes(self.view, self.method))
        operation["x-required-scopes"] = scopes
        if scopes:
            line = "Required scope (token clients): " + " or ".join(f"`{s}`" for s in scopes) + "."
        else:
            line = "Required scope (token clients): none; only people signed in."
        operation["description"] = f"{line}\n\n{operation.get('description', '')}".strip()
        return operation

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(ERROR_RESPONSES)
        if self.method in ("POST", "PUT", "PATCH"):
            errors["415"] = "The body's media type is not one the API reads (send application/json)."
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(ApiErrorSerializer, code, ["application/json"])
                responses[code]["description"] = description
        return responses


def empty_query_values_mean_any(result, generator, request, public):
    """Post-processing hook: a single-choice query parameter also takes the empty value, which means "any" (what an
    HTML form sends for an unset field; the FilterSets are shared with the pages). Repeatable ones do not."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") != "query":
                    continue
                schema = parameter.get("schema", {})
                if "enum" in schema and "" not in schema["enum"]:
                    schema["enum"] = [*schema["enum"], ""]
    return result
