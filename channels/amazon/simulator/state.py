"""The simulator's in-memory world, shared by every request thread and by tests that drive it directly.

One re-entrant lock guards sellers, listings, orders, feeds and documents; tokens, faults and rate limits keep
their own locks. Objects returned by the helpers are the live records: read them, change them through helpers.
"""

from __future__ import annotations

import gzip
import itertools
import json
import secrets
import threading
import time
import uuid
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from channels.amazon.marketplaces import MARKETPLACES, marketplace_by_id
from channels.amazon.simulator import config, snapshots
from channels.amazon.simulator.faults import Fault, FaultBook
from channels.amazon.simulator.feed_processing import process_feed
from channels.amazon.simulator.listing_changes import Issue, apply_patches, sku_not_found
from channels.amazon.simulator.models import (
    Call,
    Feed,
    FeedDocument,
    Listing,
    Order,
    OrderLine,
    Package,
    Seller,
    is_consumer_offer,
)
from channels.amazon.simulator.ratelimit import RateLimiter
from channels.amazon.simulator.recipients import fake_recipient
from channels.amazon.simulator.shipments import package_from_request
from channels.amazon.simulator.tokens import TokenStore

FINAL_FEED_STATUSES = ("DONE", "FATAL", "CANCELLED")
# Amazon's default handling time: an order must ship within this long of being placed.
SHIP_BY_DAYS = 2


class UnknownSeller(LookupError):
    pass


class SimulatorState:
    def __init__(self, speedup: float = 1.0) -> None:
        self._lock = threading.RLock()
        self._clock_offset = 0.0
        self.tokens = TokenStore(self.clock)
        self.limiter = RateLimiter(self.clock, speedup)
        self.faults = FaultBook()
        self.gzip_reports = False
        self._sellers: dict[str, Seller] = {}
        self._documents: dict[str, FeedDocument] = {}
        self._calls: deque[Call] = deque(maxlen=config.CALL_LOG_SIZE)
        # Every call since the last reset, by (operation, status): the log above keeps only the latest.
        self._call_counts: Counter[tuple[str, int]] = Counter()
        self._feed_numbers = itertools.count(50001000000)
        self._seed()

    # --- time -----------------------------------------------------------------------------------------------

    def clock(self) -> float:
        """Seconds since the epoch, as the simulator sees them (tests move it forward with advance_clock)."""
        return time.time() + self._clock_offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def advance_clock(self, seconds: float) -> None:
        """Jump forward: codes and tokens expire, feeds progress, delayed orders appear."""
        self._clock_offset += seconds

    @property
    def speedup(self) -> float:
        return self.limiter.speedup

    @speedup.setter
    def speedup(self, value: float) -> None:
        if value <= 0:
            raise ValueError("speedup must be greater than 0")
        self.limiter.speedup = value

    # --- sellers --------------------------------------------------------------------------------------------

    def add_seller(
        self, selling_partner_id: str, marketplace_ids: list[str] | tuple[str, ...], *, store_name: str | None = None
    ) -> Seller:
        for marketplace_id in marketplace_ids:
            marketplace_by_id(marketplace_id)  # fail loudly on a typo rather than serve an unknown marketplace
        with self._lock:
            seller = self._sellers.get(selling_partner_id)
            if seller is None:
                seller = Seller(selling_partner_id, list(marketplace_ids), store_name or f"Store {selling_partner_id}")
                self._sellers[selling_partner_id] = seller
            else:
                seller.marketplace_ids = list(dict.fromkeys([*seller.marketplace_ids, *marketplace_ids]))
            return seller

    def ensure_seller(self, selling_partner_id: str) -> Seller:
        """A seller typed on the consent page: unknown ones are created selling on every marketplace we know."""
        with self._lock:
            return self._sellers.get(selling_partner_id) or self.add_seller(
                selling_partner_id, [m.marketplace_id for m in MARKETPLACES]
            )

    def seller(self, selling_partner_id: str) -> Seller:
        with self._lock:
            try:
                return self._sellers[selling_partner_id]
            except KeyError:
                raise UnknownSeller(f"No seller {selling_partner_id!r} in the simulator") from None

    def revoke(self, selling_partner_id: str) -> None:
        """The seller removes the app: its refresh tokens get invalid_grant and its access tokens 403."""
        self.tokens.revoke_seller(selling_partner_id)

    def issue_authorization_code(self, selling_partner_id: str) -> str:
        """What the consent page does on Confirm, for tests that skip the page."""
        self.ensure_seller(selling_partner_id)
        return self.tokens.issue_authorization_code(selling_partner_id)

    # --- listings -------------------------------------------------------------------------------------------

    def set_listing(
        self,
        selling_partner_id: str,
        marketplace_id: str,
        sku: str,
        quantity: int | None = None,
        price: Decimal | str | float | None = None,
        *,
        title: str | None = None,
    ) -> Listing:
        """Create or change a listing; arguments left as None keep their current value."""
        with self._lock:
            seller = self.seller(selling_partner_id)
            listing = seller.listings.get((marketplace_id, sku))
            if listing is None:
                listing = Listing.create(
                    sku=sku, marketplace_id=marketplace_id, product_type="PRODUCT", attributes={}, now=self.now()
                )
                seller.listings[(marketplace_id, sku)] = listing
                title = title or f"Simulated product {sku}"
            _set_listing_attributes(listing, marketplace_id, quantity=quantity, price=price, title=title)
            listing.updated_at = self.now()
            return listing

    def listing(self, selling_partner_id: str, marketplace_id: str, sku: str) -> Listing | None:
        with self._lock:
            self._advance_feeds()
            return self.seller(selling_partner_id).listings.get((marketplace_id, sku))

    def listings_on(self, selling_partner_id: str, marketplace_id: str) -> list[Listing]:
        """The seller's listings on one marketplace, by SKU."""
        with self._lock:
            self._advance_feeds()
            listings = self.seller(selling_partner_id).listings
            return [listings[key] for key in sorted(listings) if key[0] == marketplace_id]

    def patch_listing(
        self, selling_partner_id: str, marketplace_id: str, sku: str, patches: list[dict[str, Any]]
    ) -> list[Issue]:
        """patchListingsItem: apply the patches at once, or nothing and the issues."""
        with self._lock:
            self._advance_feeds()
            listing = self.seller(selling_partner_id).listings.get((marketplace_id, sku))
            if listing is None:
                return [sku_not_found(sku, marketplace_id)]
            attributes, issues = apply_patches(listing.attributes, patches)
            if not issues:
                listing.attributes, listing.updated_at = attributes, self.now()
            return issues

    # --- orders ---------------------------------------------------------------------------------------------

    def add_order(
        self,
        selling_partner_id: str,
        marketplace_id: str,
        *,
        lines: list[dict[str, Any]] | None = None,
        status: str = "UNSHIPPED",
        fulfilled_by: str = "MERCHANT",
        created_at: datetime | None = None,
        order_id: str | None = None,
        visible_after: float = 0.0,
        ship_by: datetime | None = None,
        recipient: dict[str, str] | None = None,
    ) -> Order:
        """Place an order. Each line is {"sku", "quantity", "unit_price", optional "title", "asin",
        "order_item_id"}; without lines the order buys one of the seller's listings on that marketplace.
        visible_after (seconds) hides it from searchOrders and getOrder for a while, as Amazon sometimes does.
        Without a recipient a made-up one in the marketplace's country; ship_by defaults to 2 days on."""
        with self._lock:
            seller = self.seller(selling_partner_id)
            now = self.now()
            created_at = created_at or now
            country_code = marketplace_by_id(marketplace_id).country_code
            order = Order(
                order_id=order_id or self._new_order_id(),
                selling_partner_id=selling_partner_id,
                marketplace_id=marketplace_id,
                currency=marketplace_by_id(marketplace_id).currency,
                status=status,
                fulfilled_by=fulfilled_by,
                created_at=created_at,
                last_updated_at=created_at,
                visible_at=now + timedelta(seconds=visible_after),
                lines=[_order_line(spec) for spec in lines or [self._default_line(seller, marketplace_id)]],
                ship_by=ship_by or created_at + timedelta(days=SHIP_BY_DAYS),
                recipient=recipient if recipient is not None else fake_recipient(country_code),
            )
            _settle_lines(order)
            seller.orders[order.order_id] = order
            return order

    def set_order_status(self, order_id: str, status: str) -> Order:
        """Set the status as Amazon would report it; SHIPPED ships, CANCELLED cancels, what is left to ship."""
        with self._lock:
            order = self._order(order_id)
            order.status = status
            _settle_lines(order)
            order.last_updated_at = self.now()
            return order

    def confirm_shipment(self, selling_partner_id: str, order_id: str, body: Any) -> Package | None:
        """confirmShipment: record the package and ship its items, or BadRequest; None for an unknown order."""
        with self._lock:
            order = self._visible_order(selling_partner_id, order_id)
            if order is None:
                return None
            now = self.now()
            package = package_from_request(body, order, now=now)
            for order_item_id, quantity in package.items:
                order.line(order_item_id).quantity_shipped += quantity
            order.packages.append(package)
            order.settle_status()
            order.last_updated_at = now
            return package

    def cancel_order(
        self,
        order_id: str,
        order_item_ids: list[str] | None = None,
        *,
        cancelled_by: str = "BUYER",
        reason: str = "Buyer cancelled",
    ) -> Order:
        """Cancel, on Amazon's side, the units not yet shipped of some items (all items by default)."""
        with self._lock:
            order = self._order(order_id)
            if order_item_ids is None:
                wanted = [line for line in order.lines if line.quantity_unshipped]
                if not wanted:
                    raise ValueError(f"Order {order_id} has nothing left to cancel.")
            else:
                wanted = [self._order_line(order, order_item_id) for order_item_id in order_item_ids]
            for line in wanted:
                if not line.quantity_unshipped:
                    raise ValueError(f"Order item {line.order_item_id} has nothing left to cancel.")
                line.quantity_cancelled += line.quantity_unshipped
                line.cancelled_by, line.cancel_reason = cancelled_by, reason
            order.settle_status()
            order.last_updated_at = self.now()
            return order

    def visible_orders(self, selling_partner_id: str) -> list[Order]:
        with self._lock:
            now = self.now()
            return [order for order in self.seller(selling_partner_id).orders.values() if order.visible_at <= now]

    # --- feeds ----------------------------------------------------------------------------------------------

    def create_feed_document(self, selling_partner_id: str, content_type: str) -> FeedDocument:
        with self._lock:
            document = FeedDocument(f"amzn1.tortuga.4.eu.{uuid.uuid4()}.SIM", selling_partner_id, content_type)
            self._documents[document.feed_document_id] = document
            return document

    def upload_feed_document(self, feed_document_id: str, body: bytes) -> bool:
        with self._lock:
            document = self._documents.get(feed_document_id)
            if document is None:
                return False
            document.body = body
            return True

    def feed_document(self, feed_document_id: str) -> FeedDocument | None:
        with self._lock:
            self._advance_feeds()
            return self._documents.get(feed_document_id)

    def create_feed(
        self, selling_partner_id: str, *, feed_type: str, marketplace_ids: list[str], input_feed_document_id: str
    ) -> Feed:
        with self._lock:
            feed = Feed(
                feed_id=str(next(self._feed_numbers)),
                selling_partner_id=selling_partner_id,
                feed_type=feed_type,
                marketplace_ids=marketplace_ids,
                input_feed_document_id=input_feed_document_id,
                created_at=self.now(),
                created_clock=self.clock(),
            )
            self.seller(selling_partner_id).feeds[feed.feed_id] = feed
            return feed

    def feeds_of(self, selling_partner_id: str) -> list[Feed]:
        """The seller's feeds, newest first."""
        with self._lock:
            self._advance_feeds()
            return sorted(self.seller(selling_partner_id).feeds.values(), key=lambda feed: -int(feed.feed_id))

    def feed(self, selling_partner_id: str, feed_id: str) -> Feed | None:
        with self._lock:
            self._advance_feeds()
            return self.seller(selling_partner_id).feeds.get(feed_id)

    # --- faults, calls, reset -------------------------------------------------------------------------------

    def inject_fault(
        self,
        operation: str,
        kind: str,
        count: int | None = 1,
        *,
        selling_partner_id: str | None = None,
        delay: float = 0.0,
        after: int = 0,
    ) -> Fault:
        """Make the next `count` calls of `operation` ("*" = any, "token" = LWA) fail as `kind` (see faults.py),
        once `after` calls have gone through normally."""
        fault = Fault(operation, kind, count, selling_partner_id, delay, after)
        self.faults.add(fault)
        return fault

    def record_call(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._call_counts[(call.operation, call.status)] += 1

    def call_count(self, operation: str, *, status: int | None = None) -> int:
        """Calls of `operation` since the last reset (with that status, if given)."""
        with self._lock:
            return sum(
                count for (op, code), count in self._call_counts.items() if op == operation and status in (None, code)
            )

    def call_counts(self) -> dict[str, dict[str, int]]:
        """Calls answered per operation ("token" = LWA) and how many of them were 429s, since the start or reset
        (the call log keeps only the last few hundred; benchmarks count thousands)."""
        calls: Counter[str] = Counter()
        throttled: Counter[str] = Counter()
        with self._lock:
            for (operation, status), count in self._call_counts.items():
                calls[operation] += count
                if status == 429:
                    throttled[operation] += count
        return {"calls": dict(calls), "throttled": dict(throttled)}

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def reset(self) -> None:
        """Back to a fresh start: only the demo seller, no tokens, faults, calls or rate-limit history."""
        with self._lock:
            self._sellers.clear()
            self._documents.clear()
            self._calls.clear()
            self._call_counts.clear()
            self.tokens.clear()
            self.faults.clear()
            self.limiter.clear()
            self._clock_offset = 0.0
            self._seed()

    def snapshot(self, *, calls: int = 50) -> dict[str, Any]:
        """Everything /_sim/state shows, as JSON-ready data."""
        with self._lock:
            self._advance_feeds()
            return {
                "now": snapshots.iso(self.now()),
                "speedup": self.speedup,
                "gzip_reports": self.gzip_reports,
                "faults": [fault.as_dict() for fault in self.faults.pending()],
                "sellers": {seller_id: snapshots.seller_snapshot(s) for seller_id, s in self._sellers.items()},
                "calls": [snapshots.call_snapshot(call) for call in list(self._calls)[-calls:]] if calls else [],
                "call_counts": snapshots.call_counts_snapshot(self._call_counts),
            }

    # --- internals ------------------------------------------------------------------------------------------

    def _seed(self) -> None:
        self.add_seller(config.DEMO_SELLER_ID, config.DEMO_MARKETPLACE_IDS, store_name="Avasam Demo Store")

    def _order(self, order_id: str) -> Order:
        for seller in self._sellers.values():
            if order_id in seller.orders:
                return seller.orders[order_id]
        raise LookupError(f"No order {order_id!r} in the simulator")

    def _visible_order(self, selling_partner_id: str, order_id: str) -> Order | None:
        order = self.seller(selling_partner_id).orders.get(order_id)
        return order if order is not None and order.visible_at <= self.now() else None

    @staticmethod
    def _order_line(order: Order, order_item_id: str) -> OrderLine:
        line = order.line(order_item_id)
        if line is None:
            raise LookupError(f"No order item {order_item_id!r} in order {order.order_id}")
        return line

    def _new_order_id(self) -> str:
        existing = {order_id for seller in self._sellers.values() for order_id in seller.orders}
        while True:
            order_id = f"20{secrets.randbelow(8)}-{secrets.randbelow(10**7):07d}-{secrets.randbelow(10**7):07d}"
            if order_id not in existing:
                return order_id

    def _default_line(self, seller: Seller, marketplace_id: str) -> dict[str, Any]:
        listings = [listing for (mp, _), listing in seller.listings.items() if mp == marketplace_id]
        if not listings:
            return {"sku": "SIM-SKU", "quantity": 1, "unit_price": "9.99"}
        listing = secrets.choice(listings)
        price = listing.price or Decimal("9.99")
        return {"sku": listing.sku, "quantity": 1, "unit_price": price, "title": listing.title, "asin": listing.asin}

    def _advance_feeds(self) -> None:
        """Move feeds along their lifecycle; a feed's messages apply the moment it reaches DONE."""
        for seller in self._sellers.values():
            for feed in seller.feeds.values():
                if feed.processing_status not in FINAL_FEED_STATUSES:
                    self._advance_feed(seller, feed)

    def _advance_feed(self, seller: Seller, feed: Feed) -> None:
        # Measured with the current speedup, so raising it mid-feed moves the feed on at once.
        elapsed = (self.clock() - feed.created_clock) * self.speedup
        now = self.now()
        if elapsed >= config.FEED_QUEUE_SECONDS and feed.processing_start_time is None:
            feed.processing_status, feed.processing_start_time = "IN_PROGRESS", now
        if elapsed < config.FEED_QUEUE_SECONDS + config.FEED_PROCESSING_SECONDS:
            return
        document = self._documents.get(feed.input_feed_document_id)
        status, report = process_feed(seller, feed, document.body if document else None, now)
        result = self.create_feed_document(seller.selling_partner_id, "application/json")
        result.body = json.dumps(report).encode()
        if self.gzip_reports:
            result.body, result.compressed = gzip.compress(result.body), True
        feed.processing_status, feed.processing_end_time = status, now
        feed.result_feed_document_id, feed.report = result.feed_document_id, report


def _set_listing_attributes(
    listing: Listing,
    marketplace_id: str,
    *,
    quantity: int | None,
    price: Decimal | str | float | None,
    title: str | None,
) -> None:
    if quantity is not None:
        listing.attributes["fulfillment_availability"] = [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}]
    if price is not None:
        # The consumer offer, as the seller sets it in Seller Central; other audiences' offers (B2B) stay.
        others = [offer for offer in listing.attributes.get("purchasable_offer", []) if not is_consumer_offer(offer)]
        consumer_offer = {
            "marketplace_id": marketplace_id,
            "currency": marketplace_by_id(marketplace_id).currency,
            "audience": "ALL",
            "our_price": [{"schedule": [{"value_with_tax": float(Decimal(str(price)))}]}],
        }
        listing.attributes["purchasable_offer"] = [consumer_offer, *others]
    if title is not None:
        listing.attributes["item_name"] = [
            {"value": title, "language_tag": marketplace_by_id(marketplace_id).locale, "marketplace_id": marketplace_id}
        ]


def _settle_lines(order: Order) -> None:
    """An order placed or set SHIPPED (CANCELLED) has every unit not otherwise accounted for shipped (cancelled)."""
    for line in order.lines:
        if order.status == "SHIPPED":
            line.quantity_shipped += line.quantity_unshipped
        elif order.status == "CANCELLED" and line.quantity_unshipped:
            line.quantity_cancelled += line.quantity_unshipped
            line.cancelled_by, line.cancel_reason = line.cancelled_by or "AMAZON", line.cancel_reason or "Cancelled"


def _order_line(spec: dict[str, Any]) -> OrderLine:
    return OrderLine(
        order_item_id=spec.get("order_item_id") or f"{secrets.randbelow(10**14):014d}",
        sku=spec["sku"],
        asin=spec.get("asin") or "B0SIM" + spec["sku"][-5:].upper().rjust(5, "0"),
        title=spec.get("title") or f"Simulated product {spec['sku']}",
        quantity=int(spec.get("quantity", 1)),
        unit_price=Decimal(str(spec.get("unit_price", "9.99"))),
    )
