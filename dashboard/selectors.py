"""Integration health and the seller's day for the seller's pages: the facts gathered in a constant number of
queries, however many integrations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from django.db import connection
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from activity.models import Run
from channels.amazon.models import AppCredentialsPause
from channels.models import Integration
from channels.selectors import integration_list_for_account
from dashboard.health import Health, HealthFacts, RunFact, integration_health
from fulfilment.models import Dispatch, DispatchStatus
from fulfilment.seller import shipping_deadline_counts
from orders.analytics import CANCELLED
from orders.models import Order
from stock.push.models import ListingPush

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RUN_COLUMNS = ("last_download", "last_download_success", "last_push", "last_push_success")
FACT_COLUMNS = (
    *RUN_COLUMNS,
    "download_failures",
    "push_failures",
    "waiting",
    "waiting_since",
    "rejected",
    "unknown",
    "paused",
    "due_today",
    "orders_last_checked_at",
)


def _run_fact(run: Run | None) -> RunFact | None:
    if run is None:
        return None
    return RunFact(
        started_at=run.started_at,
        finished_at=run.finished_at,
        outcome=run.outcome,
        orders_brought=run.orders_brought,
        listings_changed=run.listings_changed,
        error_count=run.error_count,
        error=run.error,
    )


def _latest(kind: str, *outcomes: str) -> Subquery:
    runs = Run.objects.filter(integration_id=OuterRef("pk"), kind=kind).exclude(outcome=Run.Outcome.RUNNING)
    runs = runs.exclude(outcome=Run.Outcome.DEFERRED)
    if outcomes:
        runs = runs.filter(outcome__in=outcomes)
    return Subquery(runs.order_by("-started_at", "-pk").values("pk")[:1])


def _failures_since_success(kind: str, ok: tuple[str, ...], last_success_elsewhere: str = "") -> Coalesce:
    """Failed runs of `kind` after the integration's last successful one (all of them when none succeeded), or
    after `last_success_elsewhere` (an outer column) when later: an idle download succeeds without a run."""
    last_ok = (
        Run.objects.filter(integration_id=OuterRef(OuterRef("pk")), kind=kind, outcome__in=ok)
        .order_by("-started_at", "-pk")
        .values("started_at")[:1]
    )
    since = Coalesce(Subquery(last_ok), Value(EPOCH))
    if last_success_elsewhere:
        since = Greatest(since, Coalesce(OuterRef(last_success_elsewhere), Value(EPOCH)))
    failures = (
        Run.objects.filter(integration_id=OuterRef("pk"), kind=kind, outcome=Run.Outcome.FAILED)
        .filter(started_at__gt=since)
        .order_by()
        .values("integration_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(failures), 0)


def _listings(condition: Q, aggregate=Count, column: str = "pk"):
    rows = (
        ListingPush.objects.filter(condition, integration_id=OuterRef("pk"))
        .order_by()
        .values("integration_id")
        .annotate(value=aggregate(column))
        .values("value")
    )
    return Subquery(rows)


def _unshipped_due_today(start: datetime) -> Subquery:
    """Orders of the integration whose ship-by is on the (UTC) day from `start` and whose dispatch still has units to
    ship."""
    rows = (
        Dispatch.objects.filter(
            order__integration_id=OuterRef("pk"),
            ship_by__gte=start,
            ship_by__lt=start + timedelta(days=1),
            status__in=[DispatchStatus.OPEN, DispatchStatus.PARTIALLY_SHIPPED],
        )
        .order_by()
        .values("order__integration_id")
        .annotate(value=Count("amazon_order_id", distinct=True))
        .values("value")
    )
    return Subquery(rows)


def _facts_queryset(*, ids: list[int], day_start: datetime):
    download, push = Run.Kind.ORDER_DOWNLOAD, Run.Kind.STOCK_PUSH
    ok = (Run.Outcome.SUCCEEDED, Run.Outcome.PARTIAL)
    pending = Q(pending=True)
    return (
        Integration.objects.filter(pk__in=ids)
        .annotate(
            last_download=_latest(download),
            last_download_success=_latest(download, *ok),
            last_push=_latest(push),
            last_push_success=_latest(push, *ok),
            download_failures=_failures_since_success(download, ok, "order_download__last_succeeded_at"),
            push_failures=_failures_since_success(push, ok),
            waiting=_listings(pending),
            waiting_since=_listings(pending, Min, "pending_since"),
            # Only listings still mapped: the seller can act on those (and a removed mapping's error is moot).
            rejected=_listings(~Q(last_error="") & Q(unknown_sku=False, mapping__isnull=False)),
            unknown=_listings(Q(unknown_sku=True, mapping__isnull=False)),
            paused=Exists(AppCredentialsPause.objects.all()),
            due_today=_unshipped_due_today(day_start),
            orders_last_checked_at=F("order_download__last_succeeded_at"),
        )
        .values("id", *FACT_COLUMNS)
    )


# Stand-ins for each call's own values in the compiled facts query: ids no integration has, a day no order ships on.
_STAND_IN_ID = -(10**12)
_STAND_IN_DAY = datetime(1901, 1, 1, tzinfo=UTC)
_DAY_START, _DAY_END = "day start", "day end"


@dataclass(frozen=True)
class _Constant:
    value: object


@lru_cache(maxsize=64)  # one per page size seen (a list page shows up to 50, the home page all of an account's)
def _facts_sql(vendor: str, count: int) -> tuple[str, tuple]:
    """The facts query for `count` integrations, built and compiled once per process: the ORM takes several times as
    long to build and compile it as the database takes to run it (bench/request_costs.py). Returns its SQL and, for
    each parameter, what a call puts there: an integration's index, the day's start or end, or a `_Constant`."""
    stand_in_ids = [_STAND_IN_ID - index for index in range(count)]
    queryset = _facts_queryset(ids=stand_in_ids, day_start=_STAND_IN_DAY)
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    adapt = connection.ops.adapt_datetimefield_value
    stand_ins = {adapt(_STAND_IN_DAY): _DAY_START, adapt(_STAND_IN_DAY + timedelta(days=1)): _DAY_END}
    stand_ins.update({stand_in: index for index, stand_in in enumerate(stand_in_ids)})
    slots = tuple(stand_ins.get(param, _Constant(param)) for param in params)
    if sum(not isinstance(slot, _Constant) for slot in slots) != count + 2:
        raise AssertionError(f"the {vendor} facts query does not take each stand-in once: {params!r}")
    return sql, slots


def _typed(row: dict) -> dict:
    """As the ORM gives them: SQLite answers times in UTC without a zone (a subquery's as text), and a condition as
    0 or 1."""
    for column in ("waiting_since", "orders_last_checked_at"):
        moment = parse_datetime(row[column]) if isinstance(row[column], str) else row[column]
        row[column] = moment.replace(tzinfo=UTC) if moment and timezone.is_naive(moment) else moment
    row["paused"] = bool(row["paused"])
    return row


def _facts(integration_ids: list[int], now: datetime) -> dict[int, dict]:
    """The facts row per integration id, in one query."""
    sql, slots = _facts_sql(connection.vendor, len(integration_ids))
    day_start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    adapt = connection.ops.adapt_datetimefield_value
    values = {_DAY_START: adapt(day_start), _DAY_END: adapt(day_start + timedelta(days=1))}
    params = [
        slot.value if isinstance(slot, _Constant) else values[slot] if slot in values else integration_ids[slot]
        for slot in slots
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        rows = [_typed(dict(zip(columns, row, strict=True))) for row in cursor.fetchall()]
    return {row["id"]: row for row in rows}


def integrations_health(*, integrations: Iterable, now: datetime | None = None) -> dict[int, Health]:
    """Health per integration id, for the list page and the integration page: two queries however many.

    1. The integrations again, annotated by subqueries (compiled once: `_facts_sql`): the latest finished download
       and push and the latest successful ones (ids), the failures since each success, the listings waiting,
       rejected and unknown, and whether ops paused the app's credentials.
    2. Those runs, in one query.
    """
    now = now or timezone.now()
    integrations = list(integrations)
    if not integrations:
        return {}
    latest = _facts([integration.pk for integration in integrations], now)
    run_ids = {row[key] for row in latest.values() for key in RUN_COLUMNS if row[key]}
    runs = {run.pk: run for run in Run.objects.filter(pk__in=run_ids)} if run_ids else {}
    health = {}
    for integration in integrations:
        row = latest[integration.pk]
        facts = HealthFacts(
            name=integration.name,
            enabled=integration.enabled,
            removed=integration.removed_at is not None,
            authorisation_state=integration.authorisation_state,
            authorised_at=integration.authorised_at,
            authorisation_problem=integration.authorisation_problem,
            stock_updates_enabled=integration.stock_updates_enabled,
            created_at=integration.created_at,
            app_credentials_paused=row["paused"],
            last_download=_run_fact(runs.get(row["last_download"])),
            last_download_success=_run_fact(runs.get(row["last_download_success"])),
            download_failures_since_success=row["download_failures"],
            orders_last_checked_at=row["orders_last_checked_at"],
            last_push=_run_fact(runs.get(row["last_push"])),
            last_push_success=_run_fact(runs.get(row["last_push_success"])),
            push_failures_since_success=row["push_failures"],
            listings_waiting=row["waiting"] or 0,
            waiting_since=row["waiting_since"],
            listings_rejected=row["rejected"] or 0,
            listings_unknown=row["unknown"] or 0,
            orders_due_today_unshipped=row["due_today"] or 0,
        )
        health[integration.pk] = integration_health(facts, now=now)
    return health


def integration_health_for(*, integration, now: datetime | None = None) -> Health:
    return integrations_health(integrations=[integration], now=now)[integration.pk]


@dataclass(frozen=True)
class IntegrationDay:
    """One integration on the seller's home page: its orders today and this week, and its health."""

    integration: Integration
    health: Health
    orders_today: int
    orders_this_week: int

    @property
    def problems(self) -> list:
        return [problem for problem in self.health.problems if problem.severity in ("danger", "warning")]


@dataclass(frozen=True)
class SellerDay:
    integrations: list[IntegrationDay]
    today: date
    week_start: date
    timezone_name: str
    # Orders whose ship-by is within 24 hours, or past, with a line still to ship (fulfilment's own rule).
    orders_at_risk: int = 0
    orders_late: int = 0

    @property
    def orders_today(self) -> int:
        return sum(row.orders_today for row in self.integrations)

    @property
    def orders_this_week(self) -> int:
        return sum(row.orders_this_week for row in self.integrations)

    @property
    def needing_attention(self) -> list[IntegrationDay]:
        return [row for row in self.integrations if row.problems]

    @property
    def listings_to_look_at(self) -> list[IntegrationDay]:
        facts = (row.health.facts for row in self.integrations)
        return [
            row
            for row, fact in zip(self.integrations, facts, strict=True)
            if fact.listings_rejected or fact.listings_unknown or fact.listings_waiting
        ]


def seller_day(*, account, now: datetime | None = None) -> SellerDay:
    """The seller's home page: five queries however many integrations (the list, its health, its orders and
    those at risk or late)."""
    now = timezone.localtime(now or timezone.now())
    today_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week_start = today_start - timedelta(days=today_start.weekday())  # Monday
    integrations = list(integration_list_for_account(account=account))
    health = integrations_health(integrations=integrations, now=now)
    counts = {
        row["integration_id"]: row
        for row in Order.objects.filter(integration__in=[i.pk for i in integrations], purchased_at__gte=week_start)
        .exclude(status=CANCELLED)
        .values("integration_id")
        .annotate(today=Count("pk", filter=Q(purchased_at__gte=today_start)), week=Count("pk"))
        .order_by()
    }
    rows = [
        IntegrationDay(
            integration=integration,
            health=health[integration.pk],
            orders_today=counts.get(integration.pk, {}).get("today", 0),
            orders_this_week=counts.get(integration.pk, {}).get("week", 0),
        )
        for integration in integrations
    ]
    deadlines = shipping_deadline_counts(Order.objects.filter(integration__in=[i.pk for i in integrations]))
    return SellerDay(
        integrations=rows,
        today=today_start.date(),
        week_start=week_start.date(),
        timezone_name=now.tzname() or "",
        orders_at_risk=deadlines["at_risk"],
        orders_late=deadlines["late"],
    )
