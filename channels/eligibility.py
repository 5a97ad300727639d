"""May an integration do a kind of work with Amazon now, and if not, why.

One table of rules: each row is read both as a database filter (which integrations beat fans out to) and as a
test of one integration with the sentence that says what to do about it (what a command prints, what a page
says). The two readings cannot drift apart: a table-driven test checks they agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q

from channels.models import Integration, IntegrationQuerySet

AUTHORISED = Integration.AuthorisationState.AUTHORISED
NEEDS_REAUTHORISATION = Integration.AuthorisationState.NEEDS_REAUTHORISATION


class Work(StrEnum):
    ORDERS = "orders"  # downloading orders
    STOCK = "stock"  # sending stock levels and prices


@dataclass(frozen=True)
class Rule:
    holds: Callable[[Integration], bool]
    condition: Q
    reason: str  # why the work may not happen, as a sentence saying what to do
    work: frozenset[Work] = frozenset(Work)


RULES: tuple[Rule, ...] = (
    Rule(lambda i: i.removed_at is None, Q(removed_at__isnull=True), "the integration was removed"),
    Rule(
        lambda i: i.authorisation_state != NEEDS_REAUTHORISATION,
        ~Q(authorisation_state=NEEDS_REAUTHORISATION),
        "it needs re-authorisation: click Reauthorise on the integration's page",
    ),
    Rule(
        lambda i: i.authorisation_state == AUTHORISED,
        Q(authorisation_state=AUTHORISED),
        "it is not authorised yet: finish connecting it from the integration's settings page",
    ),
    Rule(
        lambda i: i.enabled,
        Q(enabled=True),
        "it is disabled: enable it on the sales channel integrations page",
    ),
    Rule(
        lambda i: i.channel == Integration.Channel.AMAZON,
        Q(channel=Integration.Channel.AMAZON),
        "its sales channel has no stock updates",
        frozenset({Work.STOCK}),
    ),
    Rule(
        lambda i: i.stock_updates_enabled,
        Q(stock_updates_enabled=True),
        "stock updates are switched off in its settings: turn them on in Additional settings",
        frozenset({Work.STOCK}),
    ),
)


def why_not(integration: Integration, work: Work) -> str | None:
    """The first reason this integration may not do `work` now, or None when it may."""
    return next((rule.reason for rule in RULES if work in rule.work and not rule.holds(integration)), None)


def may(integration: Integration, work: Work) -> bool:
    return why_not(integration, work) is None


def eligible(work: Work, among: IntegrationQuerySet | None = None) -> IntegrationQuerySet:
    """The integrations (of `among`, else all) that may do `work` now."""
    queryset = Integration.objects.all() if among is None else among
    return queryset.filter(*(rule.condition for rule in RULES if work in rule.work))
