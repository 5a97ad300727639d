"""Downloading an integration's orders from Amazon: claimed (claim), page by page through a window (window),
stored idempotently (store, upsert), and recorded as a run (run)."""

from orders.download.claim import download_keep_claim, download_release
from orders.download.run import DownloadResult, orders_download
from orders.download.store import orders_store_page

__all__ = ["DownloadResult", "download_keep_claim", "download_release", "orders_download", "orders_store_page"]
