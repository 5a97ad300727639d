"""Token buckets per (selling partner, operation), shared by every worker process.

Redis holds the buckets when REDIS_URL is set (one atomic Lua script per call, on Redis's clock); otherwise a
database row per bucket, locked with SELECT ... FOR UPDATE. Buckets start from Amazon's published usage plan and
follow the x-amzn-RateLimit-Limit header when Amazon sends one. After a 429 the bucket is emptied, so every
worker holds off, and the caller gets a full-jitter backoff that grows while the 429s keep coming.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings
from django.db import transaction

from channels.amazon.errors import Throttled
from channels.amazon.models import RateLimitBucket


@dataclass(frozen=True)
class Limit:
    rate: float  # requests per second
    burst: int


# Amazon's published usage plans, from each operation's description in /work/shared/spapi-models/.
PUBLISHED_LIMITS: dict[str, Limit] = {
    "searchOrders": Limit(0.0056, 20),
    "getOrder": Limit(0.5, 30),
    "confirmShipment": Limit(2.0, 10),
    "getMarketplaceParticipations": Limit(0.016, 15),
    "createFeedDocument": Limit(0.5, 15),
    "createFeed": Limit(0.0083, 15),
    "getFeed": Limit(2.0, 15),
    "getFeeds": Limit(0.0222, 10),
    "getFeedDocument": Limit(0.0222, 10),
    "patchListingsItem": Limit(5.0, 5),
    "getListingsItem": Limit(5.0, 10),
    "searchListingsItems": Limit(5.0, 5),
}

# Tokens are refilled at this share of Amazon's rate: a token is taken before the request travels, and requests from
# several processes reach Amazon closer together than they took their tokens, so the full rate would meet 429s.
RATE_SAFETY = 0.9
# And our buckets hold one token fewer than Amazon's. Amazon's bucket starts refilling when a request arrives, ours
# when its token was taken; a burst that reaches Amazon late (its first call also asked LWA for a token, a busy
# machine) leaves Amazon's bucket behind ours, and the next request meets a 429 (seen under bench/mixed_load.py). One
# token of margin absorbs up to one token interval of such delay; the 10% rate margin alone only absorbed a tenth.
BURST_MARGIN = 1
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 15 * 60
# A 429 more than this long after the previous one starts a new streak (backoff from the base again).
THROTTLE_STREAK_SECONDS = 2 * BACKOFF_CAP_SECONDS
KEY_PREFIX = "amazon:ratelimit"

_TAKE_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'rate', 'tokens', 'refilled_at')
local rate = (tonumber(state[1]) or tonumber(ARGV[1])) * tonumber(ARGV[4])
local burst = tonumber(ARGV[2])
local tokens = tonumber(state[2]) or burst
local refilled_at = tonumber(state[3]) or now
tokens = math.min(burst, tokens + math.max(0, now - refilled_at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'refilled_at', tostring(now))
redis.call('EXPIRE', KEYS[1], ARGV[3])
return tostring(wait)
"""

_THROTTLED_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'throttle_count', 'last_throttled_at')
local count = 1
local last = tonumber(state[2])
if last ~= nil and now - last < tonumber(ARGV[1]) then count = (tonumber(state[1]) or 0) + 1 end
redis.call('HSET', KEYS[1], 'tokens', '0', 'refilled_at', tostring(now),
           'throttle_count', count, 'last_throttled_at', tostring(now))
redis.call('EXPIRE', KEYS[1], ARGV[2])
return count
"""


def acquire(selling_partner_id: str, operation: str, *, wait: bool) -> None:
    """Take one token; with wait=False raise Throttled(retry_after) instead of sleeping."""
    while (seconds := _buckets().take(selling_partner_id, operation)) > 0:
        if not wait:
            raise Throttled(
                "Waiting for Amazon's rate limit; we will try again shortly.",
                retry_after=seconds,
            )
        time.sleep(seconds)


def observe_rate(selling_partner_id: str, operation: str, rate: float | None) -> None:
    """Follow the rate Amazon reports in x-amzn-RateLimit-Limit; writes only when it changes."""
    if rate is None or rate <= 0 or _known_rates.get((selling_partner_id, operation)) == rate:
        return
    _buckets().set_rate(selling_partner_id, operation, rate)
    _known_rates[(selling_partner_id, operation)] = rate


def throttled_by_amazon(selling_partner_id: str, operation: str) -> float:
    """Empty the bucket after a 429 and return a full-jitter backoff in seconds for the caller's retry."""
    streak = _buckets().record_throttle(selling_partner_id, operation)
    return full_jitter_backoff(streak, rate=_rate_for(selling_partner_id, operation))


def full_jitter_backoff(attempt: int, *, rate: float) -> float:
    """The backoff after the `attempt`th 429 in a row: full jitter from one token interval of the operation."""
    base = max(BACKOFF_BASE_SECONDS, 1 / rate)
    return full_jitter(attempt, base=base, cap=max(BACKOFF_CAP_SECONDS, base))


def full_jitter(attempt: int, *, base: float, cap: float) -> float:
    """AWS's "full jitter", the one backoff every retry uses: uniform in [0, min(cap, base * 2^(attempt-1))]."""
    return random.uniform(0, min(cap, base * 2 ** min(max(attempt - 1, 0), 60)))


# The last rate this process saw per bucket, so an unchanged header costs no write.
_known_rates: dict[tuple[str, str], float] = {}


def forget_known_rates() -> None:
    """Drop this process's memory of announced rates (a new Amazon, such as a fresh simulator, may differ)."""
    _known_rates.clear()


def _rate_for(selling_partner_id: str, operation: str) -> float:
    return _known_rates.get((selling_partner_id, operation), PUBLISHED_LIMITS[operation].rate)


def _buckets() -> RedisBuckets | DatabaseBuckets:
    if settings.REDIS_URL:
        return _redis_buckets(settings.REDIS_URL)
    return DatabaseBuckets()


@cache
def _redis_buckets(url: str) -> RedisBuckets:
    return RedisBuckets(redis.Redis.from_url(url))


def our_burst(burst: int) -> int:
    """The burst our bucket allows, for Amazon's published one."""
    return max(1, burst - BURST_MARGIN)


def _idle_ttl(limit: Limit) -> int:
    """Seconds after which an unused bucket is full again anyway, so Redis may forget it."""
    return math.ceil(limit.burst / limit.rate) + 60


class RedisBuckets:
    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._take = client.register_script(_TAKE_SCRIPT)
        self._throttled = client.register_script(_THROTTLED_SCRIPT)

    def take(self, selling_partner_id: str, operation: str) -> float:
        limit = PUBLISHED_LIMITS[operation]
        key = _key(selling_partner_id, operation)
        return float(self._take(keys=[key], args=[limit.rate, our_burst(limit.burst), _idle_ttl(limit), RATE_SAFETY]))

    def set_rate(self, selling_partner_id: str, operation: str, rate: float) -> None:
        key = _key(selling_partner_id, operation)
        with self._client.pipeline() as pipe:
            pipe.hset(key, "rate", repr(rate))
            pipe.expire(key, _idle_ttl(PUBLISHED_LIMITS[operation]))
            pipe.execute()

    def record_throttle(self, selling_partner_id: str, operation: str) -> int:
        key = _key(selling_partner_id, operation)
        ttl = max(_idle_ttl(PUBLISHED_LIMITS[operation]), THROTTLE_STREAK_SECONDS)
        return int(self._throttled(keys=[key], args=[THROTTLE_STREAK_SECONDS, ttl]))


def _key(selling_partner_id: str, operation: str) -> str:
    return f"{KEY_PREFIX}:{selling_partner_id}:{operation}"


class DatabaseBuckets:
    def take(self, selling_partner_id: str, operation: str) -> float:
        with transaction.atomic():
            bucket = _locked_bucket(selling_partner_id, operation)
            now, rate = time.time(), bucket.rate * RATE_SAFETY
            tokens = min(our_burst(bucket.burst), bucket.tokens + max(0.0, now - bucket.refilled_at) * rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
            if not wait:
                tokens -= 1
            RateLimitBucket.objects.filter(pk=bucket.pk).update(tokens=tokens, refilled_at=now)
        return wait

    def set_rate(self, selling_partner_id: str, operation: str, rate: float) -> None:
        with transaction.atomic():
            bucket = _locked_bucket(selling_partner_id, operation)
            RateLimitBucket.objects.filter(pk=bucket.pk).update(rate=rate)

    def record_throttle(self, selling_partner_id: str, operation: str) -> int:
        with transaction.atomic():
            bucket = _locked_bucket(selling_partner_id, operation)
            now = time.time()
            in_streak = (
                bucket.last_throttled_at is not None and now - bucket.last_throttled_at < THROTTLE_STREAK_SECONDS
            )
            streak = bucket.throttle_count + 1 if in_streak else 1
            RateLimitBucket.objects.filter(pk=bucket.pk).update(
                tokens=0, refilled_at=now, throttle_count=streak, last_throttled_at=now
            )
        return streak


def _locked_bucket(selling_partner_id: str, operation: str) -> RateLimitBucket:
    """The bucket's row, locked until the surrounding transaction ends; created full the first time."""
    buckets = RateLimitBucket.objects.select_for_update()
    try:
        return buckets.get(selling_partner_id=selling_partner_id, operation=operation)
    except RateLimitBucket.DoesNotExist:
        limit = PUBLISHED_LIMITS[operation]
        # ignore_conflicts: another process may create the same bucket at the same moment.
        RateLimitBucket.objects.bulk_create(
            [
                RateLimitBucket(
                    selling_partner_id=selling_partner_id,
                    operation=operation,
                    rate=limit.rate,
                    burst=limit.burst,
                    tokens=limit.burst,
                    refilled_at=time.time(),
                )
            ],
            ignore_conflicts=True,
        )
        return buckets.get(selling_partner_id=selling_partner_id, operation=operation)
