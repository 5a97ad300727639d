"""Reading a supplier API request body: at most SUPPLIER_API_MAX_BODY_BYTES, strict UTF-8, strict JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest
from ninja.parser import Parser

from stock.batches import RepeatedKeys


class BodyProblem(Exception):
    """The body cannot be read as a request at all (too large, not UTF-8, not JSON); nothing of it is looked at."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def too_large_message() -> str:
    return f"The body is larger than {settings.SUPPLIER_API_MAX_BODY_BYTES:,} bytes; split it into smaller requests."


def body_bounded(run: Callable) -> Callable:
    """Never read more than the limit and one byte, even of a body sent without a Content-Length.

    Django reads no body at all without a Content-Length; gunicorn passes a chunked body on as a stream that
    ends by itself (`wsgi.input_terminated`), so such a body is read, up to the limit and one byte.
    """

    @wraps(run)
    def bounded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        environ = getattr(request, "environ", {})
        limit = settings.SUPPLIER_API_MAX_BODY_BYTES + 1
        length = _content_length(environ)
        unbounded = environ.get("wsgi.input_terminated") if length is None else length > limit
        if unbounded:
            request._stream = LimitedStream(environ["wsgi.input"], limit)
        return run(request, *args, **kwargs)

    return bounded


def _content_length(environ: dict) -> int | None:
    try:
        return int(environ["CONTENT_LENGTH"])
    except (KeyError, ValueError):
        return None


class SupplierJsonParser(Parser):
    """JSON as RFC 8259 has it: UTF-8, and every key once per object; numbers with a fraction stay exact."""

    def parse_body(self, request: HttpRequest) -> Any:
        body = request.body
        if len(body) > settings.SUPPLIER_API_MAX_BODY_BYTES:
            raise BodyProblem(413, too_large_message())
        return json_loads_strict(body)


def json_loads_strict(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyProblem(
            400, f"The body is not valid JSON: it must be UTF-8 text, and byte {error.start} is not."
        ) from None
    try:
        # NaN and Infinity become Decimals that no field takes, so they are refused item by item.
        return json.loads(text, object_pairs_hook=_object, parse_float=Decimal, parse_constant=Decimal)
    except json.JSONDecodeError as error:
        raise BodyProblem(
            400, f"The body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from None
    except RecursionError:
        raise BodyProblem(
            400, "The body is nested too deeply: send a JSON object holding one flat list of items."
        ) from None


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    return result if len(result) == len(pairs) else RepeatedKeys(pairs)
