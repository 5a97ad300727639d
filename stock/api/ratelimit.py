"""Requests per second per supplier token, shared by every web process.

The generic cell rate algorithm (a token bucket kept as one timestamp, the "theoretical arrival time"): each
request moves it on by 1/rate; a request is admitted while it is at most a burst's worth ahead of now. Redis keeps
it when REDIS_URL is set (one atomic script, on Redis's clock), else the token's own row (one conditional UPDATE).
"""

from __future__ import annotations

import time
from functools import cache

import redis
from django.conf import settings
from django.db.models import F, FloatField, Q, Value
from django.db.models.functions import Coalesce, Greatest

from stock.models import SupplierToken

KEY_PREFIX = "supplier_api:rate"
BURST_SECONDS = 2  # a token may send up to twice its rate at once

_ADMIT_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local tat = math.max(tonumber(redis.call('GET', KEYS[1])) or now, now)
local wait = tat + interval - window - now
if wait > 0 then return tostring(wait) end
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', math.ceil((tat + interval - now) * 1000) + 1000)
return '0'
"""


def supplier_token_admit(*, token: SupplierToken) -> float:
    """0 when the token may make a request now; else the seconds to wait (nothing is counted then)."""
    rate = settings.SUPPLIER_API_RATE_LIMIT
    if rate <= 0:
        return 0.0
    interval = 1 / rate
    window = max(interval, BURST_SECONDS)
    if settings.REDIS_URL:
        return float(_admit_script(settings.REDIS_URL)(keys=[f"{KEY_PREFIX}:{token.pk}"], args=[interval, window]))
    return _database_admit(token_pk=token.pk, interval=interval, window=window)


@cache
def _admit_script(url: str):
    return redis.Redis.from_url(url).register_script(_ADMIT_SCRIPT)


def _database_admit(*, token_pk: int, interval: float, window: float) -> float:
    now = time.time()
    held = F("rate_limit_tat")
    admitted = (
        SupplierToken.objects.filter(pk=token_pk)
        .filter(Q(rate_limit_tat__isnull=True) | Q(rate_limit_tat__lte=now + window - interval))
        .update(rate_limit_tat=Greatest(Coalesce(held, Value(now)), Value(now), output_field=FloatField()) + interval)
    )
    # Refused, the next slot is at most one interval away.
    return 0.0 if admitted else interval
