"""The one HTTP client of a process for everything sent to Amazon: SP-API, Login with Amazon, feed documents.

Building an httpx client loads the CA bundle into a new TLS context, which took most of an idle order poll's
time when it happened per call and per integration. One client per process keeps one TLS context and a pool
of kept-alive connections. A forked worker builds its own: sockets must not be shared across a fork.
"""

from __future__ import annotations

import os
import ssl
import threading

import httpx

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=16, keepalive_expiry=30.0)

_lock = threading.RLock()  # client() builds the TLS context while holding it
_client: httpx.Client | None = None
_tls_context: ssl.SSLContext | None = None
_owner_pid: int | None = None


def client() -> httpx.Client:
    """This process's client (thread-safe; built on first use)."""
    global _client, _owner_pid
    if _client is None or _owner_pid != os.getpid():
        with _lock:
            if _client is None or _owner_pid != os.getpid():
                _client = httpx.Client(timeout=TIMEOUT, limits=LIMITS, verify=tls_context())
                _owner_pid = os.getpid()
    return _client


def tls_context() -> ssl.SSLContext:
    """One TLS context (the CA bundle loaded once) for every client of this process."""
    global _tls_context
    if _tls_context is None:
        with _lock:
            if _tls_context is None:
                _tls_context = httpx.create_ssl_context()
    return _tls_context
