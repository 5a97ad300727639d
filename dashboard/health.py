"""Integration health: a pure function from facts to plain sentences, each with the action that fixes it.

No ORM here: `dashboard.selectors` gathers the facts, the tests build them by hand, and `now` is passed in.
Times read as the pages show them (`when`): in the zone the request activated, the seller's, with the zone named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from accounts.templatetags.seller_time import when
from channels.amazon.lapse import LapseWarning, lapse_warning, reauthorisation_lapse_date

# No successful download for this long, while the integration should be downloading, is a problem.
DOWNLOAD_SILENCE = timedelta(hours=1)
# Listings waiting longer than this to reach Amazon are worth a sentence.
PUSH_WAIT = timedelta(minutes=30)


class Action:
    """What fixes a problem: the name of a button on the integration's pages (rendered by the templates)."""

    REAUTHORISE = "reauthorise"
    VERIFY = "verify"
    ENABLE = "enable"
    SETTINGS = "settings"
    MAPPINGS = "mappings"
    NONE = ""


@dataclass(frozen=True)
class RunFact:
    started_at: datetime
    finished_at: datetime | None
    outcome: str  # activity.models.Run.Outcome values
    orders_brought: int = 0
    listings_changed: int = 0
    error_count: int = 0
    error: str = ""


@dataclass(frozen=True)
class HealthFacts:
    name: str
    enabled: bool = True
    removed: bool = False
    authorisation_state: str = "authorised"  # channels Integration.AuthorisationState values
    authorised_at: datetime | None = None
    authorisation_problem: str = ""
    stock_updates_enabled: bool = True
    created_at: datetime | None = None
    app_credentials_paused: bool = False
    last_download: RunFact | None = None  # the latest finished download, whatever its outcome
    last_download_success: RunFact | None = None
    download_failures_since_success: int = 0
    # The last download that finished without error, with or without new orders (an idle one writes no run).
    orders_last_checked_at: datetime | None = None
    last_push: RunFact | None = None
    last_push_success: RunFact | None = None
    push_failures_since_success: int = 0
    listings_waiting: int = 0
    waiting_since: datetime | None = None  # the oldest pending listing's
    listings_rejected: int = 0  # the last value sent was rejected (will be retried)
    listings_unknown: int = 0  # Amazon does not know the SKU (not retried)
    orders_due_today_unshipped: int = 0  # Avasam orders whose ship-by is today (UTC) with a line still to ship


@dataclass(frozen=True)
class Problem:
    severity: str  # "danger" | "warning" | "info" (Bootstrap alert colours)
    sentence: str
    action: str = Action.NONE
    kind: str = ""  # a stable name for tests and templates


@dataclass(frozen=True)
class Health:
    facts: HealthFacts
    problems: list[Problem] = field(default_factory=list)
    lapse_date: date | None = None
    authorisation_age_days: int | None = None
    lapse: LapseWarning | None = None

    @property
    def lapses_at(self) -> datetime | None:
        """When Amazon's authorisation lapses: the start of its UTC day (see channels.amazon.lapse)."""
        return _start_of_utc_day(self.lapse_date) if self.lapse_date else None

    @property
    def ok(self) -> bool:
        return not any(problem.severity in ("danger", "warning") for problem in self.problems)

    @property
    def worst(self) -> str:
        for severity in ("danger", "warning", "info"):
            if any(problem.severity == severity for problem in self.problems):
                return severity
        return "success"


def _start_of_utc_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _lapses_at(lapse_date: date) -> str:
    """When Amazon's authorisation lapses (the start of its UTC day), in the page's zone."""
    return when(_start_of_utc_day(lapse_date))


def _authorisation_problems(facts: HealthFacts, lapse: LapseWarning | None) -> list[Problem]:
    state = facts.authorisation_state
    if state == "needs_reauthorisation":
        why = f" Amazon said: {facts.authorisation_problem}" if facts.authorisation_problem else ""
        return [
            Problem(
                "danger",
                "Amazon rejected the authorisation — click Reauthorise. Until then no orders are downloaded "
                f"and no stock is sent.{why}",
                Action.REAUTHORISE,
                "authorisation_rejected",
            )
        ]
    if state == "awaiting":
        return [
            Problem(
                "warning",
                "This integration is not authorised yet — click Authorise to connect your Amazon seller account.",
                Action.REAUTHORISE,
                "not_authorised",
            )
        ]
    if lapse is None:
        return []
    if lapse.threshold == 0:
        return [
            Problem(
                "danger",
                f"Amazon's authorisation lapsed on {_lapses_at(lapse.lapse_date)} (Amazon requires it every 365 days) "
                "— click Reauthorise.",
                Action.REAUTHORISE,
                "authorisation_lapsed",
            )
        ]
    in_days = "tomorrow" if lapse.days_left == 1 else f"in {lapse.days_left} days"
    severity = "danger" if lapse.threshold == 1 else "warning" if lapse.threshold == 7 else "info"
    return [
        Problem(
            severity,
            f"Amazon's authorisation lapses {in_days}, on {_lapses_at(lapse.lapse_date)} (Amazon requires it every 365 "
            "days) — click Reauthorise before then so orders and stock keep flowing.",
            Action.REAUTHORISE,
            f"lapse_in_{lapse.threshold}",
        )
    ]


def _failed_since_authorised(last: RunFact | None, facts: HealthFacts) -> bool:
    """The latest run failed, after the current authorisation: one that failed before the seller re-authorised
    (e.g. saying "click Reauthorise") is what the re-authorisation fixed, not a current problem."""
    if last is None or last.outcome != "failed":
        return False
    ended = last.finished_at or last.started_at
    return facts.authorised_at is None or ended >= facts.authorised_at


def _download_problems(facts: HealthFacts, now: datetime, syncing: bool, authorised: bool) -> list[Problem]:
    problems = []
    last = facts.last_download
    # Without a valid authorisation the failures are its consequence, and its own problem says what to do.
    if authorised and facts.download_failures_since_success and _failed_since_authorised(last, facts):
        since = (
            f"since the last successful one on {when(facts.last_download_success.finished_at)}"
            if facts.last_download_success and facts.last_download_success.finished_at
            else "and none has succeeded yet"
        )
        times = (
            "once" if facts.download_failures_since_success == 1 else f"{facts.download_failures_since_success} times"
        )
        reason = f": {last.error.rstrip('.')}" if last.error else ""
        problems.append(
            Problem(
                "danger",
                f"Order download failed {times} {since}{reason}. If it keeps failing, click Verify to check the "
                "authorisation.",
                Action.VERIFY,
                "download_failing",
            )
        )
    elif syncing:
        success = facts.last_download_success
        checked = [moment for moment in (success and success.finished_at, facts.orders_last_checked_at) if moment]
        # A re-authorisation starts the count again, as the first authorisation did.
        reference = max(filter(None, [*checked, facts.authorised_at]), default=None)
        if reference is not None and now - reference > DOWNLOAD_SILENCE:
            since = f"since {when(reference)}" if checked else "yet"
            problems.append(
                Problem(
                    "warning",
                    f"No orders have been downloaded {since} — click Verify to check the authorisation; "
                    "if it is fine, downloads resume within minutes.",
                    Action.VERIFY,
                    "downloads_stopped",
                )
            )
    return problems


def _push_problems(facts: HealthFacts, now: datetime, authorised: bool) -> list[Problem]:
    problems = []
    last = facts.last_push
    if authorised and facts.push_failures_since_success and _failed_since_authorised(last, facts):
        times = "once" if facts.push_failures_since_success == 1 else f"{facts.push_failures_since_success} times"
        reason = f": {last.error.rstrip('.')}" if last.error else ""
        problems.append(
            Problem(
                "danger",
                f"Sending stock to Amazon failed {times} since the last success{reason}. Listings that failed are "
                "sent again automatically, except those Amazon does not know.",
                Action.NONE,
                "push_failing",
            )
        )
    if facts.listings_unknown:
        count = facts.listings_unknown
        problems.append(
            Problem(
                "warning",
                f"Amazon does not know {count} mapped listing{'s' if count != 1 else ''} on this site — create "
                "the listing in Seller Central or remove its mapping (see Mappings).",
                Action.MAPPINGS,
                "unknown_skus",
            )
        )
    if facts.listings_rejected:
        count = facts.listings_rejected
        problems.append(
            Problem(
                "warning",
                f"Amazon rejected the last update of {count} listing{'s' if count != 1 else ''} — open Mappings "
                "to see each error; we retry them automatically.",
                Action.MAPPINGS,
                "listings_rejected",
            )
        )
    if facts.listings_waiting and facts.waiting_since and now - facts.waiting_since > PUSH_WAIT:
        count = facts.listings_waiting
        problems.append(
            Problem(
                "warning",
                f"{count} listing{'s have' if count != 1 else ' has'} been waiting since "
                f"{when(facts.waiting_since)} to be sent to Amazon. We keep trying; if this grows, click "
                "Verify.",
                Action.VERIFY,
                "push_backlog",
            )
        )
    return problems


def integration_health(facts: HealthFacts, *, now: datetime) -> Health:
    """Everything the seller should know about one integration's sync, worst first."""
    lapse = lapse_warning(authorised_at=facts.authorised_at, now=now) if facts.authorised_at else None
    age = (now - facts.authorised_at).days if facts.authorised_at else None
    lapse_date = reauthorisation_lapse_date(facts.authorised_at) if facts.authorised_at else None
    problems: list[Problem] = []
    if facts.removed:
        return Health(facts, problems, lapse_date, age, lapse)
    if facts.app_credentials_paused:
        problems.append(
            Problem(
                "warning",
                "Amazon is refusing our application's credentials, so nothing is sent or downloaded for anyone "
                "— our team has been alerted; there is nothing for you to do.",
                Action.NONE,
                "app_paused",
            )
        )
    problems += _authorisation_problems(facts, lapse)
    authorised = facts.authorisation_state == "authorised" and (lapse is None or lapse.threshold != 0)
    if not facts.enabled:
        problems.append(
            Problem(
                "info",
                "This integration is disabled: no orders are downloaded and nothing is sent to Amazon — switch "
                "it to Yes in the list to resume.",
                Action.ENABLE,
                "disabled",
            )
        )
    syncing = facts.enabled and authorised and not facts.app_credentials_paused
    problems += _download_problems(facts, now, syncing, authorised)
    if not facts.stock_updates_enabled:
        problems.append(
            Problem(
                "warning",
                "Stock updates are off, so your listings may oversell — turn on Stock updates in Additional settings.",
                Action.SETTINGS,
                "stock_updates_off",
            )
        )
    problems += _push_problems(facts, now, authorised)
    if facts.orders_due_today_unshipped:
        count = facts.orders_due_today_unshipped
        problems.append(
            Problem(
                "warning",
                f"{count} order{'s' if count != 1 else ''} due to ship today {'have' if count != 1 else 'has'} not "
                "been shipped by the supplier yet: Amazon counts an order shipped late against your account.",
                Action.NONE,
                "unshipped_due_today",
            )
        )
    order = {"danger": 0, "warning": 1, "info": 2}
    problems.sort(key=lambda problem: order[problem.severity])
    return Health(facts, problems, lapse_date, age, lapse)
