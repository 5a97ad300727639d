"""Each integration's push lanes: their names (held while alive, channels.holding), and whether the integration
was sending last time we looked (coming back re-sends everything)."""

from __future__ import annotations

from channels.eligibility import Work, eligible
from stock.push.models import PushLane

# The lanes held (channels.holding) while a process sends: one fast-lane sender and one feed sender per integration.
FAST_LANE = "stock-fast"
BULK_LANE = "stock-bulk"


def lanes_stopped_record(*, integration_id: int | None = None) -> int:
    """Integrations that stopped sending outside our hooks (Amazon revoked the authorisation, noticed by any
    call to Amazon; removal): record it, so that re-authorising counts as coming back and re-sends every listing.
    The drain calls it, and the push when Amazon refuses its authorisation."""
    lanes = PushLane.objects.filter(was_pushing=True).exclude(integration__in=eligible(Work.STOCK))
    if integration_id is not None:
        lanes = lanes.filter(integration_id=integration_id)
    return lanes.update(was_pushing=False)
