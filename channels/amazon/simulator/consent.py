"""Seller Central's app consent page: the seller ticks the box, confirms, and is sent back with a code.

Seller ids typed on the page that the simulator does not know are created on the spot, selling on every
marketplace in channels.amazon.marketplaces, so any site a test or demo picks works.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlencode, urlsplit

from channels.amazon.simulator import config
from channels.amazon.simulator.routing import Exchange, Response, Router, html_response

CONSENT_PATH = "/apps/authorize/consent"
CONSENT_LABEL = f"I direct Amazon to provide {config.APP_NAME} access to my Selling Partner account and related data"
_SELLER_ID = re.compile(r"^[A-Z0-9]{1,20}$")


def register(router: Router) -> None:
    router.add("GET", CONSENT_PATH, show, operation="consentPage")
    router.add("POST", CONSENT_PATH, confirm, operation="consentConfirm")


def show(exchange: Exchange) -> Response:
    request = exchange.request
    fields = {name: request.param(name) or "" for name in ("application_id", "state", "redirect_uri", "version")}
    problem = _request_problem(fields)
    if problem:
        return html_response(400, _error_page(problem))
    return html_response(200, _page(fields, seller_id=config.DEMO_SELLER_ID, error=None))


def confirm(exchange: Exchange) -> Response:
    form = exchange.request.form()
    fields = {name: form.get(name, "") for name in ("application_id", "state", "redirect_uri", "version")}
    problem = _request_problem(fields)
    if problem:
        return html_response(400, _error_page(problem))
    seller_id = form.get("selling_partner_id", "").strip().upper()
    if not _SELLER_ID.match(seller_id):
        return html_response(200, _page(fields, seller_id=seller_id, error="Enter a seller id of letters and digits."))
    if form.get("consent") != "on":
        return html_response(
            200, _page(fields, seller_id=seller_id, error="Tick the box to give access, then Confirm.")
        )
    code = exchange.state.issue_authorization_code(seller_id)
    exchange.selling_partner_id = seller_id
    query = urlencode({"spapi_oauth_code": code, "state": fields["state"], "selling_partner_id": seller_id})
    separator = "&" if urlsplit(fields["redirect_uri"]).query else "?"
    return Response(302, headers={"Location": f"{fields['redirect_uri']}{separator}{query}"})


def _request_problem(fields: dict[str, str]) -> str | None:
    if fields["application_id"] != config.SP_APP_ID:
        return "This application could not be found. Check the application_id in the consent link."
    if not fields["state"]:
        return "The consent link has no state parameter."
    if urlsplit(fields["redirect_uri"]).scheme not in ("http", "https"):
        return "The consent link has no valid redirect_uri."
    return None


def _page(fields: dict[str, str], *, seller_id: str, error: str | None) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(value)}">' for name, value in fields.items() if value
    )
    error_html = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    beta = " (draft app)" if fields["version"] == "beta" else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Amazon Seller Central (simulator): authorise {escape(config.APP_NAME)}</title></head>
<body>
<h1>{escape(config.APP_NAME)}{beta} would like access to your Selling Partner account</h1>
{error_html}
<form method="post" action="{CONSENT_PATH}">
{hidden}
<p><label for="selling_partner_id">Seller id</label>
<input type="text" id="selling_partner_id" name="selling_partner_id" value="{escape(seller_id)}"></p>
<p><input type="checkbox" id="consent" name="consent" value="on">
<label for="consent">{escape(CONSENT_LABEL)}</label></p>
<button type="submit">Confirm</button>
</form>
</body></html>
"""


def _error_page(problem: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Amazon Seller Central (simulator): error</title></head>
<body><h1>We could not authorise this application</h1><p class="error">{escape(problem)}</p></body></html>
"""
