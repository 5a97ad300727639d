"""Store details Amazon reports for each marketplace (domain and language), which our marketplace table lacks."""

from __future__ import annotations

from channels.amazon.marketplaces import Marketplace

# country code -> (domain name, default language)
_SITES = {
    "CA": ("www.amazon.ca", "en_CA"),
    "US": ("www.amazon.com", "en_US"),
    "MX": ("www.amazon.com.mx", "es_MX"),
    "BR": ("www.amazon.com.br", "pt_BR"),
    "IE": ("www.amazon.ie", "en_IE"),
    "ES": ("www.amazon.es", "es_ES"),
    "GB": ("www.amazon.co.uk", "en_GB"),
    "FR": ("www.amazon.fr", "fr_FR"),
    "BE": ("www.amazon.com.be", "fr_BE"),
    "NL": ("www.amazon.nl", "nl_NL"),
    "DE": ("www.amazon.de", "de_DE"),
    "IT": ("www.amazon.it", "it_IT"),
    "SE": ("www.amazon.se", "sv_SE"),
    "ZA": ("www.amazon.co.za", "en_ZA"),
    "PL": ("www.amazon.pl", "pl_PL"),
    "EG": ("www.amazon.eg", "ar_EG"),
    "TR": ("www.amazon.com.tr", "tr_TR"),
    "SA": ("www.amazon.sa", "ar_SA"),
    "AE": ("www.amazon.ae", "en_AE"),
    "IN": ("www.amazon.in", "en_IN"),
    "SG": ("www.amazon.sg", "en_SG"),
    "AU": ("www.amazon.com.au", "en_AU"),
    "JP": ("www.amazon.co.jp", "ja_JP"),
}


def domain_name(marketplace: Marketplace) -> str:
    return _SITES[marketplace.country_code][0]


def language(marketplace: Marketplace) -> str:
    return _SITES[marketplace.country_code][1]


def store_name(marketplace: Marketplace) -> str:
    """ "Amazon.co.uk": how Amazon names a marketplace in orders and participations."""
    return "Amazon." + domain_name(marketplace).removeprefix("www.amazon.")
