"""What /_sim/state shows: the simulator's records as JSON-ready data (no recipients' personal data)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from channels.amazon.simulator.models import Call, Order, Seller


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def seller_snapshot(seller: Seller) -> dict[str, Any]:
    return {
        "marketplace_ids": seller.marketplace_ids,
        "store_name": seller.store_name,
        "listings": [
            {
                "sku": listing.sku,
                "marketplace_id": listing.marketplace_id,
                "asin": listing.asin,
                "title": listing.title,
                "quantity": listing.quantity,
                "price": str(listing.price) if listing.price is not None else None,
                "updated_at": iso(listing.updated_at),
            }
            for listing in seller.listings.values()
        ],
        "orders": [order_snapshot(order) for order in seller.orders.values()],
        "feeds": [
            {
                "feed_id": feed.feed_id,
                "feed_type": feed.feed_type,
                "processing_status": feed.processing_status,
                "created_at": iso(feed.created_at),
                "result_feed_document_id": feed.result_feed_document_id,
                "summary": feed.report["summary"] if feed.report else None,
            }
            for feed in seller.feeds.values()
        ],
    }


def order_snapshot(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "marketplace_id": order.marketplace_id,
        "status": order.status,
        "fulfilled_by": order.fulfilled_by,
        "created_at": iso(order.created_at),
        "last_updated_at": iso(order.last_updated_at),
        "visible_at": iso(order.visible_at),
        "ship_by": iso(order.ship_by),
        "currency": order.currency,
        "total": str(order.total),
        "lines": [
            {
                "order_item_id": line.order_item_id,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "quantity_shipped": line.quantity_shipped,
                "quantity_cancelled": line.quantity_cancelled,
            }
            for line in order.lines
        ],
        "packages": [
            {
                "package_reference_id": package.package_reference_id,
                "carrier_code": package.carrier_code,
                "carrier_name": package.carrier_name,
                "tracking_number": package.tracking_number,
                "ship_date": iso(package.ship_date),
                "created_at": iso(package.created_at),
                "items": [{"order_item_id": item_id, "quantity": quantity} for item_id, quantity in package.items],
            }
            for package in order.packages
        ],
    }


def call_counts_snapshot(counts: Counter[tuple[str, int]]) -> dict[str, dict[str, int]]:
    """{operation: {status: calls}} since the last reset."""
    by_operation: dict[str, dict[str, int]] = {}
    for (operation, status), count in sorted(counts.items()):
        by_operation.setdefault(operation, {})[str(status)] = count
    return by_operation


def call_snapshot(call: Call) -> dict[str, Any]:
    return {
        "at": iso(call.at),
        "operation": call.operation,
        "method": call.method,
        "path": call.path,
        "status": call.status,
        "selling_partner_id": call.selling_partner_id,
    }
