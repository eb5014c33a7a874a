"""Paging cursors: DynamoDB's LastEvaluatedKey, opaque to clients (base64 of JSON).

A cursor is client input: one that does not decode, or that DynamoDB refuses as a start key, is a 400.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pynamodb.exceptions import QueryError


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


class InvalidCursor(ValueError):
    """A paging cursor the API did not hand out."""


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeError) as error:
        raise InvalidCursor(cursor) from error
    if not isinstance(key, dict):
        raise InvalidCursor(cursor)
    return key


@contextmanager
def refused_cursor_is_invalid() -> Iterator[None]:
    """DynamoDB answers a forged start key with a ValidationException: that is bad input, not a fault."""
    try:
        yield
    except QueryError as error:
        if getattr(error, "cause_response_code", None) == "ValidationException":
            raise InvalidCursor("refused by DynamoDB") from error
        raise
    except (TypeError, KeyError, AttributeError) as error:  # moto's answer to some forged keys
        raise InvalidCursor("unusable start key") from error
