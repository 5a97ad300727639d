"""Downloading an integration's orders from Amazon: claimed, incremental, resumable and idempotent.

Every page is committed with the resume point for the next one; the cursor moves only when the
last page of a window is committed. Orders and lines are upserted by their Amazon ids in bulk,
so a page stored twice (a retry, an overlap, a killed worker) changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from activity.models import Run
from activity.services import run_record, run_record_download
from channels.amazon.errors import AmazonError, AuthorisationRevoked, PermanentError, Throttled, TransientError
from channels.amazon.types import AmazonOrder, OrdersPage
from channels.models import Integration
from channels.services import integration_mark_needs_reauthorisation
from orders.classification import NON_AVASAM, classify_order
from orders.models import FulfilledBy, Order, OrderDownload, OrderLine, PurgedOrder
from orders.services import mapped_products, retention_expiry

logger = logging.getLogger(__name__)

# Column order of the rows orders_store_page builds; imported_at and retention_expires_at are set once, on insert.
ORDER_COLUMNS = [
    "integration_id",
    "amazon_order_id",
    "marketplace_id",
    "status",
    "fulfilled_by",
    "purchased_at",
    "amazon_updated_at",
    "currency",
    "total",
    "kind",
    "retention_expires_at",
    "imported_at",
    "updated_at",
]
ORDER_UPDATE_COLUMNS = [column for column in ORDER_COLUMNS[2:] if column not in ("retention_expires_at", "imported_at")]
LINE_COLUMNS = ["order_id", "order_item_id", "channel_sku", "asin", "title", "quantity", "unit_price", "product_id"]


class ClaimLost(Exception):
    """Our claim expired and another download took the integration over; stop without committing more."""


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


@dataclass
class PageCounts:
    created: int = 0
    updated: int = 0
    not_imported: int = 0


def default_gateway(integration: Integration, *, wait_for_rate_limit: bool):
    from channels.amazon.gateway import AmazonGateway, SellingPartner

    return AmazonGateway(SellingPartner.for_integration(integration), wait_for_rate_limit=wait_for_rate_limit)


# --- the claim -------------------------------------------------------------------------------------------


def download_row(*, integration_id: int) -> OrderDownload:
    try:
        return OrderDownload.objects.get_or_create(integration_id=integration_id)[0]
    except IntegrityError:  # created by a concurrent download between our get and create
        return OrderDownload.objects.get(integration_id=integration_id)


def download_claim(*, integration_id: int, claimed_by: str, now: datetime | None = None) -> bool:
    """Take the integration's download claim (free, expired, or already ours); True when we hold it."""
    now = now or timezone.now()
    download_row(integration_id=integration_id)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now) | Q(claimed_by=claimed_by)
    claimed = OrderDownload.objects.filter(free, integration_id=integration_id).update(
        claimed_by=claimed_by,
        claimed_until=now + timedelta(seconds=settings.ORDER_DOWNLOAD_CLAIM_SECONDS),
        last_started_at=now,
    )
    return claimed == 1


def download_keep_claim(*, integration_id: int, claimed_by: str, seconds: float, problem: str = "") -> None:
    """Hold the claim for `seconds` more (a retry is scheduled), so other downloads keep skipping."""
    OrderDownload.objects.filter(integration_id=integration_id, claimed_by=claimed_by).update(
        claimed_until=timezone.now() + timedelta(seconds=seconds + settings.ORDER_DOWNLOAD_CLAIM_SECONDS),
        last_problem=problem[:500],
    )


def download_release(*, integration_id: int, claimed_by: str, problem: str = "", succeeded: bool = False) -> None:
    now = timezone.now()
    fields = {"claimed_by": "", "claimed_until": None, "last_finished_at": now, "last_problem": problem[:500]}
    if succeeded:
        fields["last_succeeded_at"] = now
    OrderDownload.objects.filter(integration_id=integration_id, claimed_by=claimed_by).update(**fields)


def why_not_syncable(*, integration_id: int) -> str:
    """Why an integration may not talk to Amazon now, as a sentence saying what to do about it."""
    integration = Integration.objects.filter(pk=integration_id).first()
    if integration is None:
        return "there is no such integration"
    if integration.removed_at is not None:
        return "the integration was removed"
    if integration.authorisation_state == Integration.AuthorisationState.NEEDS_REAUTHORISATION:
        return "it needs re-authorisation: click Reauthorise on the integration's page"
    if integration.authorisation_state != Integration.AuthorisationState.AUTHORISED:
        return "it is not authorised yet: finish connecting it from the integration's settings page"
    if not integration.enabled:
        return "it is disabled: enable it on the sales channel integrations page"
    return "not enabled and authorised"


# --- the window --------------------------------------------------------------------------------------------


def _open_window(row: OrderDownload, *, now: datetime) -> None:
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


def _restart_window(row: OrderDownload, *, now: datetime) -> None:
    """Amazon refused the saved page token (expired): ask the same window again from its first page."""
    row.window_until = now
    row.next_page_token = ""
    row.pages_done = 0


def _save_window(row: OrderDownload, *, claimed_by: str) -> None:
    fields = ["window_created_after", "window_updated_after", "window_until", "next_page_token", "pages_done"]
    updated = OrderDownload.objects.filter(pk=row.pk, claimed_by=claimed_by).update(
        **{name: getattr(row, name) for name in fields}
    )
    if updated != 1:
        raise ClaimLost


def _fetch(gateway, row: OrderDownload) -> OrdersPage:
    return gateway.search_orders(
        created_after=row.window_created_after,
        last_updated_after=row.window_updated_after,
        pagination_token=row.next_page_token or None,
        max_results=page_size(),
    )


def page_size() -> int:
    """ORDER_DOWNLOAD_PAGE_SIZE within what Amazon accepts (1 to 100): a mistyped setting never stops downloads."""
    return min(100, max(1, settings.ORDER_DOWNLOAD_PAGE_SIZE))


# --- storing a page ----------------------------------------------------------------------------------------


def _latest_per_order(orders: Iterable[AmazonOrder], marketplace_id: str) -> dict[str, AmazonOrder]:
    """The page's orders for the integration's own site, one per Amazon id (the most recently updated)."""
    latest: dict[str, AmazonOrder] = {}
    for order in orders:
        # The request asks for the integration's marketplace only; anything else is never stored.
        if (order.marketplace_id or marketplace_id) != marketplace_id:
            continue
        seen = latest.get(order.amazon_order_id)
        if seen is None or order.last_updated_at >= seen.last_updated_at:
            latest[order.amazon_order_id] = order
    return latest


def _unique_lines(order: AmazonOrder):
    return list({line.order_item_id: line for line in order.lines}.values())


def orders_store_page(*, integration: Integration, orders: Iterable[AmazonOrder], now: datetime) -> PageCounts:
    """Upsert one page of Amazon orders in a constant number of queries.

    1. Keep the integration's own site's orders, one per Amazon id.
    2. Read the stored versions of these orders, their lines, the tombstones of purged ones and the
       mappings of the page's SKUs (four queries). An order stored with a newer Amazon update time
       is left alone.
    3. Classify each order (orders.classification) with the integration's settings. An order still
       within its retention follows the current mappings; an older one keeps the products its
       lines had. Orders not to be imported are skipped unless already stored, and so are purged
       orders that are still non-Avasam.
    4. Upsert the orders, then their lines, and delete stored lines the order no longer keeps.
    """
    counts = PageCounts()
    incoming = _latest_per_order(orders, integration.marketplace_id)
    if not incoming:
        return counts
    stored = {
        amazon_id: (pk, updated, imported, expires)
        for amazon_id, pk, updated, imported, expires in Order.objects.filter(
            integration=integration, amazon_order_id__in=incoming
        )
        .order_by()
        .values_list("amazon_order_id", "pk", "amazon_updated_at", "imported_at", "retention_expires_at")
    }
    stored_lines: dict[int, dict[str, tuple[int, int | None]]] = {}
    if stored:
        for pk, order_id, item_id, product_id in (
            OrderLine.objects.filter(order_id__in=[values[0] for values in stored.values()])
            .order_by()
            .values_list("pk", "order_id", "order_item_id", "product_id")
        ):
            stored_lines.setdefault(order_id, {})[item_id] = (pk, product_id)
    purged = set(
        PurgedOrder.objects.filter(integration=integration, amazon_order_id__in=incoming)
        .order_by()
        .values_list("amazon_order_id", flat=True)
    )
    skus = {
        line.seller_sku
        for order in incoming.values()
        if order.fulfilled_by != FulfilledBy.AMAZON
        for line in order.lines
        if line.seller_sku
    }
    mapping = mapped_products(integration_id=integration.pk, channel_skus=skus) if skus else {}

    adapt_time = connection.ops.adapt_datetimefield_value
    order_rows: list[tuple] = []
    kept_lines: dict[str, list[tuple[object, int | None]]] = {}
    for amazon_id, order in incoming.items():
        previous = stored.get(amazon_id)
        if previous and previous[1] > order.last_updated_at:
            continue
        by_amazon = order.fulfilled_by == FulfilledBy.AMAZON
        lines = _unique_lines(order)
        previous_lines = stored_lines.get(previous[0], {}) if previous else {}
        follows_mappings = previous is None or previous[3] > now
        products = []
        for line in lines:
            if by_amazon:
                products.append(None)
            elif not follows_mappings and line.order_item_id in previous_lines:
                products.append(previous_lines[line.order_item_id][1])
            else:
                products.append(mapping.get(line.seller_sku or ""))
        decision = classify_order(
            fulfilled_by_amazon=by_amazon,
            lines_mapped=[product is not None for product in products],
            exclude_non_avasam_orders=integration.exclude_non_avasam_orders,
            split_orders_with_unknown_skus=integration.split_orders_with_unknown_skus,
        )
        purged_and_still_non_avasam = amazon_id in purged and decision.kind == NON_AVASAM
        if previous is None and (not decision.imported or purged_and_still_non_avasam):
            counts.not_imported += 1
            continue
        keep = decision.kept_lines if decision.imported else tuple(range(len(lines)))
        kept_lines[amazon_id] = [(lines[index], products[index]) for index in keep]
        order_rows.append(
            (
                integration.pk,
                amazon_id,
                order.marketplace_id or integration.marketplace_id,
                order.status or "",
                FulfilledBy.AMAZON.value if by_amazon else FulfilledBy.MERCHANT.value,
                adapt_time(order.created_at),
                adapt_time(order.last_updated_at),
                order.currency or "",
                order.total,
                decision.kind,
                adapt_time(previous[3] if previous else retention_expiry(imported_at=now)),
                adapt_time(previous[2] if previous else now),
                adapt_time(now),
            )
        )
        if previous:
            counts.updated += 1
        else:
            counts.created += 1
    if not order_rows:
        return counts

    order_ids = dict(
        _upsert(
            Order,
            order_rows,
            columns=ORDER_COLUMNS,
            conflict=["integration_id", "amazon_order_id"],
            update=ORDER_UPDATE_COLUMNS,
            returning=["amazon_order_id", "id"],
            unless_newer="amazon_updated_at",
        )
    )
    line_rows: list[tuple] = []
    stale_line_ids: list[int] = []
    for amazon_id, order_id in order_ids.items():
        keep = kept_lines[amazon_id]
        kept_ids = {line.order_item_id for line, _ in keep}
        stale_line_ids.extend(
            pk for item_id, (pk, _) in stored_lines.get(order_id, {}).items() if item_id not in kept_ids
        )
        line_rows.extend(
            (
                order_id,
                line.order_item_id,
                line.seller_sku or "",
                line.asin or "",
                (line.title or "")[:500],
                line.quantity,
                line.unit_price,
                product_id,
            )
            for line, product_id in keep
        )
    if line_rows:
        _upsert(
            OrderLine,
            line_rows,
            columns=LINE_COLUMNS,
            conflict=["order_id", "order_item_id"],
            update=LINE_COLUMNS[2:],
        )
    if stale_line_ids:
        OrderLine.objects.filter(pk__in=stale_line_ids).delete()
    return counts


def _upsert(model, rows: list[tuple], *, columns, conflict, update, returning=(), unless_newer="") -> list[tuple]:
    """INSERT ... ON CONFLICT DO UPDATE of many rows in one statement (PostgreSQL and SQLite 3.35+).

    Django's bulk_create(update_conflicts=True) does the same but spends most of a page's time compiling it,
    and cannot skip rows that hold a newer version.
    """
    quote = connection.ops.quote_name
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    batch = connection.ops.bulk_batch_size(columns, rows) or len(rows)
    returned: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            # Only identifiers from our own model metadata are interpolated; every value is a parameter.
            sql = (
                f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
                f"VALUES {', '.join([one_row] * len(chunk))} "
                f"ON CONFLICT ({', '.join(map(quote, conflict))}) "
                f"DO UPDATE SET {', '.join(f'{quote(column)} = excluded.{quote(column)}' for column in update)}"
            )
            if unless_newer:  # a row already holding a newer version stays as it is (and is not returned)
                table, column = quote(model._meta.db_table), quote(unless_newer)
                sql += f" WHERE {table}.{column} <= excluded.{column}"
            if returning:
                sql += f" RETURNING {', '.join(map(quote, returning))}"
            cursor.execute(sql, [value for row in chunk for value in row])
            if returning:
                returned.extend(cursor.fetchall())
    return returned


# --- the download ------------------------------------------------------------------------------------------


def _commit_page(
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


def orders_download(
    *,
    integration_id: int,
    claimed_by: str | None = None,
    wait_for_rate_limit: bool = False,
    gateway_factory: Callable | None = None,
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
                gateway_factory=gateway_factory,
                result=result,
            )
        finally:
            run_record_download(run, result)


def _orders_download(
    *,
    integration_id: int,
    claimed_by: str | None = None,
    wait_for_rate_limit: bool = False,
    gateway_factory: Callable | None = None,
    result: DownloadResult | None = None,
) -> DownloadResult:
    """Download the integration's new and changed orders; see the module docstring.

    1. Skip integrations that may not talk to Amazon (releasing any claim of ours), and skip when
       another download holds the claim.
    2. Open a window (or resume the one in progress) and fetch its pages; each page is committed
       with the token of the next. A refused saved token restarts the window once.
    3. Throttled and TransientError propagate for the caller to retry later: the claim is kept for
       the caller to extend or release, and `result` (when given) holds what was done so far. A
       revoked authorisation (which the gateway has already flagged on the integration) and other
       Amazon errors end the download as failed.
    """
    result = result or DownloadResult(integration_id=integration_id)
    result.outcome, result.problem = "done", ""
    integration = Integration.objects.syncable().filter(pk=integration_id).first()
    if integration is None:
        if claimed_by:
            download_release(integration_id=integration_id, claimed_by=claimed_by)
        result.outcome, result.problem = "skipped", why_not_syncable(integration_id=integration_id)
        return result
    claimed_by = claimed_by or uuid.uuid4().hex
    if not download_claim(integration_id=integration_id, claimed_by=claimed_by):
        result.outcome, result.problem = "skipped", "another download of this integration is running"
        return result

    gateway = (gateway_factory or default_gateway)(integration, wait_for_rate_limit=wait_for_rate_limit)
    row = OrderDownload.objects.get(integration_id=integration_id)
    try:
        _open_window(row, now=timezone.now())
        _save_window(row, claimed_by=claimed_by)
        restarted = False
        while True:
            try:
                page = _fetch(gateway, row)
            except PermanentError:
                if not row.next_page_token or restarted:
                    raise
                restarted = True
                _restart_window(row, now=timezone.now())
                _save_window(row, claimed_by=claimed_by)
                continue
            _commit_page(integration=integration, row=row, page=page, claimed_by=claimed_by, result=result)
            if not page.next_token:
                break
    except (Throttled, TransientError) as error:
        result.outcome, result.problem = "failed", error.message
        raise
    except AuthorisationRevoked as error:
        result.outcome, result.problem = "failed", error.message
        # The gateway flags the integration itself; flagging again is harmless and covers any other path.
        integration_mark_needs_reauthorisation(integration_id=integration_id, problem=error.message)
        logger.warning("Order download of integration %s stopped: authorisation revoked", integration_id)
    except AmazonError as error:
        result.outcome, result.problem = "failed", error.message
        logger.warning("Order download of integration %s failed: %s", integration_id, error.message)
    except ClaimLost:
        result.outcome, result.problem = "failed", "another download took over this integration"
        return result
    finally:
        if hasattr(gateway, "close"):
            gateway.close()
    download_release(
        integration_id=integration_id, claimed_by=claimed_by, problem=result.problem, succeeded=not result.failed
    )
    return result
