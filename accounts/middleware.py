from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.utils import timezone

from accounts.tenancy import seller_account_of

# The seller's zone, remembered by their browser for the pages seen logged out (the login lock-out page's time):
# taken from the browser, not looked up from a typed login name, which would tell a guesser the account exists.
TIME_ZONE_COOKIE = "seller_time_zone"
TIME_ZONE_COOKIE_AGE = 365 * 24 * 60 * 60


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


class SellerAccountMiddleware:
    """Sets `request.seller_account` (the logged-in user's seller account, or None) and its time zone for the pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.seller_account = seller_account_of(request)
        if request.seller_account is None:
            remembered = request.COOKIES.get(TIME_ZONE_COOKIE, "")
            if remembered in _zones():
                timezone.activate(ZoneInfo(remembered))
            else:
                timezone.deactivate()
            return self.get_response(request)
        zone = request.seller_account.time_zone
        timezone.activate(ZoneInfo(zone))
        response = self.get_response(request)
        if request.COOKIES.get(TIME_ZONE_COOKIE) != zone:
            response.set_cookie(
                TIME_ZONE_COOKIE,
                zone,
                max_age=TIME_ZONE_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
