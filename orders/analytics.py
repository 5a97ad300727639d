"""Analytics: orders and revenue per day per integration, and the Avasam / non-Avasam / mixed share.

Each integration is its own series, keyed by its id: a removed integration keeps its series, and one
re-created for the same seller id and site is a new integration, so it starts a new series.
The totals ("All integrations") count each Amazon order once: re-imported under a re-created integration,
it is in both series but once in the totals (the copy Amazon updated last).
Cancelled orders are not sales and are left out. Days are UTC dates of the purchase. Non-Avasam orders
deleted after their 3-day retention are counted just before (PurgedOrdersDay), so they stay in the figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber, TruncDate

from orders.models import Order, PurgedOrdersDay

KINDS = ("avasam", "non_avasam", "mixed")
CANCELLED = "CANCELLED"


@dataclass
class Series:
    integration_id: int
    label: str
    removed: bool
    orders: list[int]
    revenue: dict[str, list[Decimal]] = field(default_factory=dict)  # currency -> per day
    kinds: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def orders_total(self) -> int:
        return sum(self.orders)

    @property
    def revenue_total(self) -> dict[str, Decimal]:
        return {currency: sum(values, Decimal(0)) for currency, values in sorted(self.revenue.items())}


@dataclass
class Analytics:
    start: date
    end: date
    days: list[date]
    series: list[Series]
    total: Series  # every Amazon order once, whichever integrations it is in

    @property
    def orders(self) -> list[int]:
        return self.total.orders

    @property
    def orders_total(self) -> int:
        return self.total.orders_total

    @property
    def revenue(self) -> dict[str, list[Decimal]]:
        return dict(sorted(self.total.revenue.items()))

    @property
    def revenue_total(self) -> dict[str, Decimal]:
        return self.total.revenue_total

    @property
    def kinds(self) -> dict[str, int]:
        return self.total.kinds

    @property
    def shares(self) -> dict[str, int]:
        """Whole percentages of Avasam, non-Avasam and mixed orders (largest remainder, so they add up to 100)."""
        return kind_shares(self.kinds)


def kind_shares(kinds: dict[str, int]) -> dict[str, int]:
    total = sum(kinds.values())
    if not total:
        return dict.fromkeys(KINDS, 0)
    exact = {kind: kinds[kind] * 100 / total for kind in KINDS}
    shares = {kind: int(value) for kind, value in exact.items()}
    for kind in sorted(KINDS, key=lambda k: exact[k] - shares[k], reverse=True)[: 100 - sum(shares.values())]:
        shares[kind] += 1
    return shares


def period_days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def series_label(integration) -> str:
    if integration.removed_at:
        return f"{integration.name} (removed {integration.removed_at:%d %b %Y})"
    return integration.name


def _add_row(s: Series, row: dict, position: int, days: int) -> None:
    s.orders[position] += row["orders"]
    currency = row["currency"] or "?"
    s.revenue.setdefault(currency, [Decimal(0)] * days)[position] += row["revenue"] or Decimal(0)
    for kind in KINDS:
        s.kinds[kind] += row[kind]


def analytics_build(
    *, integrations: Iterable, rows: Iterable[dict], start: date, end: date, total_rows: Iterable[dict] | None = None
) -> Analytics:
    """Pure: lay grouped order rows (integration_id, day, currency, orders, revenue, per kind) out per day.

    `total_rows` are the same without an integration, each Amazon order once; without them the totals are
    the sum of the series (right when no order is in two of them).
    """
    days = period_days(start, end)
    index = {day: position for position, day in enumerate(days)}
    rows = list(rows)
    total = Series(integration_id=0, label="All integrations", removed=False, orders=[0] * len(days))
    for row in rows if total_rows is None else total_rows:
        if (position := index.get(row["day"])) is not None:
            _add_row(total, row, position, len(days))
    series = {
        integration.pk: Series(
            integration_id=integration.pk,
            label=series_label(integration),
            removed=integration.removed_at is not None,
            orders=[0] * len(days),
        )
        for integration in integrations
    }
    for row in rows:
        s, position = series.get(row["integration_id"]), index.get(row["day"])
        if s is not None and position is not None:
            _add_row(s, row, position, len(days))
    kept = [s for s in series.values() if not s.removed or s.orders_total]
    return Analytics(start=start, end=end, days=days, series=kept, total=total)


def analytics_for(*, integrations: Iterable, start: date, end: date) -> Analytics:
    """Orders of these integrations purchased from `start` to `end` (UTC dates, both included), in one query."""
    integrations = list(integrations)
    since = datetime.combine(start, time.min, tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    orders = Order.objects.filter(integration__in=[i.pk for i in integrations], purchased_at__gte=since).filter(
        purchased_at__lt=until
    )
    purged = _purged_rows(integrations, start, end)
    rows = [*_grouped(orders, "integration_id"), *purged]
    total_rows = None
    if len(integrations) > 1:
        # One copy per Amazon order id: the one Amazon updated last, so its status is the current one. A window, not
        # DISTINCT ON, which SQLite (the demo's database) does not have.
        latest_copies = (
            orders.annotate(
                copy_rank=Window(
                    RowNumber(),
                    partition_by=F("amazon_order_id"),
                    order_by=[F("amazon_updated_at").desc(), F("integration_id").desc()],
                )
            )
            .filter(copy_rank=1)
            .values("pk")
        )
        total_rows = [*_grouped(Order.objects.filter(pk__in=latest_copies)), *purged]
    return analytics_build(integrations=integrations, rows=rows, start=start, end=end, total_rows=total_rows)


def _grouped(orders, *columns: str) -> list[dict]:
    """Sales (not cancelled) per UTC day and currency, and per kind."""
    return list(
        orders.exclude(status=CANCELLED)
        .annotate(day=TruncDate("purchased_at", tzinfo=UTC))
        .values(*columns, "day", "currency")
        .annotate(
            orders=Count("pk"),
            revenue=Sum("total"),
            **{kind: Count("pk", filter=Q(kind=kind)) for kind in KINDS},
        )
        .order_by()
    )


def _purged_rows(integrations: list, start: date, end: date) -> list[dict]:
    """Non-Avasam orders already deleted after their retention, as counted just before (one query)."""
    rows = (
        PurgedOrdersDay.objects.filter(integration__in=[i.pk for i in integrations], day__gte=start, day__lte=end)
        .values("integration_id", "day", "currency")
        .annotate(orders=Sum("orders"), revenue=Sum("revenue"))
        .order_by()
    )
    return [{**row, "avasam": 0, "non_avasam": row["orders"], "mixed": 0} for row in rows]


def orders_count_before_purge(*, order_ids: Iterable[int]) -> int:
    """Keep the daily counts of non-Avasam orders about to be purged, so analytics still show them."""
    rows = (
        Order.objects.filter(pk__in=list(order_ids))
        .exclude(status=CANCELLED)
        .annotate(day=TruncDate("purchased_at", tzinfo=UTC))
        .values("integration_id", "day", "currency")
        .annotate(orders=Count("pk"), revenue=Sum("total"))
        .order_by()
    )
    tallies = [
        PurgedOrdersDay(
            integration_id=row["integration_id"],
            day=row["day"],
            currency=row["currency"],
            orders=row["orders"],
            revenue=row["revenue"] or 0,
        )
        for row in rows
    ]
    PurgedOrdersDay.objects.bulk_create(tallies)
    return sum(tally.orders for tally in tallies)
