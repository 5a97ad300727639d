"""Store details Amazon reports for each marketplace (its domain), which our marketplace table lacks."""

from __future__ import annotations

from channels.amazon.marketplaces import Marketplace

# country code -> domain name
_SITES = {
    "CA": "www.amazon.ca",
    "US": "www.amazon.com",
    "MX": "www.amazon.com.mx",
    "BR": "www.amazon.com.br",
    "IE": "www.amazon.ie",
    "ES": "www.amazon.es",
    "GB": "www.amazon.co.uk",
    "FR": "www.amazon.fr",
    "BE": "www.amazon.com.be",
    "NL": "www.amazon.nl",
    "DE": "www.amazon.de",
    "IT": "www.amazon.it",
    "SE": "www.amazon.se",
    "ZA": "www.amazon.co.za",
    "PL": "www.amazon.pl",
    "EG": "www.amazon.eg",
    "TR": "www.amazon.com.tr",
    "SA": "www.amazon.sa",
    "AE": "www.amazon.ae",
    "IN": "www.amazon.in",
    "SG": "www.amazon.sg",
    "AU": "www.amazon.com.au",
    "JP": "www.amazon.co.jp",
}


def domain_name(marketplace: Marketplace) -> str:
    return _SITES[marketplace.country_code]


def store_name(marketplace: Marketplace) -> str:
    """ "Amazon.co.uk": how Amazon names a marketplace in orders and participations."""
    return "Amazon." + domain_name(marketplace).removeprefix("www.amazon.")
