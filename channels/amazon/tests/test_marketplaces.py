"""The site table: each site's language code and its currency's minor unit."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from channels.amazon.marketplaces import MARKETPLACES, currency_decimals, marketplace_by_id, round_price


@pytest.mark.parametrize(
    ("marketplace_id", "locale"),
    [
        ("A1F83G8C2ARO7P", "en_GB"),
        ("A1PA6795UKMFR9", "de_DE"),
        ("A13V1IB3VIYZZH", "fr_FR"),
        ("A1AM78C64UM0Y8", "es_MX"),
        ("A2Q3Y263D00KWC", "pt_BR"),
        ("A1VC38T7YXB528", "ja_JP"),
        ("ATVPDKIKX0DER", "en_US"),
    ],
)
def test_a_sites_locale_is_its_language_in_its_country(marketplace_id, locale):
    assert marketplace_by_id(marketplace_id).locale == locale


def test_every_locale_has_amazons_shape():
    assert [m.site_name for m in MARKETPLACES if not re.fullmatch(r"[a-z]{2}_[A-Z]{2}", m.locale)] == []


def test_only_the_yen_has_no_minor_unit_among_the_sites_currencies():
    decimals = {m.currency: currency_decimals(m.currency) for m in MARKETPLACES}

    assert {currency for currency, places in decimals.items() if places != 2} == {"JPY"}
    assert decimals["JPY"] == 0


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [("12.345", "GBP", "12.35"), ("12.344", "GBP", "12.34"), ("1234.5", "JPY", "1235"), ("0.4", "JPY", "0")],
)
def test_prices_round_half_up_to_the_minor_unit(amount, currency, rounded):
    assert str(round_price(Decimal(amount), currency)) == rounded
