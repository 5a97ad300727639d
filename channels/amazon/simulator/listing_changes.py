"""Changing a listing's attributes the way the Listings Items API and JSON_LISTINGS_FEED messages do.

Both surfaces share these rules, so a patch sent either way lands identically. Only the attributes the
platform sends are validated (fulfillment_availability quantity and purchasable_offer our_price); other
attributes are stored as given. A `merge` must name every selector of the element it changes, as Amazon's
"Merge a listing" guide requires.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from channels.amazon.marketplaces import currency_decimals, marketplace_by_id

# Amazon's issue codes for these cases are not in the published models; these are stable, documented stand-ins.
INVALID_ATTRIBUTE = "4000001"
UNSUPPORTED_PATCH = "4000002"
SKU_NOT_FOUND = "4000004"
INVALID_MESSAGE = "4000005"
MISSING_SELECTOR = "4000006"

# Issue categories from the Listings Items model (Issue.categories).
CATEGORY_INVALID_ATTRIBUTE = "INVALID_ATTRIBUTE"
CATEGORY_MISSING_ATTRIBUTE = "MISSING_ATTRIBUTE"
CATEGORY_INVALID_PRICE = "INVALID_PRICE"

# The selectors that pick one element of an attribute's list; a merge must give each a non-empty value.
# An offer's audience defaults to ALL ("Manage purchasable offer"), so a stored offer without one is ALL.
MERGE_SELECTORS = {
    "fulfillment_availability": ("fulfillment_channel_code",),
    "purchasable_offer": ("marketplace_id", "currency", "audience"),
}
_SELECTOR_DEFAULTS = {"audience": "ALL"}
# For other attributes: keys that identify an element, so "merge" updates it rather than appending a duplicate.
_IDENTITY_KEYS = ("fulfillment_channel_code", "marketplace_id", "language_tag", "audience", "currency")


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    severity: str = "ERROR"
    attribute_name: str | None = None
    categories: tuple[str, ...] = ()


def sku_not_found(sku: str, marketplace_id: str) -> Issue:
    site = marketplace_by_id(marketplace_id).site_name
    return Issue(
        SKU_NOT_FOUND,
        f"SKU '{sku}' does not exist for this seller on Amazon {site} ({marketplace_id}). "
        "Create the listing in Seller Central before sending stock or price updates for it.",
    )


def apply_patches(attributes: dict[str, Any], patches: list[dict[str, Any]]) -> tuple[dict[str, Any], list[Issue]]:
    """Return the attributes after the JSON Patch operations, or the unchanged attributes and the issues."""
    result = copy.deepcopy(attributes)
    issues: list[Issue] = []
    for patch in patches:
        issue = _apply_patch(result, patch)
        if issue:
            issues.append(issue)
    issues.extend(validate_attributes(result))
    return (attributes, issues) if issues else (result, [])


def merge_attributes(attributes: dict[str, Any], new_attributes: dict[str, Any]) -> tuple[dict[str, Any], list[Issue]]:
    """PARTIAL_UPDATE: the given attributes replace their namesakes, the rest stay."""
    result = {**copy.deepcopy(attributes), **copy.deepcopy(new_attributes)}
    issues = validate_attributes(result)
    return (attributes, issues) if issues else (result, [])


def validate_attributes(attributes: dict[str, Any]) -> list[Issue]:
    issues = [_quantity_issue(entry) for entry in attributes.get("fulfillment_availability", [])]
    issues += [_price_issue(offer) for offer in attributes.get("purchasable_offer", [])]
    return [issue for issue in issues if issue]


def _apply_patch(attributes: dict[str, Any], patch: dict[str, Any]) -> Issue | None:
    op, path, value = patch.get("op"), patch.get("path", ""), patch.get("value")
    parts = path.split("/")
    if len(parts) != 3 or parts[0] or parts[1] != "attributes" or not parts[2]:
        return Issue(
            UNSUPPORTED_PATCH,
            f"The patch path '{path}' is not supported; use /attributes/<name>.",
            categories=(CATEGORY_INVALID_ATTRIBUTE,),
        )
    name = parts[2]
    if op == "delete":
        attributes.pop(name, None)
        return None
    if op not in ("add", "replace", "merge"):
        return Issue(
            UNSUPPORTED_PATCH,
            f"The patch operation '{op}' is not supported.",
            attribute_name=name,
            categories=(CATEGORY_INVALID_ATTRIBUTE,),
        )
    if not isinstance(value, list) or not all(isinstance(element, dict) for element in value):
        return Issue(
            INVALID_ATTRIBUTE,
            f"The value for '{name}' must be a list of objects.",
            attribute_name=name,
            categories=(CATEGORY_INVALID_ATTRIBUTE,),
        )
    if op == "merge":
        missing = _missing_selectors(name, value)
        if missing:
            return Issue(
                MISSING_SELECTOR,
                f"A merge on '{name}' must provide non-empty values for its selector fields: {', '.join(missing)}.",
                attribute_name=name,
                categories=(CATEGORY_MISSING_ATTRIBUTE,),
            )
        attributes[name] = _merge_elements(attributes.get(name, []), value, MERGE_SELECTORS.get(name, _IDENTITY_KEYS))
    else:
        attributes[name] = copy.deepcopy(value)
    return None


def _missing_selectors(name: str, elements: list[dict[str, Any]]) -> list[str]:
    selectors = MERGE_SELECTORS.get(name, ())
    return [key for key in selectors if any(element.get(key) in (None, "") for element in elements)]


def _merge_elements(
    existing: list[dict[str, Any]], incoming: list[dict[str, Any]], identity_keys: tuple[str, ...]
) -> list[dict[str, Any]]:
    merged = copy.deepcopy(existing)
    for element in incoming:
        identity = {key: element[key] for key in identity_keys if key in element}
        target = next((m for m in merged if all(_selector(m, k) == v for k, v in identity.items())), None)
        if target is None:
            merged.append(copy.deepcopy(element))
        else:
            target.update(copy.deepcopy(element))
    return merged


def _selector(element: dict[str, Any], key: str) -> Any:
    return element.get(key, _SELECTOR_DEFAULTS.get(key))


def _quantity_issue(entry: dict[str, Any]) -> Issue | None:
    quantity = entry.get("quantity")
    if quantity is None or (isinstance(quantity, int) and not isinstance(quantity, bool) and quantity >= 0):
        return None
    return Issue(
        INVALID_ATTRIBUTE,
        f"The quantity '{quantity}' is not valid; it must be a whole number of 0 or more.",
        attribute_name="fulfillment_availability",
        categories=(CATEGORY_INVALID_ATTRIBUTE,),
    )


def _price_issue(offer: dict[str, Any]) -> Issue | None:
    for our_price in offer.get("our_price", []):
        for schedule in our_price.get("schedule", []):
            problem = _price_problem(schedule.get("value_with_tax"), offer.get("currency"))
            if problem:
                return Issue(
                    INVALID_ATTRIBUTE,
                    problem,
                    attribute_name="purchasable_offer.our_price",
                    categories=(CATEGORY_INVALID_PRICE,),
                )
    return None


def _price_problem(value: Any, currency: str | None) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        return f"The price '{value}' is not valid; it must be a number greater than 0."
    decimals = currency_decimals(currency or "")
    if -Decimal(str(value)).normalize().as_tuple().exponent > decimals:
        allowed = "no decimal places" if decimals == 0 else f"at most {decimals} decimal places"
        return f"The price '{value}' is not valid: {currency} amounts have {allowed}."
    return None
