"""Who is calling: a supplier's live bearer token, within its rate limit."""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.http import HttpRequest
from ninja.security import HttpBearer

from stock.api.ratelimit import supplier_token_admit
from stock.models import Supplier, SupplierToken, token_hash
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
        found = _live_token(token_hash(token))
        if found is None:
            return None
        wait = supplier_token_admit(token=found)
        if wait > 0:
            raise RateLimited(wait)
        supplier_token_used(token=found)
        return found


def _live_token(hashed: str) -> SupplierToken | None:
    """The live token with this hash, with its supplier's id and name (the rest of the supplier loads if asked for).

    Every supplier request asks this first; compiling it through the ORM (a join, the model's ordering) took longer
    than PostgreSQL took to answer it."""
    token = next(iter(SupplierToken.objects.raw(_live_token_sql(), [hashed])), None)
    if token is not None:
        token.supplier = Supplier.from_db(connection.alias, ["id", "name"], [token.supplier_id, token.supplier_name])
    return token


@cache
def _live_token_sql() -> str:
    quote = connection.ops.quote_name
    tokens, suppliers = quote(SupplierToken._meta.db_table), quote(Supplier._meta.db_table)
    return (
        f"SELECT {tokens}.*, {suppliers}.{quote('name')} AS supplier_name FROM {tokens} "  # noqa: S608 (names only)
        f"INNER JOIN {suppliers} ON {suppliers}.{quote('id')} = {tokens}.{quote('supplier_id')} "
        f"WHERE {tokens}.{quote('token_hash')} = %s AND {tokens}.{quote('revoked_at')} IS NULL"
    )
