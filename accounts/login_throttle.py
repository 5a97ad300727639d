"""Failed-login throttling with django-axes, set up as README describes.

A (login name, address) pair is locked after LOGIN_FAILURE_LIMIT failures and an address after
LOGIN_ADDRESS_FAILURE_LIMIT failures across login names, for LOGIN_LOCKOUT_MINUTES after the last failure
that counted; a successful login clears its own pair only, so a guesser cannot reset an address's count by
logging in to an account of their own.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

LOGIN_NAME_MAX_LENGTH = 255  # axes' column


def login_name(request: HttpRequest, credentials: dict | None) -> str | None:
    """The login name as typed, compared without case or surrounding spaces (so "Ann@x" counts as "ann@x")."""
    name = (credentials or {}).get("username") or request.POST.get("username")
    return name.strip().lower()[:LOGIN_NAME_MAX_LENGTH] if name else None


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's address: the connection's own, or with TRUSTED_PROXY_COUNT proxies in front, the address
    the outermost of them saw (X-Forwarded-For entries left of those are written by the client, so forgeable)."""
    connection = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
        if len(forwarded) >= proxies:
            return _address(forwarded[-proxies]) or _address(connection)
    return _address(connection)


def _failures(attempts: QuerySet) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class PairAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with two limits: one per (login name, address) pair, one per address.

    Expects AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"] (the pair, then the address).
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # Axes compares one number with AXES_FAILURE_LIMIT: put the address's count on the pair's scale,
        # so that it reaches the limit exactly when the address reaches LOGIN_ADDRESS_FAILURE_LIMIT.
        pair, address = (_failures(attempts) for attempts in self.get_user_attempts(request, credentials))
        return max(pair, address * settings.LOGIN_FAILURE_LIMIT // settings.LOGIN_ADDRESS_FAILURE_LIMIT)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        pair, _address_attempts = self.filter_user_attempts(request, credentials)
        return pair.delete()[0]

    def lock_ends_at(self, request: HttpRequest, credentials: dict | None = None) -> datetime:
        """When the lock on this request's pair (or, failing that, its address) runs out."""
        pair, address = self.get_user_attempts(request, credentials)
        locking = pair if _failures(pair) >= settings.LOGIN_FAILURE_LIMIT else address
        last_failure = locking.aggregate(last=Max("attempt_time"))["last"] or timezone.now()
        return last_failure + settings.AXES_COOLOFF_TIME


def locked_out_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """429 with a page saying when to try again (AXES_LOCKOUT_CALLABLE)."""
    ends_at = PairAndAddressHandler().lock_ends_at(request, credentials)
    seconds = max(0, math.ceil((ends_at - timezone.now()).total_seconds()))
    response = render(
        request,
        "registration/locked_out.html",
        {"ends_at": ends_at, "minutes": max(1, math.ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
