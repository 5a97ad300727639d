"""sync_orders [--integration ID]: download orders now, synchronously, one summary line per integration."""

from __future__ import annotations

import time
import uuid

from django.core.management.base import BaseCommand, CommandError

from channels.amazon.errors import AmazonError
from channels.amazon.outcomes import outcome_of
from channels.eligibility import Work, eligible
from channels.models import Integration
from orders.download import DownloadResult, download_release, orders_download


class Command(BaseCommand):
    help = "Downloads orders now, synchronously, for every enabled, authorised integration (or one)."

    def add_arguments(self, parser):
        parser.add_argument("--integration", type=int, help="only this integration's id")

    def handle(self, *args, integration: int | None = None, **options):
        if integration is None:
            integration_ids = list(eligible(Work.ORDERS).order_by("pk").values_list("pk", flat=True))
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
        """Unlike a worker, a command may wait: it waits out what Amazon says to wait out, as a task would retry."""
        claimed_by = f"command:{uuid.uuid4().hex}"
        result = DownloadResult(integration_id=integration_id)
        failures, attempt = 0, 0
        try:
            while True:
                try:
                    # The gateway waits for our own rate limit; resuming keeps every page already committed.
                    return orders_download(
                        integration_id=integration_id, claimed_by=claimed_by, wait_for_rate_limit=True, result=result
                    )
                except AmazonError as error:
                    outcome = outcome_of(error, integration_id=integration_id, failures=failures)
                if not outcome.retries:
                    break
                failures, attempt = outcome.failures, attempt + 1
                # Said on stderr, so an operator watching a long wait knows the command is not stuck.
                self.stderr.write(
                    f"integration {integration_id}: {outcome.message} (attempt {attempt}; next in "
                    f"{outcome.retry_after:.0f} s, the pages already stored are kept)"
                )
                time.sleep(outcome.retry_after)
        except KeyboardInterrupt:
            # Stopped by the operator: free the integration at once rather than when the claim expires, so the
            # workers' scheduled downloads carry on from the last stored page.
            download_release(integration_id=integration_id, claimed_by=claimed_by, problem="stopped by an operator")
            raise
        result.outcome, result.problem = "failed", outcome.message
        download_release(integration_id=integration_id, claimed_by=claimed_by, problem=result.problem)
        return result
