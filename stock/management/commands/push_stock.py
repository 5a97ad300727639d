"""push_stock [--integration ID]: send every pending stock and price change now and wait for Amazon to process it."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from channels.eligibility import Work, eligible, why_not
from channels.holding import hold
from channels.models import Integration
from stock.push import sending
from stock.push.lanes import BULK_LANE
from stock.push.marking import listings_mark_pending
from stock.push.models import ListingPush

# Integrations recomputed per listings_mark_pending call: bounds the memory of one call, not its query count.
PREPARE_CHUNK = 100


class Command(BaseCommand):
    help = (
        "Computes and sends every pending stock and price change now, synchronously, and waits until Amazon has "
        "finished processing what was sent (or a timeout). Prints a summary; exits 1 if anything failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--integration", type=int, help="only this integration (its id)")
        parser.add_argument(
            "--timeout",
            type=float,
            default=settings.STOCK_PUSH_COMMAND_TIMEOUT_SECONDS,
            help="seconds to wait for Amazon per integration (default %(default)s)",
        )

    def handle(self, *args, integration=None, timeout=None, **options):
        if integration is not None:
            found = Integration.objects.filter(pk=integration).first()
            if found is None:
                raise CommandError(f"There is no integration with id {integration}.")
            reason = why_not(found, Work.STOCK)
            if reason:
                raise CommandError(f"{found.name} (#{found.pk}) sends nothing to Amazon now: {reason}.")
            integrations = [found]
        else:
            integrations = list(eligible(Work.STOCK).order_by("pk"))
        if not integrations:
            self.stdout.write("No enabled, authorised integration with stock updates on: nothing to send.")
            return
        busy = self._prepare([each.pk for each in integrations])
        failed = False
        for each in integrations:
            # Nothing pending nor in flight: nothing to wait for, and no query spent on it.
            idle = each.pk not in busy
            line, ok = self._summary(each, sending.PushResult(each.pk)) if idle else self._push(each, timeout)
            self.stdout.write(line)
            failed |= not ok
        if failed:
            raise CommandError("Some stock updates failed; see above.", returncode=1)

    def _prepare(self, integration_ids: list[int]) -> set[int]:
        """Recompute every listing (catches anything changed outside the services) and retry backed-off listings
        now, a chunk of integrations at a time; returns the integrations with anything to send or follow."""
        for start in range(0, len(integration_ids), PREPARE_CHUNK):
            chunk = integration_ids[start : start + PREPARE_CHUNK]
            listings_mark_pending(integration_ids=chunk)
            ListingPush.objects.filter(integration_id__in=chunk).pending().update(next_attempt_at=None)
        return set(sending.integrations_with_work(among=integration_ids))

    def _push(self, integration: Integration, timeout: float) -> tuple[str, bool]:
        self._wait_for_live_sender(integration)
        total, timed_out = sending.integration_push_until_settled(
            integration_id=integration.pk, timeout=timeout, poll_seconds=_poll_seconds()
        )
        return self._summary(integration, total, timed_out=timed_out, timeout=timeout)

    def _summary(
        self, integration: Integration, total: sending.PushResult, *, timed_out: bool = False, timeout: float = 0
    ) -> tuple[str, bool]:
        recorded = total.recorded
        line = (
            f"{integration.name} (#{integration.pk}): {total.feeds_submitted} feed(s) with {total.messages} "
            f"message(s), {total.patches} patch(es); {recorded.accepted} listing(s) accepted, "
            f"{recorded.failed} failed"
        )
        problems = [*recorded.errors[:10]]
        if len(recorded.errors) > 10:
            problems.append(f"... and {len(recorded.errors) - 10} more")
        if total.stopped:
            problems.append(total.stopped)
        if timed_out:
            problems.append(f"Amazon had not finished after {timeout:.0f} seconds; the next run picks it up.")
        if problems:
            line += "\n" + "\n".join(f"  {problem}" for problem in problems)
        return line, not (recorded.failed or total.stopped or timed_out)

    def _wait_for_live_sender(self, integration: Integration) -> None:
        """Another live process sending this integration's feeds: wait for it, saying so (a dead one holds nothing)."""
        say = lambda: self.stderr.write(f"waiting for another stock push of integration {integration.pk} to finish…")  # noqa: E731
        with hold(integration.pk, BULK_LANE, wait=settings.STOCK_PUSH_COMMAND_WAIT_SECONDS, on_wait=say):
            pass


def _poll_seconds() -> float:
    return settings.STOCK_PUSH_FEED_POLL_SECONDS
