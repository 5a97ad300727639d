"""Answering one request: find the route, then for SP-API check the token, faults and rate limit, in Amazon's order."""

from __future__ import annotations

import logging
import time
from urllib.parse import unquote

from channels.amazon.simulator import lwa
from channels.amazon.simulator.faults import TOKEN_OPERATION, Fault
from channels.amazon.simulator.models import Call
from channels.amazon.simulator.routing import (
    BadRequest,
    Exchange,
    Request,
    Response,
    Route,
    Router,
    errors_response,
    html_response,
    json_response,
    request_id,
)
from channels.amazon.simulator.state import SimulatorState

logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/_sim/"

_UNAVAILABLE_PAGE = "<html><head><title>503 Service Unavailable</title></head><body>Service Unavailable</body></html>"


def respond(state: SimulatorState, router: Router, request: Request) -> Response:
    matched = router.match(request.method, request.path)
    if matched is None:
        status = 405 if router.allows_path(request.path) else 404
        return errors_response(status, "NotFound" if status == 404 else "MethodNotAllowed", "No such resource.")
    route, path_params = matched
    exchange = Exchange(state, request, {name: unquote(value) for name, value in path_params.items()})
    try:
        response = _run(route, exchange)
    except BadRequest as error:
        response = _bad_request(str(error))
    except Exception:
        # A simulator bug: answer like Amazon's own failures rather than dropping the connection.
        logger.exception("Amazon simulator failed on %s %s", request.method, request.path)
        response = errors_response(500, "InternalFailure", "The simulator failed; see its log.")
    if not request.path.startswith(CONTROL_PREFIX):
        state.record_call(
            Call(
                state.now(),
                route.operation or "",
                request.method,
                request.path,
                response.status,
                exchange.selling_partner_id,
            )
        )
    return response


def _run(route: Route, exchange: Exchange) -> Response:
    refusal = _identify_caller(route, exchange)
    if refusal:
        return refusal
    fault, answer = _injected_fault(route, exchange)
    if answer:
        return answer
    response = _sp_api(route, exchange) if route.sp_api else route.handler(exchange)
    if fault is not None and fault.kind == "slow_answer":
        time.sleep(fault.delay)  # done on Amazon's side; the caller has not heard yet (a kill lands here)
    return response


def _identify_caller(route: Route, exchange: Exchange) -> Response | None:
    """SP-API callers are the access token's seller (refused without one); LWA callers the refresh token's."""
    request = exchange.request
    if route.operation == TOKEN_OPERATION:
        exchange.selling_partner_id = lwa.requesting_seller(exchange)
    if not route.sp_api:
        return None
    if not request.host_valid:
        host = request.headers.get("Host", "")
        refusal = errors_response(400, "InvalidInput", f"The Host header '{host}' does not name this endpoint.")
        refusal.headers.update(_rate_header(exchange.state, route.operation or ""))
        return _with_request_id(refusal)
    exchange.selling_partner_id = exchange.state.tokens.seller_for_access_token(
        request.headers.get("x-amz-access-token", "")
    )
    if exchange.selling_partner_id is None:
        return _with_request_id(
            errors_response(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided is revoked, malformed or invalid.",
            )
        )
    return None


def _injected_fault(route: Route, exchange: Exchange) -> tuple[Fault | None, Response | None]:
    """The fault taken for this call, and the answer it gives instead of the real one (None: the real one)."""
    if not (route.sp_api or route.operation == TOKEN_OPERATION):
        return None, None
    fault = exchange.state.faults.take(route.operation or "", exchange.selling_partner_id)
    answer = _fault_response(fault) if fault else None
    if answer is None:
        return fault, None
    if route.sp_api and answer.status == 429 and answer.body:
        # A QuotaExceeded 429 tells the rate like any other answer, so clients can learn the sped-up rate from it.
        answer.headers.update(_rate_header(exchange.state, route.operation or ""))
    return fault, _with_request_id(answer)


def _sp_api(route: Route, exchange: Exchange) -> Response:
    state = exchange.state
    operation = route.operation or ""
    rate_header = _rate_header(state, operation)
    if not state.limiter.take(exchange.selling_partner_id or "", operation):
        response = errors_response(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
    else:
        try:
            response = route.handler(exchange)
        except BadRequest as error:
            response = errors_response(400, "InvalidInput", str(error))
    # Amazon's models list the header on 400 and 404 answers as on a 200.
    response.headers.update(rate_header)
    return _with_request_id(response)


def _rate_header(state: SimulatorState, operation: str) -> dict[str, str]:
    return {"x-amzn-RateLimit-Limit": f"{state.limiter.rate(operation):g}"}


def _fault_response(fault: Fault) -> Response | None:
    """The injected failure, or None when the fault only delays the real answer."""
    if fault.kind == "slow":
        time.sleep(fault.delay)
        return None
    if fault.kind == "slow_answer":
        return None  # answered late, after the real work (see _run)
    if fault.kind == "throttle":
        return errors_response(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
    if fault.kind == "empty_throttle":
        return Response(429)
    if fault.kind == "server_error":
        return errors_response(500, "InternalFailure", "We encountered an internal error. Please try again.")
    if fault.kind == "html_unavailable":
        return html_response(503, _UNAVAILABLE_PAGE)
    return lwa.invalid_client()


def _bad_request(message: str) -> Response:
    """A malformed request to Login with Amazon or the control surface (SP-API answers its own in _sp_api)."""
    return json_response(400, {"error": "invalid_request", "error_description": message})


def _with_request_id(response: Response) -> Response:
    response.headers["x-amzn-RequestId"] = request_id()
    return response
