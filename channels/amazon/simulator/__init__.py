"""A local stand-in for Amazon: Seller Central's consent page, Login with Amazon and the SP-API operations the
platform uses, speaking Amazon's wire formats (../shared/spapi-models/). It never imports the gateway.

    from channels.amazon.simulator import AmazonSimulator
    sim = AmazonSimulator(speedup=1.0)        # demo=True seeds DEMO-SKU-001..020 and a stream of orders
    base_url = sim.start(port=0)              # a free port; the three AMAZON_* settings point at base_url
    sim.state.add_order("A2SIMDEMOSELLER", "A1F83G8C2ARO7P", lines=[{"sku": "X", "quantity": 1, "unit_price": "5"}])
    sim.stop()

Amazon surfaces (same paths as Amazon):
    GET/POST /apps/authorize/consent                      consent page (form fields: application_id, state,
                                                          redirect_uri, version, selling_partner_id, consent=on)
    POST /auth/o2/token                                   LWA: authorization_code and refresh_token grants
    GET  /orders/2026-01-01/orders[/{orderId}]            searchOrders, getOrder (includedData FULFILLMENT, PROCEEDS,
                                                          RECIPIENT, CANCELLATION, PACKAGES)
    POST /orders/v0/orders/{orderId}/shipmentConfirmation confirmShipment (checked as Amazon does; 204, 400, 404)
    GET  /sellers/v1/marketplaceParticipations            getMarketplaceParticipations
    POST /feeds/2021-06-30/documents, /feeds              createFeedDocument, createFeed (JSON_LISTINGS_FEED)
    GET  /feeds/2021-06-30/feeds/{id}, /documents/{id}    getFeed, getFeedDocument
    PUT/GET /feed-documents/{id}                          the "pre-signed" document URL: upload, download
    PATCH/GET /listings/2021-08-01/items/{sellerId}/{sku} patchListingsItem, getListingsItem
    GET  /listings/2021-08-01/items/{sellerId}            searchListingsItems (first page)

Control surface (JSON; for benchmarks, `make run` and out-of-process tests):
    GET    /_sim/state[?calls=N]   sellers with listings, orders (lines shipped/cancelled, packages) and feeds;
                                   pending faults; the last N calls; call_counts {operation: {status: calls}}
    GET    /_sim/counts            {"calls": {operation: n}, "throttled": {operation: n}} ("token" = LWA)
    POST   /_sim/sellers           {"selling_partner_id", "marketplace_ids": [...], "store_name"?}
    POST   /_sim/orders            {"selling_partner_id", "marketplace_id", "lines"?: [{"sku", "quantity",
                                   "unit_price", "title"?, "order_item_id"?}], "status"?, "fulfilled_by"?,
                                   "visible_after"?, "order_id"?, "ship_by"?: ISO 8601, "recipient"?: CustomerAddress}
    POST   /_sim/orders/status     {"order_id", "status"}  (updates lastUpdatedTime)
    POST   /_sim/orders/cancel     {"order_id", "order_item_ids"?: [...], "cancelled_by"?, "reason"?}: Amazon's side
                                   cancels the units not yet shipped (of every item by default)
    POST   /_sim/listings          {"selling_partner_id", "marketplace_id", "sku", "quantity"?, "price"?, "title"?}
    POST   /_sim/faults            {"operation": operationId | "token" | "*", "kind", "count"?: N or null (forever),
                                   "selling_partner_id"?, "delay"?}; kinds: throttle, empty_throttle, server_error,
                                   html_unavailable, slow, invalid_client
    DELETE /_sim/faults            clear all faults
    POST   /_sim/revoke            {"selling_partner_id"}: refresh tokens -> invalid_grant, access tokens -> 403
    POST   /_sim/speedup           {"speedup": N}: rate limits, feed processing and demo orders run N times faster
    POST   /_sim/settings          {"gzip_reports": true}: feed processing reports are served GZIP-compressed
    POST   /_sim/clock             {"seconds": N}: move the simulator's clock forward
    POST   /_sim/reset             back to a fresh start (the demo seller alone, no tokens or faults)
"""

from __future__ import annotations

from channels.amazon.simulator.server import AmazonSimulator

__all__ = ["AmazonSimulator"]
