"""The HTTP server: a standard-library ThreadingHTTPServer in front of the route table."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from channels.amazon.simulator import (
    consent,
    control,
    feeds_api,
    listings_api,
    lwa,
    orders_api,
    orders_v0_api,
    sellers_api,
)
from channels.amazon.simulator.demo import DemoOrderStream, seed_demo_data
from channels.amazon.simulator.pipeline import respond
from channels.amazon.simulator.routing import Request, Router
from channels.amazon.simulator.state import SimulatorState

logger = logging.getLogger(__name__)

_LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
_WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # noqa: S104 - names, not a bind


def build_router() -> Router:
    router = Router()
    for surface in (consent, lwa, orders_api, orders_v0_api, sellers_api, feeds_api, listings_api, control):
        surface.register(router)
    return router


class AmazonSimulator:
    """Amazon's Seller Central consent page, Login with Amazon and the SP-API operations the platform uses.

    sim = AmazonSimulator(speedup=1.0); base_url = sim.start(port=0); ...; sim.stop()
    """

    def __init__(self, speedup: float = 1.0, *, demo: bool = False) -> None:
        self.state = SimulatorState(speedup=speedup)
        self.router = build_router()
        self.base_url: str | None = None
        self._demo = demo
        self._host = "127.0.0.1"
        self._server: _SimulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._order_stream: DemoOrderStream | None = None
        if demo:
            seed_demo_data(self.state)

    @property
    def speedup(self) -> float:
        return self.state.speedup

    @speedup.setter
    def speedup(self, value: float) -> None:
        self.state.speedup = value

    def start(self, port: int = 0, host: str = "127.0.0.1") -> str:
        """Serve in a background thread; port 0 picks a free one. Returns the base URL."""
        self._host = host
        self._server = _SimulatorHTTPServer((host, port), _RequestHandler, self)
        self.base_url = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="amazon-simulator", daemon=True
        )
        self._thread.start()
        if self._demo:
            self._order_stream = DemoOrderStream(self.state)
            self._order_stream.start()
        return self.base_url

    def stop(self) -> None:
        if self._order_stream:
            self._order_stream.stop()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join()
        self._server = self._thread = self._order_stream = None

    def accepts_host(self, host_header: str) -> bool:
        """Whether a Host header names this server, as Amazon's edge insists; a mangled one gets 400."""
        name, _, port = host_header.rpartition(":")
        bound_host, bound_port = self._bound_address()
        return port == str(bound_port) and (bound_host in _WILDCARD_HOSTS or name in (bound_host, *_LOCAL_NAMES))

    def public_url(self, host_header: str) -> str:
        """The base of the URLs we hand out (feed documents): our address, or what the client used on a wildcard."""
        bound_host, _ = self._bound_address()
        if bound_host in _WILDCARD_HOSTS and self.accepts_host(host_header):
            return f"http://{host_header}"
        return self.base_url or ""

    def _bound_address(self) -> tuple[str, int]:
        assert self._server is not None, "the simulator is not running"
        return self._host, self._server.server_address[1]

    def serve_forever(self, port: int, host: str = "127.0.0.1") -> None:
        """Serve in the calling thread until interrupted (the management command)."""
        self.start(port=port, host=host)
        try:
            threading.Event().wait()
        finally:
            self.stop()

    def __enter__(self) -> AmazonSimulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Tests open many short connections at once; the default backlog of 5 refuses some of them.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], simulator: AmazonSimulator):
        self.simulator = simulator
        super().__init__(address, handler)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as SP-API clients expect
    # Headers and body go out in separate writes; with Nagle on, keep-alive clients wait ~40 ms per response.
    disable_nagle_algorithm = True
    server: _SimulatorHTTPServer

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def _handle(self) -> None:
        simulator = self.server.simulator
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        host_header = self.headers.get("Host", "")
        request = Request(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
            base_url=simulator.public_url(host_header),
            host_valid=simulator.accepts_host(host_header),
        )
        response = respond(simulator.state, simulator.router, request)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
