"""Who is calling: a supplier's live bearer token, within its rate limit."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from stock.api.ratelimit import supplier_token_admit
from stock.models import SupplierToken, token_hash
from stock.services import supplier_token_used


class RateLimited(Exception):
    """The token has sent more requests than SUPPLIER_API_RATE_LIMIT allows (answered 429 with Retry-After)."""

    def __init__(self, retry_after: float):
        super().__init__(f"retry after {retry_after:.3f} s")
        self.retry_after = retry_after


class SupplierBearer(HttpBearer):
    """`Authorization: Bearer <token>` with a supplier's live API token."""

    def __call__(self, request: HttpRequest) -> SupplierToken | None:
        # Parsed here rather than by ninja, which logs a header it does not expect (a secret, often) in DEBUG.
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> SupplierToken | None:
        found = SupplierToken.objects.live().select_related("supplier").filter(token_hash=token_hash(token)).first()
        if found is None:
            return None
        wait = supplier_token_admit(token=found)
        if wait > 0:
            raise RateLimited(wait)
        supplier_token_used(token=found)
        return found
