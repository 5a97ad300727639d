"""The catalogue operations: suppliers create and update their products and send their stock levels."""

from __future__ import annotations

from ninja import Router

from stock import services
from stock.api.errors import batch_responses, operation_details
from stock.schemas import ProductsIn, ProductsOut, StockUpdatesIn, StockUpdatesOut

router = Router(tags=["catalogue"])

PRODUCTS_RESPONSES = batch_responses(ProductsOut, conflict=True)
PRODUCTS_EXAMPLE = {
    "products": [
        {"sku": "MUG-RED-350", "title": "Red mug, 350 ml", "price": "9.99", "quantity": 12},
        {"sku": "MUG-BLUE-350", "title": "Blue mug, 350 ml", "price": "9.99"},
    ]
}
STOCK_RESPONSES = batch_responses(StockUpdatesOut)
STOCK_EXAMPLE = {
    "updates": [
        {"sku": "MUG-RED-350", "quantity": 7, "as_of": "2026-11-27T10:00:00Z"},
        {"sku": "MUG-BLUE-350", "quantity": 0, "as_of": "2026-11-27T10:00:00Z"},
    ]
}


@router.post(
    "/products",
    response=PRODUCTS_RESPONSES,
    operation_id="products_upsert",
    summary="Create or update your products",
    openapi_extra=operation_details(example=PRODUCTS_EXAMPLE, responses=PRODUCTS_RESPONSES),
)
def products(request, body: ProductsIn) -> dict[str, int]:
    """All or nothing: every item is checked first, and one bad item means a 400 listing every problem.

    A SKU already held by another supplier is not available. A quantity older than the one held is ignored.
    """
    result = services.product_upsert(supplier=request.auth.supplier, products=body.products, token=request.auth)
    return result.as_dict()


@router.post(
    "/stock",
    response=STOCK_RESPONSES,
    operation_id="stock_update",
    summary="Send stock levels of your products",
    openapi_extra=operation_details(example=STOCK_EXAMPLE, responses=STOCK_RESPONSES),
)
def stock(request, body: StockUpdatesIn) -> dict[str, int]:
    """All or nothing: every item is checked first, and one bad item means a 400 listing every problem.

    An update older than the one held for its SKU is ignored (`ignored_out_of_order`); the same one again is a
    harmless replay (`unchanged`).
    """
    result = services.stock_updates_apply(supplier=request.auth.supplier, updates=body.updates, token=request.auth)
    return result.as_dict()
