"""The only module that imports python-amazon-sp-api (2.1.35). It works around the library's traps:

1. No base-URL option: we pass an `SpApiTarget` (endpoint, marketplace_id, region) in place of a `Marketplaces`
   member, with the endpoint from AMAZON_SP_API_ENDPOINT or the marketplace's regional host.
2. Its `host` header is `endpoint[8:]`, which assumes "https://"; for http:// endpoints we set the real one.
3. The LWA token URL is fixed in `AccessTokenClient`; `LwaAccessTokenClient` uses AMAZON_LWA_TOKEN_URL and our
   own per-process cache (the library's holds 10 sellers).
4. SP_API_DEFAULT_MARKETPLACE in the environment overrides the marketplace passed in, and credentials missing
   from the dict fall back to environment variables: we reset the target after construction and pin
   `credential_providers` to the dict alone.
5. An error response without an `errors` body (an empty 429, an HTML 503) raises nothing: we classify every
   status >= 400 ourselves, before the library parses the body.
6. Feed bodies given as `str` are encoded as Latin-1 and uploaded with no timeout: we upload UTF-8 bytes with
   httpx ourselves (and download result documents ourselves, for the same reasons).
8. Every client object builds its own httpx client, and with it a TLS context that loads the CA bundle: ours
   all send through the process's one client (channels.amazon.http), built once.
7. createFeed and createFeedDocument copy their `path` argument into the JSON body, and createFeedDocument
   adds `marketplaceIds` to it: we send those two through the library's `_request` with exact bodies.
9. OrdersV0.confirm_shipment sends its keyword arguments as the body: we send the model's exact body through
   `_request` instead, so nothing of ours can leak into what Amazon receives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from sp_api.api import FeedsV20210630, ListingsItemsV20210801, OrdersV0, OrdersV20260101, Sellers
from sp_api.auth import AccessTokenClient, AccessTokenResponse
from sp_api.base import fill_query_params
from sp_api.base._transport_httpx import HttpxTransport
from sp_api.base.credential_provider import FromCodeCredentialProvider, MissingCredentials

from channels.amazon import http, lwa
from channels.amazon.errors import (
    AppCredentialsInvalid,
    TransientError,
    error_for_document_status,
    error_for_status,
)
from channels.amazon.marketplaces import Marketplace

# The library logs every request's headers, access token included, at DEBUG on this logger (which it sets to
# INFO itself on import); pin it above DEBUG so no later logging configuration can expose the token.
logging.getLogger("sp_api.base.client").setLevel(logging.WARNING)

RATE_LIMIT_HEADER = "x-amzn-RateLimit-Limit"


@dataclass(frozen=True)
class SpApiTarget:
    """Duck-types a `sp_api.base.Marketplaces` member, which is all the library accepts as a destination."""

    endpoint: str
    marketplace_id: str
    region: str


@dataclass(frozen=True)
class SpApiResponse:
    body: Any
    headers: httpx.Headers

    @property
    def rate_limit(self) -> float | None:
        """Amazon's current rate (requests per second) for this operation and seller, when it says so."""
        try:
            return float(self.headers[RATE_LIMIT_HEADER])
        except (KeyError, ValueError):
            return None


def target_for(marketplace: Marketplace) -> SpApiTarget:
    endpoint = settings.AMAZON_SP_API_ENDPOINT or marketplace.sp_api_host
    return SpApiTarget(endpoint.rstrip("/"), marketplace.marketplace_id, marketplace.aws_region)


class LwaAccessTokenClient(AccessTokenClient):
    """Access tokens from AMAZON_LWA_TOKEN_URL, through channels.amazon.lwa's cache."""

    def __init__(self, refresh_token=None, credentials=None, proxies=None, verify=True) -> None:
        # Not calling super(): it opens an httpx client per SP-API client that nothing would ever use or close.
        self.cred = _Credentials(refresh_token or credentials.refresh_token)

    def get_auth(self) -> AccessTokenResponse:
        return AccessTokenResponse(access_token=lwa.access_token(self.cred.refresh_token), token_type="bearer")


@dataclass(frozen=True)
class _Credentials:
    refresh_token: str

    def __repr__(self) -> str:
        return "_Credentials(refresh_token=<hidden>)"


class _Fixed:
    """Mixed in before a library client class; see the module docstring for what each override fixes."""

    def __init__(self, target: SpApiTarget, *, refresh_token: str) -> None:
        try:
            super().__init__(
                target,
                refresh_token=refresh_token,
                credentials=_app_credentials(refresh_token),
                credential_providers=(FromCodeCredentialProvider,),
                auth_token_client_class=LwaAccessTokenClient,
                timeout=http.TIMEOUT,
                verify=http.tls_context(),  # the transport the library builds here is replaced just below
            )
        except MissingCredentials as error:
            raise AppCredentialsInvalid(
                "AMAZON_LWA_CLIENT_ID and AMAZON_LWA_CLIENT_SECRET must be set to talk to Amazon."
            ) from error
        self._transport.close()
        self._transport = HttpxTransport(client=http.client())  # trap 8
        # SP_API_DEFAULT_MARKETPLACE may have replaced `target` inside the library's __init__ (trap 4).
        self.endpoint = target.endpoint
        self.marketplace_id = target.marketplace_id
        self.region = target.region

    def close(self) -> None:
        """Nothing to release: the transport is the process's shared client, which outlives every API object."""

    @property
    def headers(self) -> dict[str, str]:
        headers = super().headers
        headers["host"] = urlsplit(self.endpoint).netloc
        return headers

    def _check_response(self, res: httpx.Response, *args: Any, **kwargs: Any) -> SpApiResponse:
        # Replaces the library's parsing: its ApiResponse moves `pagination` and `payload` around, and it raises
        # nothing for an error response without an `errors` list.
        if res.status_code >= 400:
            code, detail = _first_error(res)
            rate_limit = SpApiResponse(body=None, headers=res.headers).rate_limit
            raise error_for_status(res.status_code, code=code, detail=detail, rate_limit=rate_limit)
        try:
            return SpApiResponse(body=res.json() if res.content else {}, headers=res.headers)
        except ValueError as error:  # a proxy's HTML page with a 200: not Amazon's answer
            raise TransientError(status=res.status_code) from error


class _Orders(_Fixed, OrdersV20260101):
    pass


class _OrdersV0(_Fixed, OrdersV0):
    pass


class _Sellers(_Fixed, Sellers):
    pass


class _Feeds(_Fixed, FeedsV20210630):
    pass


class _ListingsItems(_Fixed, ListingsItemsV20210801):
    pass


ApiT = TypeVar("ApiT", bound=_Fixed)


class SpApiClient:
    """One seller on one marketplace. Each method is one SP-API call returning the JSON body and headers."""

    def __init__(self, *, refresh_token: str, marketplace: Marketplace) -> None:
        self._refresh_token = refresh_token
        self._target = target_for(marketplace)
        self._apis: dict[type, _Fixed] = {}

    @property
    def marketplace_id(self) -> str:
        return self._target.marketplace_id

    def search_orders(self, **params: Any) -> SpApiResponse:
        return self._send(lambda: self._api(_Orders).search_orders(**params))

    def get_order(self, order_id: str, **params: Any) -> SpApiResponse:
        return self._send(lambda: self._api(_Orders).get_order(order_id, **params))

    def confirm_shipment(self, order_id: str, *, body: dict[str, Any]) -> SpApiResponse:
        path = fill_query_params("/orders/v0/orders/{}/shipmentConfirmation", order_id)
        data = {**body, "method": "POST"}  # `_request` pops "method" off the body
        return self._send(lambda: self._api(_OrdersV0)._request(path, data=data, add_marketplace=False))

    def get_marketplace_participations(self) -> SpApiResponse:
        return self._send(lambda: self._api(_Sellers).get_marketplace_participation())

    def create_feed_document(self, *, content_type: str) -> SpApiResponse:
        body = {"contentType": content_type, "method": "POST"}  # `_request` pops "method" off the body
        api = self._api(_Feeds)
        return self._send(lambda: api._request("/feeds/2021-06-30/documents", data=body, add_marketplace=False))

    def create_feed(self, *, feed_type: str, input_feed_document_id: str) -> SpApiResponse:
        body = {
            "feedType": feed_type,
            "marketplaceIds": [self.marketplace_id],
            "inputFeedDocumentId": input_feed_document_id,
            "method": "POST",
        }
        return self._send(lambda: self._api(_Feeds)._request("/feeds/2021-06-30/feeds", data=body))

    def get_feeds(self, **params: Any) -> SpApiResponse:
        return self._send(lambda: self._api(_Feeds).get_feeds(**params))

    def get_feed(self, feed_id: str) -> SpApiResponse:
        return self._send(lambda: self._api(_Feeds).get_feed(feed_id))

    def get_feed_document(self, feed_document_id: str) -> SpApiResponse:
        # The library's get_feed_document also downloads the document (see trap 6); we want the metadata only.
        path = fill_query_params("/feeds/2021-06-30/documents/{}", feed_document_id)
        return self._send(lambda: self._api(_Feeds)._request(path, add_marketplace=False))

    def patch_listings_item(self, *, seller_id: str, sku: str, body: dict, **params: Any) -> SpApiResponse:
        api = self._api(_ListingsItems)
        return self._send(lambda: api.patch_listings_item(seller_id, sku, body=body, **params))

    def get_listings_item(self, *, seller_id: str, sku: str, **params: Any) -> SpApiResponse:
        return self._send(lambda: self._api(_ListingsItems).get_listings_item(seller_id, sku, **params))

    def search_listings_items(self, *, seller_id: str, **params: Any) -> SpApiResponse:
        return self._send(lambda: self._api(_ListingsItems).search_listings_items(seller_id, **params))

    def forget_access_token(self) -> None:
        lwa.forget_access_token(self._refresh_token)

    def close(self) -> None:
        for api in self._apis.values():
            api.close()
        self._apis.clear()

    def _api(self, api_class: type[ApiT]) -> ApiT:
        if api_class not in self._apis:
            self._apis[api_class] = api_class(self._target, refresh_token=self._refresh_token)
        return self._apis[api_class]

    @staticmethod
    def _send(call: Callable[[], SpApiResponse]) -> SpApiResponse:
        try:
            return call()
        except httpx.TransportError as error:  # timeouts, refused connections, protocol errors
            raise TransientError() from error


def upload_document(url: str, body: bytes, *, content_type: str) -> None:
    """PUT a feed document to its presigned URL, as the exact bytes given."""
    response = _transfer("PUT", url, content=body, headers={"Content-Type": content_type})
    if not response.is_success:
        raise error_for_document_status(response.status_code)


def download_document(url: str) -> bytes:
    response = _transfer("GET", url)
    if not response.is_success:
        raise error_for_document_status(response.status_code)
    return response.content


def _transfer(method: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        return http.client().request(method, url, **kwargs)
    except httpx.TransportError as error:
        raise TransientError() from error


def _app_credentials(refresh_token: str) -> dict[str, str]:
    return {
        "refresh_token": refresh_token,
        "lwa_app_id": settings.AMAZON_LWA_CLIENT_ID,
        "lwa_client_secret": settings.AMAZON_LWA_CLIENT_SECRET,
    }


def _first_error(res: httpx.Response) -> tuple[str | None, str | None]:
    try:
        errors = res.json().get("errors") or []
        first = errors[0]
        return first.get("code"), first.get("message")
    except (ValueError, AttributeError, IndexError, TypeError):  # empty, HTML or otherwise not Amazon's JSON
        return None, None
