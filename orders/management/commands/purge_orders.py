"""purge_orders: delete non-Avasam orders older than their retention, and what other apps purge with orders."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from orders.services import orders_purge_expired
from orders.signals import orders_purging


class Command(BaseCommand):
    help = (
        "Deletes non-Avasam orders older than their retention (3 days), and wipes the recipient's personal data "
        "from dispatches shipped or cancelled more than FULFILMENT_PERSONAL_DATA_DAYS ago."
    )

    def handle(self, *args, **options):
        deleted = orders_purge_expired()
        days = settings.ORDER_NON_AVASAM_RETENTION_DAYS
        self.stdout.write(f"Deleted {deleted} non-Avasam orders past their {days}-day retention.")
        for _, sentence in orders_purging.send(sender=None, now=timezone.now()):
            self.stdout.write(sentence)
