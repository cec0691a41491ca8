"""Every answer of /api/v1 that is not a success has one shape, ``{"error", "message", "fields"}``: ``error`` is a
stable code to branch on, ``message`` a sentence for people, ``fields`` (422 only) one entry per value that is
wrong. Bodies are read here, under a size limit and before any parsing: a malformed body is a 400 with the
reason, one over the limit a 413, a body nested past reason a 400 — never a 500."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

API_PREFIX = "/api/v1"
REALM = 'Bearer realm="tandem"'
JSON_TYPES = ("application/json", "text/json")
MAX_FIELD_ERRORS = 20


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class ApiError(Exception):
    """An answer other than success, raised anywhere under /api/v1 and rendered in the one shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: Sequence[FieldError] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = tuple(fields)
        self.headers = headers or {}


def unauthorized(message: str, *, invalid: bool) -> ApiError:
    """401 with the challenge RFC 6750 asks for; ``invalid`` says a key was sent but is not (or no longer) one."""
    challenge = REALM + (', error="invalid_token"' if invalid else "")
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": challenge})


def invalid(fields: Sequence[FieldError]) -> ApiError:
    names = ", ".join(dict.fromkeys(f.field for f in fields))
    return ApiError(422, "invalid_fields", f"Some values cannot be used: {names}.", fields=fields)


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def problem(error: ApiError) -> JSONResponse:
    body: dict[str, Any] = {"error": error.code, "message": error.message}
    if error.fields:
        body["fields"] = [{"field": f.field, "message": f.message} for f in error.fields]
    return JSONResponse(body, status_code=error.status, headers=error.headers)


async def read_json(request: Request, *, limit: int) -> Any:
    """The request's JSON body: 415 when it is not JSON, 413 over ``limit`` bytes (before reading more than
    that), 400 when it does not parse — NaN and Infinity are not JSON, and nesting deeper than Python's
    recursion limit is refused rather than crashing the parser."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind not in JSON_TYPES and not kind.endswith("+json"):
        raise ApiError(415, "unsupported_media_type", "Send the lead as JSON, with Content-Type: application/json.")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(None, limit)
    if not body.strip():
        raise ApiError(400, "malformed_body", "The body is empty; send the lead as a JSON object.")
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise ApiError(400, "malformed_body", "The body is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise ApiError(
            400,
            "malformed_body",
            f"The body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}.",
        ) from None
    except _NotJson as error:
        raise ApiError(400, "malformed_body", f"The body is not valid JSON: {error} is not a JSON value.") from None
    except ValueError:  # a number of thousands of digits, which Python refuses to convert
        raise ApiError(400, "malformed_body", "The body holds a number too long to read.") from None
    except RecursionError:
        raise ApiError(
            400, "malformed_body", "The body is nested too deeply; a lead is one flat JSON object."
        ) from None


class _NotJson(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotJson(name)


def _too_large(size: int | None, limit: int) -> ApiError:
    said = f" is {size:,} bytes;" if size is not None else " is larger than that:"
    return ApiError(413, "too_large", f"The body{said} the limit is {limit:,} bytes for one lead.")


def field_errors(error: ValidationError | RequestValidationError) -> list[FieldError]:
    """pydantic's errors as one entry per field, in words a person can act on."""
    found: list[FieldError] = []
    for item in error.errors()[:MAX_FIELD_ERRORS]:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "header", "path")]
        name = _shown(location[0]) if location else "body"
        found.append(FieldError(name, _message(name, item)))
    return found


def _shown(name: str) -> str:
    """A field name as sent, fit to be echoed: at most 80 characters, anything UTF-8 cannot hold escaped."""
    return name[:80].encode("utf-8", "backslashreplace").decode("utf-8")


def _message(name: str, item: Any) -> str:
    kind = item.get("type", "")
    context = item.get("ctx") or {}
    if kind == "string_too_long":
        given = item.get("input")
        length = f" is {len(given):,} characters long;" if isinstance(given, str) else " is too long;"
        return f"{name}{length} the limit is {context.get('max_length', 0):,}."
    if kind == "string_too_short":
        return f"{name} cannot be empty."
    if kind == "extra_forbidden":
        return f"{name} is not a field of a lead (fields: company, email, name, source, campaign, note, owner_email)."
    if kind == "missing":
        return f"{name} is required."
    if kind == "string_type":
        return f"{name} must be a string."
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return 'The body must be a JSON object, like {"company": "Acme"}.'
    message = str(item.get("msg", "is not valid"))
    if kind == "value_error":
        return f"{name} {message.removeprefix('Value error, ')}."
    return f"{name}: {message}."


def install(app: FastAPI) -> None:
    """The handlers that give /api/v1 its one shape; every other path keeps FastAPI's own answers."""

    async def api_error(_request: Request, error: Exception) -> Response:
        assert isinstance(error, ApiError)
        return problem(error)

    async def validation(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        if not request.url.path.startswith(API_PREFIX):
            return await request_validation_exception_handler(request, error)
        return problem(invalid(field_errors(error)))

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if not request.url.path.startswith(API_PREFIX):
            return await http_exception_handler(request, error)
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        message = {404: "There is no such endpoint; see /docs.", 405: "This endpoint does not take that method."}
        text = message.get(error.status_code, str(error.detail))
        return problem(ApiError(error.status_code, code, text, headers=dict(error.headers or {})))

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http_error)
