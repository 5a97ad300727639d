"""Every answer but 200, in the supplier API's documented shapes, and how each operation documents them.

`{"error": "..."}`, and for a 400 also `"errors": [{"index", <key>, "reason"}]` (empty when the body itself is
wrong): never a 422, never `{"detail"}`, whatever ninja or pydantic would say by default.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import BaseModel, ConfigDict, Field, create_model

from stock.api.auth import RateLimited
from stock.api.body import BodyProblem, too_large_message
from stock.batches import REASON, SupplierRequestInvalid, TooManyItems
from stock.services import ConcurrentCreation

UNAUTHORISED = "Send a valid supplier API token: Authorization: Bearer <token>."


class ErrorOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"error": UNAUTHORISED}]})

    error: str = Field(description="What went wrong and what to do about it, as a sentence.")


@cache
def batch_error_schema(key_name: str) -> type[BaseModel]:
    """The 400 of a batch operation whose items are told apart by `key_name` (e.g. sku)."""
    item = create_model(
        f"{key_name.title().replace('_', '')}ItemError",
        index=(int, Field(description="The item's position in the request's list, from 0.")),
        **{key_name: (str | None, Field(description=f"The item's {key_name} as sent, when it is usable text."))},
        reason=(str, Field(description="What is wrong with the item, as a sentence.")),
    )
    return create_model(
        f"{key_name.title().replace('_', '')}BatchError",
        error=(str, Field(description="A summary; nothing of the request was applied.")),
        errors=(list[item], Field(description="Every problem of every bad item; empty when the body is wrong.")),
    )


def batch_responses(ok: type[BaseModel], *, key_name: str = "sku", conflict: bool = False) -> dict[int, Any]:
    """The responses a batch operation can give, for the OpenAPI document."""
    responses = {200: ok, 400: batch_error_schema(key_name), 401: ErrorOut, 413: ErrorOut, 429: ErrorOut}
    if conflict:
        responses[409] = ErrorOut
    return responses


# Headers and descriptions ninja does not derive from the schemas (merged into each operation).
RESPONSE_DETAILS = {
    400: {"description": "Bad items (each one listed), or a body this operation does not take; nothing applied."},
    401: {
        "description": "No live supplier token.",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": 'Bearer realm="supplier-api"'}},
    },
    409: {"description": "Another request created some of these products at the same moment; send it again."},
    413: {"description": "The body is over SUPPLIER_API_MAX_BODY_BYTES (2 MB) or holds more than 5,000 items."},
    429: {
        "description": "Over the token's rate limit (SUPPLIER_API_RATE_LIMIT requests per second, bursts of twice it).",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
    },
}


def operation_details(*, example: dict[str, Any], responses: dict[int, Any]) -> dict[str, Any]:
    """ninja's `openapi_extra` for an operation: a request example to copy, and its responses' headers."""
    return {
        "requestBody": {"content": {"application/json": {"example": example}}},
        "responses": {status: RESPONSE_DETAILS[status] for status in responses if status in RESPONSE_DETAILS},
    }


def error_handlers_install(api: NinjaAPI) -> None:
    handlers = {
        AuthenticationError: _unauthorised,
        RateLimited: _rate_limited,
        HttpError: _http_error,
        RequestDataTooBig: lambda api, request, exc: _error(api, request, 413, too_large_message()),
        TooManyItems: lambda api, request, exc: _error(api, request, 413, str(exc)),
        ValidationError: _body_invalid,
        SupplierRequestInvalid: _items_invalid,
        ConcurrentCreation: lambda api, request, exc: _error(
            api, request, 409, "Another request created some of these products at the same moment; send it again."
        ),
    }
    for exception, handler in handlers.items():
        api.add_exception_handler(exception, lambda request, exc, handler=handler: handler(api, request, exc))


def _error(api: NinjaAPI, request: HttpRequest, status: int, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"error": message, **extra}, status=status)


def _unauthorised(api: NinjaAPI, request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(api, request, 401, UNAUTHORISED)
    response["WWW-Authenticate"] = 'Bearer realm="supplier-api"'
    return response


def _rate_limited(api: NinjaAPI, request: HttpRequest, exc: RateLimited) -> HttpResponse:
    seconds = max(1, math.ceil(exc.retry_after))
    response = _error(api, request, 429, f"Too many requests with this token; wait {seconds} s and send it again.")
    response["Retry-After"] = str(seconds)
    return response


def _http_error(api: NinjaAPI, request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps what the body parser raises: a BodyProblem keeps its own status and sentence.
    problem = exc.__cause__
    if isinstance(problem, BodyProblem):
        extra = {"errors": []} if problem.status == 400 else {}
        return _error(api, request, problem.status, problem.message, **extra)
    return _error(api, request, exc.status_code, str(exc))


def _body_invalid(api: NinjaAPI, request: HttpRequest, exc: ValidationError) -> HttpResponse:
    sentences = [error["msg"] if error["type"] == REASON else _body_sentence(error) for error in exc.errors]
    return _error(api, request, 400, " ".join(dict.fromkeys(sentences)), errors=[])


def _body_sentence(error: dict[str, Any]) -> str:
    if error["type"] == "missing" and len(error["loc"]) <= 2:
        return "The body is empty: send the JSON object this operation takes (see /api/v1/docs)."
    return f"The body is not what this operation takes: {error['msg']} (see /api/v1/docs)."


def _items_invalid(api: NinjaAPI, request: HttpRequest, exc: SupplierRequestInvalid) -> HttpResponse:
    return _error(
        api,
        request,
        400,
        f"{len(exc.errors)} problem(s) found; nothing was applied. Fix them and send it again.",
        errors=[error.as_dict(exc.key_name) for error in exc.errors],
    )
