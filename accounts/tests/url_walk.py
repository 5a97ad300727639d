"""Walks the URLconf so isolation tests cover every seller URL, including ones added later."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# URLs that are not seller pages: each has its own authentication (or none, on purpose).
PUBLIC_PREFIXES = ("admin/", "accounts/", "healthz", "api/", "static/", "channels/amazon/callback/")
PUBLIC_ROUTES = {""}  # the home page only redirects

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class SellerRoute:
    route: str
    view: object

    @property
    def parameters(self) -> list[str]:
        return [match["name"] for match in PARAMETER.finditer(self.route)]

    def url(self, values: dict[str, object]) -> str:
        return "/" + PARAMETER.sub(lambda match: str(values[match["name"]]), self.route)


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield SellerRoute(route=route, view=pattern.callback)


def seller_routes() -> list[SellerRoute]:
    return [
        route
        for route in _walk(get_resolver().url_patterns)
        if route.route not in PUBLIC_ROUTES and not route.route.startswith(PUBLIC_PREFIXES)
    ]
