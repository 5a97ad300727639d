"""For each URL parameter naming a seller's object: how to make one owned by a given account.

A new seller URL with an object id must add its parameter here, or the isolation test fails.
"""

from __future__ import annotations

from collections.abc import Callable

from accounts.models import SellerAccount


def _integration(account: SellerAccount) -> int:
    from channels.tests.factories import IntegrationFactory

    return IntegrationFactory(account=account).pk


OBJECT_FOR_PARAMETER: dict[str, Callable[[SellerAccount], int]] = {
    "integration_id": _integration,
}


def _mapping(account: SellerAccount) -> int:
    from channels.tests.factories import IntegrationFactory
    from stock.tests.factories import ListingMappingFactory

    return ListingMappingFactory(integration=IntegrationFactory(account=account)).pk


OBJECT_FOR_PARAMETER["mapping_id"] = _mapping


def _order(account: SellerAccount) -> int:
    from orders.tests.factories import OrderFactory

    return OrderFactory(integration__account=account).pk


OBJECT_FOR_PARAMETER["order_id"] = _order


def _parcel(account: SellerAccount) -> int:
    from fulfilment.tests.factories import refused_parcel
    from orders.tests.factories import OrderFactory

    return refused_parcel(OrderFactory(integration__account=account)).pk


OBJECT_FOR_PARAMETER["parcel_id"] = _parcel


def seller_world(account: SellerAccount) -> dict[str, int]:
    """One integration with a mapped listing and an order for it: a value for every URL parameter, all related,
    so that every seller URL shows a page (rather than a 404 for a mapping of another integration)."""
    from fulfilment.tests.factories import refused_parcel
    from orders.tests.factories import ListingMappingFactory, OrderLineFactory

    mapping = ListingMappingFactory(integration__account=account)
    line = OrderLineFactory(order__integration=mapping.integration, channel_sku=mapping.channel_sku)
    parcel = refused_parcel(line.order, product=mapping.product)
    return {
        "integration_id": mapping.integration.pk,
        "mapping_id": mapping.pk,
        "order_id": line.order.pk,
        "parcel_id": parcel.pk,
    }
