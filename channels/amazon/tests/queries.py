"""Telling the statements of the work a test counts from those of the rate limiter's buckets."""

from __future__ import annotations

import re
from itertools import pairwise

SAVEPOINT_NAME = re.compile(r'^(?:SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT) ("?\w+"?)')


def without_rate_limit_tokens(statements: list[str]) -> list[str]:
    """The statements less those taking rate-limit tokens in the database: without Redis (the embedded default) each
    call to Amazon takes its token in a savepoint of its own, which goes too; with Redis, as in production, no
    statement does. Any other savepoint stays counted."""
    token_savepoints = {
        SAVEPOINT_NAME.match(statement).group(1)
        for statement, following in pairwise(statements)
        if statement.startswith("SAVEPOINT") and _takes_a_token(following)
    }
    return [
        statement
        for statement in statements
        if not _takes_a_token(statement)
        and not ((name := SAVEPOINT_NAME.match(statement)) and name.group(1) in token_savepoints)
    ]


def _takes_a_token(statement: str) -> bool:
    return "amazon_ratelimitbucket" in statement
