"""The window a download walks: which orders to ask Amazon for, and where the next page starts.

The window's query and the next page's token are saved with each committed page, so a retried or restarted
download resumes there instead of starting over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from channels.amazon.gateway import AmazonGateway
from channels.amazon.types import OrdersPage
from orders.models import OrderDownload

WINDOW_FIELDS = ["window_created_after", "window_updated_after", "window_until", "next_page_token", "pages_done"]


def window_open(row: OrderDownload, *, now: datetime) -> None:
    """Start a window unless one is in progress: 30 days back the first time, else from the cursor less the overlap."""
    if row.window_in_progress:
        return
    row.window_until = now
    row.next_page_token = ""
    row.pages_done = 0
    if row.cursor is None:
        row.window_created_after = now - timedelta(days=settings.ORDER_FIRST_DOWNLOAD_DAYS)
        row.window_updated_after = None
    else:
        row.window_created_after = None
        row.window_updated_after = row.cursor - timedelta(minutes=settings.ORDER_DOWNLOAD_OVERLAP_MINUTES)


def window_restart(row: OrderDownload, *, now: datetime) -> None:
    """Amazon refused the saved page token (expired): ask the same window again from its first page."""
    row.window_until = now
    row.next_page_token = ""
    row.pages_done = 0


def window_save(row: OrderDownload) -> None:
    OrderDownload.objects.filter(pk=row.pk).update(**{name: getattr(row, name) for name in WINDOW_FIELDS})


def page_fetch(gateway: AmazonGateway, row: OrderDownload, pagination_token: str | None) -> OrdersPage:
    """A page of the window from Amazon: its first (no token) or the one a page's token points to."""
    return gateway.search_orders(
        created_after=row.window_created_after,
        last_updated_after=row.window_updated_after,
        pagination_token=pagination_token,
        max_results=page_size(),
    )


def page_size() -> int:
    """ORDER_DOWNLOAD_PAGE_SIZE within what Amazon accepts (1 to 100): a mistyped setting never stops downloads."""
    return min(100, max(1, settings.ORDER_DOWNLOAD_PAGE_SIZE))
