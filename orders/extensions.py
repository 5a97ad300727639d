"""What an app built on orders adds to the seller's order pages (fulfilment does), registered when Django starts.

Orders sits below the apps that build on it and never imports them (see .importlinter): they register here in
their AppConfig.ready, and the order views ask through this module. Without one, the pages show orders only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class OrderPagesExtension:
    # The order list's extra filter: its name in the query string, its label, and its choices.
    filter_name: str
    filter_label: str
    filter_choices: list[tuple[str, str]]
    # (orders, chosen value) -> the orders matching it.
    filter: Callable[[QuerySet, str], QuerySet]
    # The order list's orders with whatever the list shows more of each (constant queries).
    annotate: Callable[[QuerySet], QuerySet]
    # (order) -> the template to include on the order page and its context.
    detail: Callable[..., tuple[str, dict]]


_extension: OrderPagesExtension | None = None


def register(extension: OrderPagesExtension) -> None:
    global _extension
    _extension = extension


def extension() -> OrderPagesExtension | None:
    return _extension
