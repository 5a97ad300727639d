"""Login with Amazon's token endpoint (POST /auth/o2/token), with LWA's error bodies."""

from __future__ import annotations

from channels.amazon.simulator import config
from channels.amazon.simulator.faults import TOKEN_OPERATION
from channels.amazon.simulator.routing import Exchange, Response, Router, json_response
from channels.amazon.simulator.tokens import InvalidGrant

TOKEN_PATH = "/auth/o2/token"


def register(router: Router) -> None:
    router.add("POST", TOKEN_PATH, token, operation=TOKEN_OPERATION)


def token(exchange: Exchange) -> Response:
    form = exchange.request.form()
    if form.get("client_id") != config.LWA_CLIENT_ID or form.get("client_secret") != config.LWA_CLIENT_SECRET:
        return invalid_client()
    grant_type = form.get("grant_type")
    try:
        if grant_type == "authorization_code":
            return _authorization_code(exchange, form.get("code"))
        if grant_type == "refresh_token":
            return _refresh_token(exchange, form.get("refresh_token"))
    except InvalidGrant as error:
        return _error(400, "invalid_grant", str(error))
    return _error(400, "unsupported_grant_type", f"The grant type {grant_type!r} is not supported.")


def requesting_seller(exchange: Exchange) -> str | None:
    """The seller a refresh-token request is for, so faults can target one seller's token refreshes."""
    refresh_token = exchange.request.form().get("refresh_token")
    return exchange.state.tokens.seller_for_refresh_token(refresh_token) if refresh_token else None


def invalid_client() -> Response:
    return _error(401, "invalid_client", "Client authentication failed")


def _authorization_code(exchange: Exchange, code: str | None) -> Response:
    if not code:
        return _error(400, "invalid_request", "The request is missing a required parameter : code")
    refresh_token, access_token = exchange.state.tokens.redeem_authorization_code(code)
    return _tokens(access_token, refresh_token)


def _refresh_token(exchange: Exchange, refresh_token: str | None) -> Response:
    if not refresh_token:
        return _error(400, "invalid_request", "The request is missing a required parameter : refresh_token")
    return _tokens(exchange.state.tokens.refresh(refresh_token), refresh_token)


def _tokens(access_token: str, refresh_token: str) -> Response:
    return json_response(
        200,
        {
            "access_token": access_token,
            "refresh_token": refresh_token,
            "token_type": "bearer",
            "expires_in": config.ACCESS_TOKEN_SECONDS,
        },
    )


def _error(status: int, error: str, description: str) -> Response:
    return json_response(status, {"error": error, "error_description": description})
