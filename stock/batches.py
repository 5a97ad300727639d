"""Batches of supplier items (products, stock updates, ...): each item validated by its pydantic schema on its own.

A supplier API request is all or nothing, and a 400 lists every bad item with its index, its key (e.g. its SKU)
and a sentence saying what to fix. So a batch is not one pass/fail: `Batch[Item]` validates the whole list in one
call (the fast path, in pydantic's core) and, only when something is wrong, item by item, keeping the good items
(for the checks against the database that follow) and turning each problem into a sentence.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, get_args

from django.conf import settings
from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, ValidationError, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError, core_schema


@dataclass(frozen=True)
class ItemError:
    index: int
    key: str | None  # the item's identifying value (its SKU), when it has a usable one
    reason: str

    def as_dict(self, key_name: str = "sku") -> dict[str, Any]:
        return {"index": self.index, key_name: self.key, "reason": self.reason}


class SupplierRequestInvalid(Exception):
    """Some items of a supplier request are bad; nothing of the request was applied."""

    def __init__(self, errors: list[ItemError], *, key_name: str = "sku"):
        super().__init__(f"{len(errors)} bad item(s)")
        self.errors = sorted(errors, key=lambda error: error.index)
        self.key_name = key_name


# The error type of every check of ours: its message is already the sentence for the supplier.
REASON = "reason"


def refusal(sentence: str) -> PydanticCustomError:
    """A validation error whose message is `sentence` as it is (raise it from a validator)."""
    return PydanticCustomError(REASON, "{sentence}", {"sentence": sentence})


class TooManyItems(Exception):
    """More items in one request than SUPPLIER_API_MAX_ITEMS (answered 413, before any item is validated)."""

    def __init__(self, *, limit: int, noun: str):
        super().__init__(f"Send at most {limit:,} {noun} per request; split them into several requests.")


class RepeatedKeys(dict):
    """A JSON object in which a key appeared more than once (the JSON parser marks it; the schema refuses it)."""

    def __init__(self, pairs: list[tuple[str, Any]]):
        super().__init__(pairs)
        seen: set[str] = set()
        self.repeated = [key for key, _ in pairs if key in seen or seen.add(key)]


def repeated_keys_refuse(data: Any, where: str) -> None:
    if isinstance(data, RepeatedKeys):
        keys = ", ".join(f'"{key}"' for key in dict.fromkeys(data.repeated))
        raise refusal(f"{where} has the key {keys} more than once; send each key once.")


class BatchItem(BaseModel):
    """One item of a batch: unknown fields and repeated keys are refused, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")
    # The field that identifies an item in a 400's errors (and must be unique within a request).
    key_field: ClassVar[str] = "sku"

    @model_validator(mode="before")
    @classmethod
    def _no_repeated_keys(cls, data: Any) -> Any:
        repeated_keys_refuse(data, "this item")
        return data


class BatchBody(BaseModel):
    """A request body: a JSON object holding one list of items, and nothing else."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _an_object_with_the_list(cls, data: Any) -> Any:
        (name,) = cls.model_fields
        problems = []
        if not isinstance(data, dict) or not isinstance(data.get(name), list):
            problems.append(f'The body must be a JSON object with an "{name}" list.')
        unknown = [key for key in data if key != name] if isinstance(data, dict) else []
        if unknown:
            fields = ", ".join(f'"{key}"' for key in unknown)
            problems.append(f'Unknown field {fields}: the body holds only "{name}".')
        if problems:
            raise refusal(" ".join(problems))
        repeated_keys_refuse(data, "The body")
        return data


ItemT = TypeVar("ItemT", bound=BatchItem)


class Batch(Generic[ItemT]):
    """The items of a request: the valid ones with their index, and every problem of the others."""

    def __init__(self, *, item_type: type[ItemT], raw: list[Any], valid: list[tuple[int, ItemT]], errors: list):
        self.item_type, self.raw, self.valid, self.errors = item_type, raw, valid, errors

    def __len__(self) -> int:
        return len(self.raw)

    @classmethod
    def of(cls, item_type: type[ItemT], raw: list[Any], *, noun: str = "items") -> Batch[ItemT]:
        """Validate `raw` (parsed JSON) as a batch of `item_type`, as the API does; for callers in Python."""
        _within_the_limit(raw, noun=noun)
        return _batch_validate_one_by_one(item_type, raw)

    def key_of(self, index: int) -> str | None:
        """The item's key as sent, when it is text we can safely echo (no NUL, no unpaired surrogate)."""
        item = self.raw[index]
        key = item.get(self.item_type.key_field) if isinstance(item, dict) else None
        return key if isinstance(key, str) and _echoable(key) else None

    def keys_by_index(self) -> dict[int, str]:
        """Every item's valid key, also of items bad in another field (for duplicates and lookups)."""
        keys = {index: getattr(item, self.item_type.key_field) for index, item in self.valid}
        field = self.item_type.key_field
        bad_key = {error.index for error in self.errors if error.field == field}
        for error in self.errors:
            key = self.key_of(error.index)
            if key is not None and error.index not in bad_key:
                keys.setdefault(error.index, key)
        return keys

    def item_errors(self) -> list[ItemError]:
        return [ItemError(error.index, self.key_of(error.index), error.reason) for error in self.errors]

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        (item_type,) = get_args(source)

        def validate(value: Any, validate_list: core_schema.ValidatorFunctionWrapHandler, info) -> Batch:
            if not isinstance(value, list):
                return validate_list(value)  # raises: the body's shape is wrong
            _within_the_limit(value, noun=info.field_name or "items")
            try:
                return cls(item_type=item_type, raw=value, valid=list(enumerate(validate_list(value))), errors=[])
            except ValidationError:
                return _batch_validate_one_by_one(item_type, value)

        return core_schema.with_info_wrap_validator_function(validate, handler.generate_schema(list[item_type]))


@dataclass(frozen=True)
class _FieldError:
    index: int
    field: str | None
    reason: str


def _within_the_limit(raw: list[Any], *, noun: str) -> None:
    limit = settings.SUPPLIER_API_MAX_ITEMS
    if len(raw) > limit:
        raise TooManyItems(limit=limit, noun=noun)


def _batch_validate_one_by_one(item_type: type[ItemT], raw: list[Any]) -> Batch[ItemT]:
    valid, errors = [], []
    for index, item in enumerate(raw):
        try:
            valid.append((index, item_type.model_validate(item)))
        except ValidationError as invalid:
            errors.extend(
                _FieldError(index, _field_of(error), item_reason(error, item_type)) for error in invalid.errors()
            )
    return Batch(item_type=item_type, raw=raw, valid=valid, errors=errors)


def _field_of(error: ErrorDetails) -> str | None:
    return str(error["loc"][0]) if error["loc"] else None


def _echoable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


# --- sentences ---------------------------------------------------------------------------------------------------

_AN_OBJECT = "each item must be a JSON object."
_NUMBER_WORDS = {1: "one", 2: "two", 3: "three"}

# By pydantic's error type; {field} is the field's name, the rest comes from the error's context.
_REASONS = {
    "int_type": "{field} must be a whole number (e.g. 7), not a string or a decimal.",
    "less_than_equal": "{field} must be at most {le}.",
    "greater_than_equal": "{field} must be at least {ge}.",
    "string_type": "{field} must be a non-empty string.",
    "string_too_short": "{field} must be a non-empty string.",
    "string_too_long": "{field} is longer than {max_length} characters.",
    "string_unicode": "{field} must be valid Unicode text: it holds an unpaired surrogate (such as \\ud800).",
    "decimal_type": '{field} must be a decimal number, e.g. "9.99".',
    "decimal_parsing": '{field} must be a decimal number, e.g. "9.99".',
    "finite_number": '{field} must be a decimal number, e.g. "9.99".',
    "decimal_max_places": "{field} must have at most {decimal_places_in_words} decimal places.",
    "model_type": _AN_OBJECT,
    "model_attributes_type": _AN_OBJECT,
    "dict_type": _AN_OBJECT,
}


def item_reason(error: ErrorDetails, item_type: type[BatchItem]) -> str:
    """One pydantic error about an item's field as a sentence a supplier's developer can act on."""
    kind, context = error["type"], error.get("ctx", {})
    field = ".".join(str(part) for part in error["loc"]) or "the item"
    if kind == "missing" or (error["input"] is None and kind.endswith("_type") and error["loc"]):
        return f"{field} is missing."
    if kind == "extra_forbidden":
        return _unknown_field(field, list(item_type.model_fields))
    if kind == "greater_than_equal" and context.get("ge") == 0:
        return f"{field} must not be negative."
    if kind == REASON:
        return error["msg"]
    if kind in _REASONS:
        places = context.get("decimal_places")
        return _REASONS[kind].format(field=field, decimal_places_in_words=_NUMBER_WORDS.get(places, places), **context)
    message = error["msg"]
    return f"{field}: {message[:1].lower()}{message[1:]}."


def _unknown_field(name: str, fields: list[str]) -> str:
    close = difflib.get_close_matches(name, fields, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return f'unknown field "{name}"{hint}: an item has only {", ".join(fields)}.'
