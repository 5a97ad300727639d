"""Writes to the supplier catalogue and to listing mappings (services, per STYLE.md)."""

from stock.batches import ItemError, SupplierRequestInvalid
from stock.services.catalogue import (
    ConcurrentCreation,
    ProductUpsertResult,
    StockUpdateResult,
    product_upsert,
    stock_updates_apply,
    supplier_create,
    supplier_token_issue,
    supplier_token_used,
    supplier_tokens_revoke,
)
from stock.services.hooks import listings_affected
from stock.services.mappings import (
    AutoMapChanged,
    CsvImportResult,
    CsvInvalid,
    RowError,
    mapping_create,
    mapping_remove,
    mappings_auto_map_apply,
    mappings_import_csv,
)

__all__ = [
    "AutoMapChanged",
    "ConcurrentCreation",
    "CsvImportResult",
    "CsvInvalid",
    "ItemError",
    "ProductUpsertResult",
    "RowError",
    "StockUpdateResult",
    "SupplierRequestInvalid",
    "listings_affected",
    "mapping_create",
    "mapping_remove",
    "mappings_auto_map_apply",
    "mappings_import_csv",
    "product_upsert",
    "stock_updates_apply",
    "supplier_create",
    "supplier_token_issue",
    "supplier_token_used",
    "supplier_tokens_revoke",
]
