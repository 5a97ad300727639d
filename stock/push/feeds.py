"""The JSON we send: JSON_LISTINGS_FEED messages and patchListingsItem patches for a listing's quantity and price."""

from __future__ import annotations

from decimal import Decimal

from channels.amazon.marketplaces import Marketplace, currency_decimals, round_price

PRODUCT_TYPE = "PRODUCT"
# The offer every buyer sees on the site; B2B offers (audience "B2B") are the seller's to manage.
CONSUMER_AUDIENCE = "ALL"


def listing_patches(*, quantity: int, price: Decimal | None, marketplace: Marketplace) -> list[dict]:
    """JSON Patch operations setting the quantity (and the price when given).

    Both are `merge` operations, which change only the fields sent inside the one element their selectors
    pick (Amazon's "Merge a listing" and "Manage purchasable offer" guides; a merge needs every selector):
    - fulfillment_availability, selected by the DEFAULT (merchant-fulfilled) channel: the handling time and
      restock date stay, which a `replace` would reset;
    - purchasable_offer, selected by marketplace, currency and audience ALL: only our_price changes; the
      seller's minimum and maximum prices, sale price and B2B offer stay, which a `replace` of the whole
      attribute would delete.
    """
    patches = [
        {
            "op": "merge",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
        }
    ]
    if price is not None:
        offer = {
            "marketplace_id": marketplace.marketplace_id,
            "currency": marketplace.currency,
            "audience": CONSUMER_AUDIENCE,
            "our_price": [{"schedule": [{"value_with_tax": _amount(price, marketplace.currency)}]}],
        }
        patches.append({"op": "merge", "path": "/attributes/purchasable_offer", "value": [offer]})
    return patches


def feed_message(*, message_id: int, sku: str, quantity: int, price: Decimal | None, marketplace: Marketplace) -> dict:
    """One PATCH message of a JSON_LISTINGS_FEED."""
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": PRODUCT_TYPE,
        "patches": listing_patches(quantity=quantity, price=price, marketplace=marketplace),
    }


def _amount(price: Decimal, currency: str) -> int | float:
    """A JSON number in the currency's minor unit: 1235 for JPY (no decimals), 12.35 for GBP."""
    rounded = round_price(price, currency)
    return int(rounded) if currency_decimals(currency) == 0 else float(rounded)
