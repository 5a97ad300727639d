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
from stock.services.mapping_uploads import UploadInProgress, mapping_upload_apply, mappings_upload
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
    "UploadInProgress",
    "listings_affected",
    "mapping_create",
    "mapping_remove",
    "mapping_upload_apply",
    "mappings_auto_map_apply",
    "mappings_import_csv",
    "mappings_upload",
    "product_upsert",
    "stock_updates_apply",
    "supplier_create",
    "supplier_token_issue",
    "supplier_token_used",
    "supplier_tokens_revoke",
]
