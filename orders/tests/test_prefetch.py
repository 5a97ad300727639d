"""The next page of a download is fetched while the current one is stored; errors still arrive in page order."""

from __future__ import annotations

import threading

import pytest

from channels.amazon.errors import TransientError
from channels.amazon.types import OrdersPage
from orders.download.prefetch import pages_ahead

TOKENS = {None: "p2", "p2": "p3", "p3": None}


@pytest.fixture(autouse=True)
def prefetch_on(settings):
    settings.ORDER_DOWNLOAD_PREFETCH = True


def test_the_next_page_is_fetched_while_this_one_is_stored():
    second_asked = threading.Event()

    def fetch(token):
        if token == "p2":
            second_asked.set()
        return OrdersPage(orders=[], next_token=TOKENS[token])

    seen = []
    for page in pages_ahead(fetch, None):
        if not seen:  # storing the first page: the second is already on its way
            assert second_asked.wait(timeout=5)
        seen.append(page.next_token)

    assert seen == ["p2", "p3", None]


def test_a_failed_fetch_is_raised_after_the_pages_before_it():
    def fetch(token):
        if token == "p3":
            raise TransientError()
        return OrdersPage(orders=[], next_token=TOKENS[token])

    stored = []
    with pytest.raises(TransientError):
        for page in pages_ahead(fetch, None):
            stored.append(page.next_token)

    assert stored == ["p2", "p3"]


def test_a_single_page_starts_no_thread():
    threads = threading.active_count()

    pages = list(pages_ahead(lambda token: OrdersPage(orders=[], next_token=None), None))

    assert len(pages) == 1 and threading.active_count() == threads
