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
    app = escape(config.APP_NAME)
    draft = '<span class="badge">Draft app</span>' if fields["version"] == "beta" else ""
    body = f"""<h1>Authorise {app}</h1>
{draft}
<p class="lead"><strong>{app}</strong> would like access to your Selling Partner account.</p>
<p>It will be able to read your orders and update the stock and prices of your listings. You can remove its
access at any time in Seller Central under <em>Apps and Services &rsaquo; Manage Your Apps</em>.</p>
{error_html}
<form method="post" action="{CONSENT_PATH}">
{hidden}
<label class="field" for="selling_partner_id">Seller id
<input type="text" id="selling_partner_id" name="selling_partner_id" value="{escape(seller_id)}"
 autocomplete="off" spellcheck="false" aria-describedby="seller-id-hint"></label>
<p class="hint" id="seller-id-hint">The simulator signs you in as this seller; any id of capital letters and digits
works.</p>
<div class="consent"><input type="checkbox" id="consent" name="consent" value="on">
<label for="consent">{escape(CONSENT_LABEL)}</label></div>
<button type="submit">Confirm</button>
</form>"""
    return _document(f"authorise {app}", body)


def _error_page(problem: str) -> str:
    body = f"""<h1>We could not authorise this application</h1>
<p class="error" role="alert">{escape(problem)}</p>
<p>Go back to the application and start the authorisation again.</p>"""
    return _document("error", body)


def _document(title: str, body: str) -> str:
    """Seller Central's frame around a page: a dark bar, then one centred card."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Amazon Seller Central (simulator): {title}</title>
<style>{_STYLE}</style></head>
<body>
<header><span class="brand">amazon <span>seller central</span></span><span class="note">Simulator</span></header>
<main class="card">
{body}
</main>
<p class="footer">The built-in Amazon simulator: nothing here reaches Amazon.</p>
</body></html>
"""


_STYLE = """
* { box-sizing: border-box; }
body { margin: 0; background: #f3f3f3; color: #0f1111; font: 15px/1.5 Arial, Helvetica, sans-serif; }
header { display: flex; justify-content: space-between; align-items: center; padding: 12px 24px;
  background: #232f3e; color: #fff; }
.brand { font-size: 20px; font-weight: bold; letter-spacing: -0.5px; }
.brand span { font-weight: normal; color: #ff9900; }
.note { font-size: 12px; color: #ccc; text-transform: uppercase; letter-spacing: 1px; }
.card { max-width: 560px; margin: 40px auto 16px; padding: 28px 32px; background: #fff;
  border: 1px solid #d5d9d9; border-radius: 8px; box-shadow: 0 2px 5px rgba(15, 17, 17, 0.1); }
h1 { margin: 0 0 12px; font-size: 24px; font-weight: normal; }
.lead { font-size: 17px; }
.badge { display: inline-block; margin-bottom: 8px; padding: 2px 8px; border-radius: 4px; background: #fdf3d9;
  color: #8a5a00; font-size: 12px; }
.field { display: block; margin: 20px 0 4px; font-weight: bold; }
.field input { display: block; width: 100%; margin-top: 6px; padding: 8px 10px; border: 1px solid #888c8c;
  border-radius: 4px; font: inherit; font-weight: normal; }
.hint { margin: 0 0 16px; color: #565959; font-size: 13px; }
.consent { display: flex; gap: 10px; align-items: flex-start; margin: 16px 0 24px; padding: 12px 14px;
  background: #f7fafa; border: 1px solid #d5d9d9; border-radius: 4px; }
.consent input { margin-top: 4px; width: 16px; height: 16px; flex: none; }
button { padding: 9px 28px; border: 1px solid #fcd200; border-radius: 20px; background: #ffd814; color: #0f1111;
  font: inherit; cursor: pointer; }
button:hover { background: #f7ca00; }
.error { padding: 10px 14px; border: 1px solid #cc0c39; border-left-width: 6px; border-radius: 4px;
  background: #fff5f6; color: #b12704; }
.footer { text-align: center; color: #565959; font-size: 12px; }
@media (max-width: 600px) { .card { margin: 20px 10px 12px; padding: 20px; } }
"""
