"""Fixtures for the gateway's respx tests: Amazon faked at the HTTP boundary, on made-up hosts."""

from __future__ import annotations

import uuid

import pytest
import respx

from channels.amazon.gateway import AmazonGateway, SellingPartner

SP_API = "https://sp-api.test"
LWA_TOKEN_URL = "https://lwa.test/auth/o2/token"
ACCESS_TOKEN = "Atza|access-token-never-logged"
UK = "A1F83G8C2ARO7P"


@pytest.fixture
def amazon(settings, db):
    """A respx router standing in for SP-API and LWA; LWA hands out ACCESS_TOKEN. Buckets live in the database."""
    settings.AMAZON_SP_API_ENDPOINT = SP_API
    settings.AMAZON_LWA_TOKEN_URL = LWA_TOKEN_URL
    settings.REDIS_URL = None
    with respx.mock(assert_all_called=False) as router:
        router.post(LWA_TOKEN_URL, name="lwa").respond(
            json={"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": 3600}
        )
        yield router


def new_partner(**overrides) -> SellingPartner:
    """A seller no other test has used, so per-process token caches and rate buckets start fresh."""
    unique = uuid.uuid4().hex[:12].upper()
    fields = {
        "selling_partner_id": f"A{unique}",
        "refresh_token": f"Atzr|refresh-{unique}",
        "marketplace_id": UK,
    }
    return SellingPartner(**{**fields, **overrides})


@pytest.fixture
def partner() -> SellingPartner:
    return new_partner()


@pytest.fixture
def gateway(amazon, partner):
    with AmazonGateway(partner) as gateway:
        yield gateway
