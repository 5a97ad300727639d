"""The supplier API, served under /api/v1/: every app's operations, in one OpenAPI document."""

from __future__ import annotations

from fulfilment.api import router as fulfilment_router
from stock.api import supplier_api_build
from stock.api.catalogue import router as catalogue_router

api = supplier_api_build(routers=[catalogue_router, fulfilment_router])
