"""Fetching the next page of orders while the current one is stored: Amazon's latency overlaps our database work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connections

from channels.amazon.types import OrdersPage


def pages_ahead(fetch: Callable[[str | None], OrdersPage], first_token: str | None) -> Iterator[OrdersPage]:
    """Yield a window's pages in order, from `first_token`; while the caller stores one, the next is being fetched.

    The first page is fetched here, so an idle download (one page) starts no thread. An error fetching a page is
    raised when that page is asked for, after the caller has stored the pages before it.
    """
    page = fetch(first_token)
    if not settings.ORDER_DOWNLOAD_PREFETCH:
        while True:
            yield page
            if not page.next_token:
                return
            page = fetch(page.next_token)
    if not page.next_token:
        yield page
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="orders-prefetch") as pool:
        try:
            while True:
                ahead = pool.submit(fetch, page.next_token) if page.next_token else None
                yield page
                if ahead is None:
                    return
                page = ahead.result()
        finally:
            # The fetching thread may have opened database connections (a rate-limit bucket, a shared token).
            pool.submit(connections.close_all).result()
