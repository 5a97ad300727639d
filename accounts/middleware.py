from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.tenancy import seller_account_of


class SellerAccountMiddleware:
    """Sets `request.seller_account` (the logged-in user's seller account, or None) and its time zone for the pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.seller_account = seller_account_of(request)
        if request.seller_account is None:
            timezone.deactivate()
        else:
            timezone.activate(ZoneInfo(request.seller_account.time_zone))
        return self.get_response(request)
