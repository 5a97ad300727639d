"""sync_orders [--integration ID]: download orders now, synchronously, one summary line per integration."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from channels.amazon.errors import AmazonError
from channels.amazon.outcomes import outcome_of
from channels.eligibility import Work, eligible
from channels.models import Integration
from orders.download import DownloadResult, download_finished, orders_download


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
        """Unlike a worker, a command may wait: for another live download of the integration to finish, and out
        what Amazon says to wait out, as a task would retry."""
        result = DownloadResult(integration_id=integration_id)
        failures, attempt = 0, 0
        while True:
            try:
                # The gateway waits for our own rate limit; resuming keeps every page already committed.
                return orders_download(
                    integration_id=integration_id,
                    wait_for_rate_limit=True,
                    wait_for_holder=settings.ORDER_DOWNLOAD_COMMAND_WAIT_SECONDS,
                    on_wait=lambda: self.stderr.write(
                        f"waiting for another download of integration {integration_id} to finish…"
                    ),
                    result=result,
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
        result.outcome, result.problem = "failed", outcome.message
        download_finished(integration_id=integration_id, problem=result.problem)
        return result
