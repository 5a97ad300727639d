"""The JSON we send: JSON_LISTINGS_FEED messages and patchListingsItem patches for a listing's quantity and price."""

from __future__ import annotations

from decimal import Decimal

PRODUCT_TYPE = "PRODUCT"


def listing_patches(*, quantity: int, price: Decimal | None, marketplace_id: str, currency: str) -> list[dict]:
    """JSON Patch operations setting the quantity (and the price when given).

    `merge` on fulfillment_availability with the DEFAULT (merchant-fulfilled) channel keeps the
    listing's handling time, which a `replace` would reset.
    """
    patches = [
        {
            "op": "merge",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
        }
    ]
    if price is not None:
        patches.append(
            {
                "op": "merge",
                "path": "/attributes/purchasable_offer",
                "value": [
                    {
                        "marketplace_id": marketplace_id,
                        "currency": currency,
                        "our_price": [{"schedule": [{"value_with_tax": float(price)}]}],
                    }
                ],
            }
        )
    return patches


def feed_message(
    *, message_id: int, sku: str, quantity: int, price: Decimal | None, marketplace_id: str, currency: str
) -> dict:
    """One PATCH message of a JSON_LISTINGS_FEED."""
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": PRODUCT_TYPE,
        "patches": listing_patches(quantity=quantity, price=price, marketplace_id=marketplace_id, currency=currency),
    }
