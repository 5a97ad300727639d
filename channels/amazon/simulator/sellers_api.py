"""Sellers API v1: getMarketplaceParticipations."""

from __future__ import annotations

from channels.amazon.marketplaces import marketplace_by_id
from channels.amazon.simulator import sites
from channels.amazon.simulator.routing import Exchange, Response, Router, json_response


def register(router: Router) -> None:
    router.add(
        "GET",
        "/sellers/v1/marketplaceParticipations",
        participations,
        operation="getMarketplaceParticipations",
        sp_api=True,
    )


def participations(exchange: Exchange) -> Response:
    seller = exchange.state.seller(exchange.selling_partner_id or "")
    payload = []
    for marketplace_id in seller.marketplace_ids:
        marketplace = marketplace_by_id(marketplace_id)
        payload.append(
            {
                "marketplace": {
                    "id": marketplace_id,
                    "name": sites.store_name(marketplace),
                    "countryCode": marketplace.country_code,
                    "defaultCurrencyCode": marketplace.currency,
                    "defaultLanguageCode": marketplace.locale,
                    "domainName": sites.domain_name(marketplace),
                },
                "participation": {"isParticipating": True, "hasSuspendedListings": False},
                "storeName": seller.store_name,
            }
        )
    return json_response(200, {"payload": payload})
