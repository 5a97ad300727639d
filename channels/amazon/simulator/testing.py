"""Helpers for tests that talk to the simulator over HTTP the way an SP-API client does."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from channels.amazon.simulator import config
from channels.amazon.simulator.consent import CONSENT_PATH
from channels.amazon.simulator.lwa import TOKEN_PATH

REDIRECT_URI = "http://127.0.0.1:8000/channels/amazon/callback/"


def consent(base_url: str, selling_partner_id: str = config.DEMO_SELLER_ID, *, state: str = "state-1") -> dict:
    """Tick the box and Confirm on the consent page; returns the redirect's query parameters."""
    response = httpx.post(
        base_url + CONSENT_PATH,
        data={
            "application_id": config.SP_APP_ID,
            "state": state,
            "redirect_uri": REDIRECT_URI,
            "selling_partner_id": selling_partner_id,
            "consent": "on",
        },
    )
    assert response.status_code == 302, response.text
    return {name: values[0] for name, values in parse_qs(urlsplit(response.headers["location"]).query).items()}


def token_request(base_url: str, **form: str) -> httpx.Response:
    credentials = {"client_id": config.LWA_CLIENT_ID, "client_secret": config.LWA_CLIENT_SECRET}
    return httpx.post(base_url + TOKEN_PATH, data={**credentials, **form})


def authorise(base_url: str, selling_partner_id: str = config.DEMO_SELLER_ID) -> dict[str, Any]:
    """The whole dance: consent, then the code exchanged for tokens."""
    code = consent(base_url, selling_partner_id)["spapi_oauth_code"]
    response = token_request(base_url, grant_type="authorization_code", code=code)
    assert response.status_code == 200, response.text
    return response.json()


def sp_api_client(base_url: str, selling_partner_id: str = config.DEMO_SELLER_ID) -> httpx.Client:
    """An httpx client sending a fresh access token for the seller, as SP-API clients do."""
    access_token = authorise(base_url, selling_partner_id)["access_token"]
    return httpx.Client(base_url=base_url, headers={"x-amz-access-token": access_token})


def cancel_order(base_url: str, order_id: str, order_item_ids: list[str] | None = None) -> dict[str, Any]:
    """Cancel an order (or some of its items) on Amazon's side, through the control surface."""
    body: dict[str, Any] = {"order_id": order_id}
    if order_item_ids is not None:
        body["order_item_ids"] = order_item_ids
    response = httpx.post(base_url + "/_sim/orders/cancel", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def confirm_shipment_calls(base_url: str, *, status: int | None = 204) -> int:
    """confirmShipment calls the simulator answered since its last reset (with `status`; None: any)."""
    response = httpx.get(base_url + "/_sim/state", params={"calls": 0})
    counts = response.json()["call_counts"].get("confirmShipment", {})
    return sum(count for code, count in counts.items() if status is None or code == str(status))
