"""Amazon's usage plans: a token bucket per (seller, operation), refilled at the published rate times the speedup."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class UsagePlan:
    rate: float  # requests per second
    burst: int


# Rate and burst as published in each operation's description in ../shared/spapi-models/.
USAGE_PLANS: dict[str, UsagePlan] = {
    "searchOrders": UsagePlan(0.0056, 20),
    "getOrder": UsagePlan(0.5, 30),
    "confirmShipment": UsagePlan(2.0, 10),
    "getMarketplaceParticipations": UsagePlan(0.016, 15),
    "createFeedDocument": UsagePlan(0.5, 15),
    "createFeed": UsagePlan(0.0083, 15),
    "getFeed": UsagePlan(2.0, 15),
    "getFeeds": UsagePlan(0.0222, 10),
    "getFeedDocument": UsagePlan(0.0222, 10),
    "getListingsItem": UsagePlan(5.0, 10),
    "searchListingsItems": UsagePlan(5.0, 5),
    "patchListingsItem": UsagePlan(5.0, 5),
}


@dataclass
class _Bucket:
    tokens: float
    updated_at: float


class RateLimiter:
    def __init__(self, clock: Callable[[], float], speedup: float = 1.0) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self.speedup = speedup

    def rate(self, operation: str) -> float:
        """The rate clients are told in x-amzn-RateLimit-Limit: the one actually enforced."""
        return USAGE_PLANS[operation].rate * self.speedup

    def take(self, selling_partner_id: str, operation: str) -> bool:
        """Take one token; False means the caller must answer 429."""
        plan = USAGE_PLANS[operation]
        now = self._clock()
        with self._lock:
            bucket = self._buckets.setdefault((selling_partner_id, operation), _Bucket(plan.burst, now))
            bucket.tokens = min(plan.burst, bucket.tokens + (now - bucket.updated_at) * self.rate(operation))
            bucket.updated_at = now
            if bucket.tokens < 1:
                return False
            bucket.tokens -= 1
            return True

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
