"""Telling the statements of the work a test counts from those of the rate limiter's buckets."""

from __future__ import annotations


def rate_limit_token_statement(sql: str) -> bool:
    """Whether the statement is (or wraps) taking a rate-limit token in the database: without Redis (the embedded
    default) each call to Amazon takes its token in a savepoint of its own; with Redis, as in production, in none."""
    return "amazon_ratelimitbucket" in sql or sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
