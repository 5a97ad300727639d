"""confirm_shipments: confirm to Amazon, now and synchronously, every parcel not yet confirmed."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from channels.eligibility import Work, why_not
from channels.models import Integration
from fulfilment.confirmation import parcels_confirm
from fulfilment.models import Parcel

# Throttling and unavailable answers are retried within the command, this many passes at most.
PASSES = 8


class Command(BaseCommand):
    help = (
        "Confirms to Amazon, now, every parcel not yet confirmed (retrying throttling and transient errors); one "
        "summary line per integration; exit 1 if any parcel could not be confirmed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--integration", type=int, help="Only this integration's parcels.")

    def handle(self, *args, integration=None, **options):
        integrations = Integration.objects.filter(
            pk__in=Parcel.objects.unconfirmed().values("dispatch__order__integration_id")
        ).order_by("pk")
        if integration is not None:
            if not Integration.objects.filter(pk=integration).exists():
                raise CommandError(f"No integration {integration}.")
            integrations = integrations.filter(pk=integration)
        failed = False
        for each in integrations:
            reason = why_not(each, Work.ORDERS)
            if reason:
                self.stdout.write(f"{each} ({each.pk}): not confirmed: {reason}")
                failed = True
                continue
            total = None
            for _ in range(PASSES):
                run = parcels_confirm(
                    integration=each,
                    include_waiting=True,
                    wait=True,
                    wait_for_holder=settings.ORDER_DOWNLOAD_COMMAND_WAIT_SECONDS,
                )
                total = run if total is None else _add(total, run)
                if not run.waiting:
                    break
            total.waiting = run.waiting
            failed = failed or bool(total.refused or total.waiting)
            self.stdout.write(total.summary(each))
        if failed:
            raise SystemExit(1)


def _add(total, run):
    total.confirmed += run.confirmed
    total.refused += run.refused
    total.problems += run.problems
    return total
