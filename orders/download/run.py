"""One order download of one integration: claimed, walked page by page, recorded in the activity log.

Every page is committed with the resume point for the next one; the cursor moves only when the last page of
a window is committed.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from activity.models import Run
from activity.services import GENERIC_ERROR, RunRecorder, run_record
from channels.amazon.errors import AmazonError, PermanentError
from channels.amazon.gateway import gateway_for
from channels.amazon.outcomes import outcome_of
from channels.amazon.types import OrdersPage
from channels.eligibility import Work, eligible, why_not
from channels.models import Integration
from orders.download.claim import ClaimLost, download_claim, download_release
from orders.download.store import orders_store_page
from orders.download.window import page_fetch, window_open, window_restart, window_save
from orders.models import OrderDownload

logger = logging.getLogger(__name__)


@dataclass
class DownloadResult:
    integration_id: int
    outcome: str = "done"  # done | skipped | failed
    pages: int = 0
    orders_created: int = 0
    orders_updated: int = 0
    orders_not_imported: int = 0
    problem: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"

    def summary(self) -> str:
        if self.outcome == "skipped":
            return f"integration {self.integration_id}: skipped ({self.problem})"
        counts = (
            f"{self.pages} pages, {self.orders_created} new orders, {self.orders_updated} updated, "
            f"{self.orders_not_imported} not imported"
        )
        if self.failed:
            return f"integration {self.integration_id}: FAILED after {counts}: {self.problem}"
        return f"integration {self.integration_id}: ok, {counts}"


def orders_download(
    *,
    integration_id: int,
    claimed_by: str | None = None,
    wait_for_rate_limit: bool = False,
    result: DownloadResult | None = None,
) -> DownloadResult:
    """_orders_download, recorded as a run in the activity log (a skipped download is not a run)."""
    result = result or DownloadResult(integration_id=integration_id)
    with run_record(integration_id=integration_id, kind=Run.Kind.ORDER_DOWNLOAD) as run:
        try:
            return _orders_download(
                integration_id=integration_id,
                claimed_by=claimed_by,
                wait_for_rate_limit=wait_for_rate_limit,
                result=result,
            )
        finally:
            _run_fill(run, result)


def _run_fill(recorder: RunRecorder, result: DownloadResult) -> None:
    if result.outcome == "skipped":
        recorder.discard()
        return
    recorder.orders_brought = result.orders_created
    recorder.orders_not_imported = result.orders_not_imported
    if result.failed:
        recorder.fail(result.problem or GENERIC_ERROR)


def _orders_download(
    *, integration_id: int, claimed_by: str | None, wait_for_rate_limit: bool, result: DownloadResult
) -> DownloadResult:
    """Download the integration's new and changed orders.

    1. Skip integrations that may not download orders now (releasing any claim of ours), and skip when
       another download holds the claim.
    2. Walk the window (`_walk`), committing page by page.
    3. When Amazon says to try again later (throttled, unavailable) the error propagates for the caller to
       retry: the claim is kept for the caller to extend or release, and `result` holds what was done so far.
       Any other Amazon error ends the download as failed (a revoked authorisation flags the integration).
    """
    result.outcome, result.problem = "done", ""
    integration = eligible(Work.ORDERS).filter(pk=integration_id).first()
    if integration is None:
        if claimed_by:
            download_release(integration_id=integration_id, claimed_by=claimed_by)
        result.outcome, result.problem = "skipped", _why_skipped(integration_id)
        return result
    claimed_by = claimed_by or uuid.uuid4().hex
    if not download_claim(integration_id=integration_id, claimed_by=claimed_by):
        result.outcome, result.problem = "skipped", "another download of this integration is running"
        return result
    try:
        _walk(integration, claimed_by=claimed_by, wait_for_rate_limit=wait_for_rate_limit, result=result)
    except AmazonError as error:
        outcome = outcome_of(error, integration_id=integration_id)
        result.outcome, result.problem = "failed", outcome.message
        if outcome.retries:
            raise
        logger.warning("Order download of integration %s failed: %s", integration_id, outcome.message)
    except ClaimLost:
        result.outcome, result.problem = "failed", "another download took over this integration"
        return result
    download_release(
        integration_id=integration_id, claimed_by=claimed_by, problem=result.problem, succeeded=not result.failed
    )
    return result


def _why_skipped(integration_id: int) -> str:
    integration = Integration.objects.filter(pk=integration_id).first()
    if integration is None:
        return "there is no such integration"
    return why_not(integration, Work.ORDERS) or "it may not download orders now"


def _walk(integration: Integration, *, claimed_by: str, wait_for_rate_limit: bool, result: DownloadResult) -> None:
    """Open a window (or resume the one in progress) and fetch its pages; a refused saved token restarts it once."""
    row = OrderDownload.objects.get(integration_id=integration.pk)
    window_open(row, now=timezone.now())
    window_save(row, claimed_by=claimed_by)
    restarted = False
    with gateway_for(integration, wait_for_rate_limit=wait_for_rate_limit) as gateway:
        while True:
            try:
                page = page_fetch(gateway, row)
            except PermanentError:
                if not row.next_page_token or restarted:
                    raise
                restarted = True
                window_restart(row, now=timezone.now())
                window_save(row, claimed_by=claimed_by)
                continue
            _page_commit(integration=integration, row=row, page=page, claimed_by=claimed_by, result=result)
            if not page.next_token:
                return


def _page_commit(
    *, integration: Integration, row: OrderDownload, page: OrdersPage, claimed_by: str, result: DownloadResult
) -> None:
    """Store a page and its resume point in one transaction; the last page also moves the cursor."""
    now = timezone.now()
    with transaction.atomic():
        # First statement: locks the download row, so mapping changes (orders_reclassify) wait for this page.
        moved = OrderDownload.objects.filter(pk=row.pk, claimed_by=claimed_by).update(
            claimed_until=now + timedelta(seconds=settings.ORDER_DOWNLOAD_CLAIM_SECONDS),
            next_page_token=page.next_token or "",
            pages_done=F("pages_done") + 1,
            **(
                {}
                if page.next_token
                else {
                    "cursor": row.window_until,
                    "window_created_after": None,
                    "window_updated_after": None,
                    "window_until": None,
                }
            ),
        )
        if moved != 1:
            raise ClaimLost
        if connection.vendor == "postgresql":
            # A page lost in a database crash is fetched again: its resume point is in the same transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        counts = orders_store_page(integration=integration, orders=page.orders, now=now)
    row.next_page_token = page.next_token or ""
    result.pages += 1
    result.orders_created += counts.created
    result.orders_updated += counts.updated
    result.orders_not_imported += counts.not_imported
