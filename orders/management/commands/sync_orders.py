"""sync_orders [--integration ID]: download orders now, synchronously, one summary line per integration."""

from __future__ import annotations

import time
import uuid

from django.core.management.base import BaseCommand, CommandError

from channels.amazon.errors import Throttled, TransientError
from channels.models import Integration
from orders.download import DownloadResult, download_release, orders_download

# A command may wait (a worker never does): Amazon's 429s and passing errors are waited out this many times.
ATTEMPTS = 5
TRANSIENT_WAIT_SECONDS = 5.0


class Command(BaseCommand):
    help = "Downloads orders now, synchronously, for every enabled, authorised integration (or one)."

    def add_arguments(self, parser):
        parser.add_argument("--integration", type=int, help="only this integration's id")

    def handle(self, *args, integration: int | None = None, **options):
        if integration is None:
            integration_ids = list(Integration.objects.syncable().order_by("pk").values_list("pk", flat=True))
        elif Integration.objects.filter(pk=integration).exists():
            integration_ids = [integration]
        else:
            raise CommandError(f"There is no integration with id {integration}.")
        failed = 0
        for integration_id in integration_ids:
            result = self._download(integration_id)
            failed += result.failed
            self.stdout.write(result.summary())
        if failed:
            raise CommandError(f"{failed} of {len(integration_ids)} order downloads failed.", returncode=1)

    def _download(self, integration_id: int) -> DownloadResult:
        claimed_by = f"command:{uuid.uuid4().hex}"
        result = DownloadResult(integration_id=integration_id)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                # The gateway waits for our own rate limit; resuming keeps every page already committed.
                return orders_download(
                    integration_id=integration_id, claimed_by=claimed_by, wait_for_rate_limit=True, result=result
                )
            except Throttled as error:
                wait = error.retry_after
            except TransientError:
                wait = TRANSIENT_WAIT_SECONDS * attempt
            if attempt < ATTEMPTS:
                time.sleep(wait)
        download_release(integration_id=integration_id, claimed_by=claimed_by, problem=result.problem)
        return result
