"""The supplier API (django-ninja): operations described by their schemas, answered in our documented shapes.

`supplier_api_build` puts it together; an app adds its operations as a ninja Router (see `catalogue.py`): a
body schema (`stock.batches.BatchBody` holding a `Batch` of `BatchItem`s), `batch_responses(...)` and
`operation_details(...)` for the document, and a view that calls one service.
"""

from __future__ import annotations

from ninja import NinjaAPI, Router
from ninja.openapi.docs import Swagger

from stock.api.auth import SupplierBearer
from stock.api.body import SupplierJsonParser, body_bounded
from stock.api.errors import error_handlers_install

DESCRIPTION = """
Suppliers send their catalogue and stock levels as JSON, with `Authorization: Bearer <token>` (a token from
`create_supplier` or the admin). Every call is all or nothing: a 400 lists every bad item by its index, with
a sentence saying what to fix, and applies nothing. Unknown fields and repeated keys are refused. Each token may
send `SUPPLIER_API_RATE_LIMIT` requests per second (10 by default, bursts of twice that); over it, 429 with
`Retry-After`.
"""


def supplier_api_build(*, routers: list[Router]) -> NinjaAPI:
    api = NinjaAPI(
        title="Avasam supplier API",
        version="1",
        description=DESCRIPTION.strip(),
        urls_namespace="supplier_api",
        auth=SupplierBearer(),
        parser=SupplierJsonParser(),
        docs=Swagger(settings={"persistAuthorization": False}),
    )
    error_handlers_install(api)
    api.add_decorator(body_bounded, mode="view")
    for router in routers:
        api.add_router("", router)
    return api
