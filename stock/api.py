"""The supplier API: JSON over HTTP, authenticated by a supplier's bearer token (no sessions, no CSRF)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from stock import services
from stock.models import SupplierToken, token_hash

# 1,000 updates are about 80 kB; 1,000 products with long titles well under 1 MiB.
MAX_BODY_BYTES = getattr(settings, "SUPPLIER_API_MAX_BODY_BYTES", 2 * 1024 * 1024)
MAX_ITEMS = getattr(settings, "SUPPLIER_API_MAX_ITEMS", 5_000)


def _error(status: int, message: str, **extra: Any) -> JsonResponse:
    response = JsonResponse({"error": message, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="supplier-api"'
    return response


def _token_of(request: HttpRequest) -> SupplierToken | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return SupplierToken.objects.live().select_related("supplier").filter(token_hash=token_hash(token.strip())).first()


def supplier_endpoint(key: str) -> Callable:
    """POST only, a live token, a body within the size limit holding a JSON object with a `key` list."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest) -> JsonResponse:
            if request.method != "POST":
                response = _error(405, "Use POST.")
                response["Allow"] = "POST"
                return response
            token = _token_of(request)
            if token is None:
                return _error(401, "Send a valid supplier API token: Authorization: Bearer <token>.")
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > MAX_BODY_BYTES:
                return _error(413, f"The body is larger than {MAX_BODY_BYTES:,} bytes; split it into smaller requests.")
            body = request.read(MAX_BODY_BYTES + 1)  # also bounds a chunked body without a Content-Length
            if len(body) > MAX_BODY_BYTES:
                return _error(413, f"The body is larger than {MAX_BODY_BYTES:,} bytes; split it into smaller requests.")
            try:
                payload = json.loads(body, parse_float=Decimal)
            except (ValueError, UnicodeDecodeError):
                return _error(400, "The body is not valid JSON.", errors=[])
            if not isinstance(payload, dict) or not isinstance(payload.get(key), list):
                return _error(400, f'The body must be a JSON object with a "{key}" list.', errors=[])
            if len(payload[key]) > MAX_ITEMS:
                return _error(413, f"Send at most {MAX_ITEMS:,} {key} per request; split them into several requests.")
            try:
                return view(request, token=token, items=payload[key])
            except services.SupplierRequestInvalid as invalid:
                return _error(
                    400,
                    f"{len(invalid.errors)} problem(s) found; nothing was applied. Fix them and send it again.",
                    errors=[error.as_dict() for error in invalid.errors],
                )
            except services.ConcurrentCreation:
                return _error(409, "Another request created some of these products at the same moment; send again.")

        return wrapped

    return decorate


@supplier_endpoint("products")
def products(request: HttpRequest, *, token: SupplierToken, items: list) -> JsonResponse:
    result = services.product_upsert(supplier=token.supplier, products=items, token=token)
    return JsonResponse(result.as_dict())


@supplier_endpoint("updates")
def stock(request: HttpRequest, *, token: SupplierToken, items: list) -> JsonResponse:
    result = services.stock_updates_apply(supplier=token.supplier, updates=items, token=token)
    return JsonResponse(result.as_dict())
