"""Requests, responses and the route table, kept free of the HTTP server so handlers stay plain functions."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from channels.amazon.simulator.state import SimulatorState


class BadRequest(Exception):
    """The request is malformed; handlers raise it and the server answers 400 in the surface's own format."""


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    base_url: str
    # False when the Host header does not name this server (python-amazon-sp-api mangles it for http:// URLs).
    host_valid: bool = True

    def param(self, name: str) -> str | None:
        values = self.params(name)
        return values[0] if values else None

    def params(self, name: str) -> list[str]:
        """Array parameters: SP-API clients send them comma-separated or repeated; accept both."""
        return [part for value in self.query.get(name, []) for part in value.split(",") if part]

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise BadRequest("The request body is not valid JSON.") from None

    def form(self) -> dict[str, str]:
        parsed = parse_qs(self.body.decode("utf-8", errors="replace"), keep_blank_values=True)
        return {name: values[0] for name, values in parsed.items()}


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Exchange:
    """What a handler gets: the world, the request, the path parameters and, for SP-API, the caller."""

    state: SimulatorState
    request: Request
    path_params: dict[str, str]
    selling_partner_id: str | None = None


Handler = Callable[[Exchange], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    # The SP-API operationId (or "token"): faults, rate limits and the call log key on it.
    operation: str | None = None
    sp_api: bool = False


class Router:
    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, operation: str | None = None, sp_api: bool = False):
        """template is a path with {name} placeholders, each matching one path segment."""
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        self._routes.append(Route(method, re.compile(f"^{regex}$"), handler, operation, sp_api))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self._routes:
            found = route.pattern.match(path)
            if found and route.method == method:
                return route, found.groupdict()
        return None

    def allows_path(self, path: str) -> bool:
        return any(route.pattern.match(path) for route in self._routes)


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(data).encode(), {"Content-Type": "application/json", **(headers or {})})


def errors_response(status: int, code: str, message: str, details: str = "") -> Response:
    """SP-API's error shape: {"errors": [{"code", "message", "details"}]}."""
    return json_response(status, {"errors": [{"code": code, "message": message, "details": details}]})


def html_response(status: int, html: str) -> Response:
    return Response(status, html.encode(), {"Content-Type": "text/html; charset=utf-8"})


def request_id() -> str:
    return str(uuid.uuid4())


def iso(moment: datetime) -> str:
    """Amazon's timestamps: UTC, whole seconds, Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
