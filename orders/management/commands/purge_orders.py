"""purge_orders: delete non-Avasam orders older than their retention."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from orders.services import orders_purge_expired


class Command(BaseCommand):
    help = "Deletes non-Avasam orders older than their retention (3 days)."

    def handle(self, *args, **options):
        deleted = orders_purge_expired()
        days = settings.ORDER_NON_AVASAM_RETENTION_DAYS
        self.stdout.write(f"Deleted {deleted} non-Avasam orders past their {days}-day retention.")
