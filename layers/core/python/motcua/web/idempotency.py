"""Idempotency-Key support (STYLE §6): a retried request with the same key returns the first result.

Powertools Idempotency over the idempotency table. The key is scoped to the caller (two citizens may pick
the same key) and the request body is validated, so reusing a key for a different request is refused.
Imported lazily: only POST routes pay for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from motcua.errors import BadRequest, Conflict, Unprocessable
from motcua.settings import get_settings

_KEY_MAX = 128


def run_once(
    scope: str, key: str | None, request: dict[str, Any], produce: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """``produce()`` once per (scope, key); later calls with the same key get its stored result."""
    if key is None:
        return produce()
    if not key or len(key) > _KEY_MAX or not key.isprintable():
        raise BadRequest("Idempotency-Key không hợp lệ.", code="INVALID_IDEMPOTENCY_KEY")

    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    settings = get_settings()
    persistence = DynamoDBPersistenceLayer(table_name=settings.idempotency_table)
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="request",
        expires_after_seconds=24 * 3600,
        raise_on_no_idempotency_key=True,
    )

    @idempotent_function(data_keyword_argument="envelope", persistence_store=persistence, config=config)
    def once(envelope: dict[str, Any]) -> dict[str, Any]:
        return produce()

    scoped_key = hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()
    try:
        return once(envelope={"key": scoped_key, "request": request})
    except IdempotencyValidationError as error:
        raise Unprocessable(
            "Idempotency-Key đã được dùng cho một yêu cầu khác.", code="IDEMPOTENCY_KEY_REUSED"
        ) from error
    except IdempotencyAlreadyInProgressError as error:
        raise Conflict(
            "Yêu cầu với Idempotency-Key này đang được xử lý.", code="REQUEST_IN_PROGRESS"
        ) from error
