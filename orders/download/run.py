"""One order download of one integration: held while alive, walked page by page, recorded in the activity log.

Every page is committed with the resume point for the next one; the cursor moves only when the last page of
a window is committed, together with the download's finishing stamps. An idle download (nothing new) is four
queries: read, hold, that last commit, let go; it writes no activity run, the seller sees it as "orders last
checked".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.db import connection
from django.utils import timezone

from activity.models import Run
from activity.services import GENERIC_ERROR, RunRecorder, run_record
from channels.amazon.errors import AmazonError, PermanentError
from channels.amazon.gateway import gateway_for
from channels.amazon.outcomes import outcome_of
from channels.amazon.types import OrdersPage
from channels.eligibility import Work, eligible, why_not
from channels.holding import hold
from channels.models import Integration
from orders.download.prefetch import pages_ahead
from orders.download.status import ORDERS_LANE, download_finished, download_finished_fields, download_row
from orders.download.store import SkippedOrder, orders_store_page
from orders.download.window import WINDOW_FIELDS, page_fetch, window_open, window_restart, window_save
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
    orders_skipped: list[SkippedOrder] = field(default_factory=list)
    problem: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"

    @property
    def idle(self) -> bool:
        """Done with no order at all on Amazon's pages: nothing for the activity log."""
        return self.outcome == "done" and not (
            self.orders_created or self.orders_updated or self.orders_not_imported or self.orders_skipped
        )

    def summary(self) -> str:
        if self.outcome == "skipped":
            return f"integration {self.integration_id}: skipped ({self.problem})"
        counts = (
            f"{self.pages} pages, {self.orders_created} new orders, {self.orders_updated} updated, "
            f"{self.orders_not_imported} not imported"
            + (f", {len(self.orders_skipped)} skipped" if self.orders_skipped else "")
        )
        if self.failed:
            return f"integration {self.integration_id}: FAILED after {counts}: {self.problem}"
        return f"integration {self.integration_id}: ok, {counts}"


def orders_download(
    *,
    integration_id: int,
    wait_for_rate_limit: bool = False,
    wait_for_holder: float = 0.0,
    on_wait: Callable[[], None] | None = None,
    result: DownloadResult | None = None,
) -> DownloadResult:
    """_orders_download, recorded as a run in the activity log (a skipped or idle download is not a run)."""
    result = result or DownloadResult(integration_id=integration_id)
    with run_record(integration_id=integration_id, kind=Run.Kind.ORDER_DOWNLOAD, open_now=False) as run:
        try:
            return _orders_download(
                integration_id=integration_id,
                wait_for_rate_limit=wait_for_rate_limit,
                wait_for_holder=wait_for_holder,
                on_wait=on_wait,
                result=result,
            )
        finally:
            _run_fill(run, result)


def _run_fill(recorder: RunRecorder, result: DownloadResult) -> None:
    if result.outcome == "skipped" or result.idle:
        recorder.discard()
        return
    recorder.orders_brought = result.orders_created
    recorder.orders_not_imported = result.orders_not_imported
    if result.failed:
        recorder.fail(result.problem or GENERIC_ERROR)
    if result.orders_skipped:
        # The seller sees each skipped order and why on the integration's activity; the run is then partial.
        recorder.error_count += len(result.orders_skipped) + (1 if result.failed else 0)
        skipped = "\n".join(f"Order {order.amazon_order_id} skipped: {order.reason}" for order in result.orders_skipped)
        recorder.error = "\n".join(filter(None, [recorder.error, skipped]))


def _orders_download(
    *,
    integration_id: int,
    wait_for_rate_limit: bool,
    wait_for_holder: float,
    on_wait: Callable[[], None] | None,
    result: DownloadResult,
) -> DownloadResult:
    """Download the integration's new and changed orders.

    1. Skip integrations that may not download orders now, and skip when a live process holds the integration's
       download (after waiting up to `wait_for_holder` seconds for it to finish).
    2. Walk the window (`_walk`), committing page by page; the hold ends with this call, however it ends.
    3. When Amazon says to try again later (throttled, unavailable) the error propagates for the caller to
       retry, and `result` holds what was done so far. Any other Amazon error ends the download as failed (a
       revoked authorisation flags the integration).
    """
    result.outcome, result.problem = "done", ""
    integration = eligible(Work.ORDERS).select_related("order_download").filter(pk=integration_id).first()
    if integration is None:
        result.outcome, result.problem = "skipped", _why_skipped(integration_id)
        return result
    with hold(integration_id, ORDERS_LANE, wait=wait_for_holder, on_wait=on_wait) as held:
        if not held:
            result.outcome, result.problem = "skipped", "another download of this integration is running"
            if wait_for_holder:
                result.problem += f" (still, after waiting {wait_for_holder:.0f} s)"
            return result
        row = _download_row_of(integration)
        try:
            _walk(integration, row, wait_for_rate_limit=wait_for_rate_limit, result=result)
        except AmazonError as error:
            outcome = outcome_of(error, integration_id=integration_id)
            result.outcome, result.problem = "failed", outcome.message
            download_finished(integration_id=integration_id, problem=outcome.message)
            if outcome.retries:
                raise
            logger.warning("Order download of integration %s failed: %s", integration_id, outcome.message)
    return result  # a finished walk stamped the download with its last page


def _why_skipped(integration_id: int) -> str:
    integration = Integration.objects.filter(pk=integration_id).first()
    if integration is None:
        return "there is no such integration"
    return why_not(integration, Work.ORDERS) or "it may not download orders now"


def _download_row_of(integration: Integration) -> OrderDownload:
    try:
        return integration.order_download
    except OrderDownload.DoesNotExist:  # the integration's first download
        return download_row(integration_id=integration.pk)


def _walk(integration: Integration, row: OrderDownload, *, wait_for_rate_limit: bool, result: DownloadResult) -> None:
    """Open a window (or resume the one in progress) and fetch its pages, the next one while this one is stored; a
    refused saved token restarts the window once.

    A new window is saved with its first committed page: if that page never comes, the next download opens a
    window just like it.
    """
    started_at = timezone.now()
    window_open(row, now=started_at)
    restarted = False
    with gateway_for(integration, wait_for_rate_limit=wait_for_rate_limit) as gateway:
        while True:
            try:
                for page in pages_ahead(partial(page_fetch, gateway, row), row.next_page_token or None):
                    _page_commit(integration=integration, row=row, page=page, started_at=started_at, result=result)
                return
            except PermanentError:
                if not row.next_page_token or restarted:
                    raise
                restarted = True
                window_restart(row, now=timezone.now())
                window_save(row)


def _page_commit(
    *, integration: Integration, row: OrderDownload, page: OrdersPage, started_at, result: DownloadResult
) -> None:
    """Store a page and its resume point in one transaction; the last page also moves the cursor and stamps the
    download finished. A last page with no orders is that one statement alone."""
    now = timezone.now()
    if page.next_token:
        fields = {name: getattr(row, name) for name in WINDOW_FIELDS}
    else:
        fields = {"cursor": row.window_until, "window_created_after": None, "window_updated_after": None}
        fields.update(window_until=None, **download_finished_fields(succeeded=True))
    row.pages_done += 1  # the row is ours while we hold the lane
    fields.update(next_page_token=page.next_token or "", pages_done=row.pages_done, last_started_at=started_at)
    commit = OrderDownload.objects.filter(pk=row.pk)
    if not page.orders and not page.next_token:
        commit.update(**fields)
        result.pages += 1
        return

    def resume_point() -> None:
        # First statement: locks the download row, so mapping changes (orders_reclassify) wait for this page.
        if connection.vendor != "postgresql":
            commit.update(**fields)
            return
        # A page lost in a database crash is fetched again, its resume point being in the same transaction: the
        # commit need not wait for the disk. Sent with the UPDATE, not as a round trip of its own.
        with connection.execute_wrapper(_not_waiting_for_the_disk):
            commit.update(**fields)

    counts = orders_store_page(integration=integration, orders=page.orders, now=now, before_storing=resume_point)
    row.next_page_token = page.next_token or ""
    result.pages += 1
    result.orders_created += counts.created
    result.orders_updated += counts.updated
    result.orders_not_imported += counts.not_imported
    result.orders_skipped += counts.skipped


def _not_waiting_for_the_disk(execute, sql, params, many, context):
    return execute(f"SET LOCAL synchronous_commit TO OFF; {sql}", params, many, context)
