"""App Store Connect's ErrorResponse as an exception the handlers raise and the server renders."""

from __future__ import annotations

from typing import Any

_TITLES = {
    "NOT_AUTHORIZED": "Authentication credentials are missing or invalid.",
    "RATE_LIMIT_EXCEEDED": "The request rate limit has been reached.",
    "NOT_FOUND": "The specified resource does not exist",
    "PATH_ERROR": "The URL path is invalid.",
    "METHOD_NOT_ALLOWED": "The request method is not valid for the resource path.",
    "PARAMETER_ERROR.INVALID": "A parameter has an invalid value",
    "PARAMETER_ERROR.REQUIRED": "A required parameter is missing.",
    "PARAMETER_ERROR.ILLEGAL": "A parameter cannot be used with this request.",
    "ENTITY_UNPARSABLE": "The request entity is not valid JSON.",
    "ENTITY_INVALID": "The request entity is invalid.",
    "ENTITY_ERROR": "The request entity is not acceptable.",
    "ENTITY_ERROR.ATTRIBUTE.REQUIRED": "The provided entity is missing a required attribute",
    "ENTITY_ERROR.ATTRIBUTE.INVALID": "An attribute value is invalid.",
    "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE": "The provided entity includes an attribute with a duplicate value",
    "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE": "An attribute value is not acceptable for the current state.",
    "ENTITY_ERROR.RELATIONSHIP.REQUIRED": "The provided entity is missing a required relationship",
    "ENTITY_ERROR.RELATIONSHIP.INVALID": "The provided entity includes a relationship with an invalid value",
    "ENTITY_ERROR.TYPE.INVALID": "The provided entity has the wrong type",
    "ENTITY_ERROR.ID.INVALID": "The provided entity id does not match the path",
    "ENTITY_ERROR.STATE_ERROR": "The request cannot be fulfilled in the current state.",
    "UNSUPPORTED_MEDIA_TYPE": "The request entity has an unsupported media type.",
    "UNEXPECTED_ERROR": "An unexpected error occurred.",
    "SERVICE_UNAVAILABLE": "The service is temporarily unavailable.",
}

AUTH_DETAIL = (
    "Provide a properly configured and signed bearer token, and make sure that it has not expired. "
    "Learn more about Generating Tokens for API Requests https://developer.apple.com/go/?id=api-generating-tokens"
)


class ApiError(Exception):
    """One App Store Connect error: HTTP status, hierarchical code, detail and where it came from."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        pointer: str | None = None,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.title = title  # Apple's own title where it is not the code's generic one
        self.also: tuple[ApiError, ...] = ()  # further errors of the same answer (`errors[1:]`)
        self.status = status
        self.code = code
        self.detail = detail
        self.pointer = pointer
        self.parameter = parameter
        self.headers = headers or {}

    def item(self, error_id: str) -> dict[str, Any]:
        """The `errors[]` entry, shaped like Apple's (and the spec's ResponseError)."""
        title = self.title or _TITLES.get(self.code) or _TITLES.get(self.code.split(".")[0], "An error occurred.")
        out: dict[str, Any] = {
            "id": error_id,
            "status": str(self.status),
            "code": self.code,
            "title": title,
            "detail": self.detail,
        }
        if self.pointer is not None:
            out["source"] = {"pointer": self.pointer}
        elif self.parameter is not None:
            out["source"] = {"parameter": self.parameter}
        return out


def not_found(type_: str, id_: str) -> ApiError:
    """404 for a resource id that does not exist."""
    return ApiError(404, "NOT_FOUND", f"There is no resource of type '{type_}' with id '{id_}'")


def bad_parameter(name: str, detail: str) -> ApiError:
    """400 PARAMETER_ERROR.INVALID naming the query parameter."""
    return ApiError(400, "PARAMETER_ERROR.INVALID", detail, parameter=name)


def conflict(code: str, detail: str, pointer: str | None = None) -> ApiError:
    """409 ENTITY_ERROR…: the entity conflicts with the rules or the current state."""
    return ApiError(409, code, detail, pointer=pointer)


def unprocessable(code: str, detail: str, pointer: str | None = None) -> ApiError:
    """422 ENTITY_ERROR…: well-formed, but not possible for this resource now."""
    return ApiError(422, code, detail, pointer=pointer)
