from accounts.tenancy import seller_account_of


class SellerAccountMiddleware:
    """Sets `request.seller_account`: the logged-in user's seller account, or None."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.seller_account = seller_account_of(request)
        return self.get_response(request)
