"""Fault injection: make the next N calls of an operation (optionally after M good ones) fail the ways Amazon fails."""

from __future__ import annotations

import threading
from dataclasses import dataclass

# What each kind does:
#   throttle        429 with Amazon's QuotaExceeded errors body
#   empty_throttle  429 with an empty body (Amazon's edge sometimes sends these)
#   server_error    500 with an InternalFailure errors body
#   html_unavailable 503 with an HTML page and no errors body
#   slow            waits `delay` seconds, then answers normally
#   slow_answer     does the work at once (a feed is created), then waits `delay` seconds before answering
#   invalid_client  (operation "token") LWA answers 401 invalid_client, as if the app's credentials were rotated
FAULT_KINDS = (
    "throttle",
    "empty_throttle",
    "server_error",
    "html_unavailable",
    "slow",
    "slow_answer",
    "invalid_client",
)
ANY_OPERATION = "*"
# The operation name of the LWA token endpoint, for faults and the call log.
TOKEN_OPERATION = "token"


@dataclass
class Fault:
    operation: str
    kind: str
    remaining: int | None  # None: until the faults are cleared
    selling_partner_id: str | None = None  # None: every seller
    delay: float = 0.0
    after: int = 0  # this many matching calls first go through normally

    def matches(self, operation: str, selling_partner_id: str | None) -> bool:
        return (
            self.operation in (operation, ANY_OPERATION)
            and (self.selling_partner_id is None or self.selling_partner_id == selling_partner_id)
            and (self.remaining is None or self.remaining > 0)
        )

    def as_dict(self) -> dict:
        return {
            "operation": self.operation,
            "kind": self.kind,
            "remaining": self.remaining,
            "selling_partner_id": self.selling_partner_id,
            "delay": self.delay,
            "after": self.after,
        }


class FaultBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault kind {fault.kind!r}; use one of {', '.join(FAULT_KINDS)}.")
        with self._lock:
            self._faults.append(fault)

    def take(self, operation: str, selling_partner_id: str | None) -> Fault | None:
        """The first matching fault, counted as used."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(operation, selling_partner_id):
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return fault
            return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return [fault for fault in self._faults if fault.remaining is None or fault.remaining > 0]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
