"""Downloading an integration's orders from Amazon: held while alive (channels.holding; status), page by page
through a window (window), stored idempotently (store, upsert), and recorded as a run (run)."""

from orders.download.run import DownloadResult, orders_download
from orders.download.status import ORDERS_LANE, download_finished, downloads_swept, downloads_to_sweep
from orders.download.store import orders_store_page

__all__ = [
    "ORDERS_LANE",
    "DownloadResult",
    "download_finished",
    "downloads_swept",
    "downloads_to_sweep",
    "orders_download",
    "orders_store_page",
]
