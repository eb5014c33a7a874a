"""Makes the embedded AWS as strict as the real one where the product depends on it.

moto's DynamoDB checks a condition and then writes, without a lock; its server answers requests on
threads. Two concurrent conditional writes (or transactions) can therefore both pass their conditions,
which real DynamoDB never allows (conditional writes are atomic, transactions serializable). The local
cloud serialises DynamoDB writes so that what the product relies on — gapless dossier codes, one winner
among two officers deciding one task — behaves here as on AWS. tests/integration/test_moto_seam.py
guards the patched methods.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

WRITE_METHODS = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_LOCK = threading.RLock()
_MARK = "__motcua_serialised__"


def serialise_dynamodb_writes() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in WRITE_METHODS:
        original = getattr(DynamoDBBackend, name)
        if getattr(original, _MARK, False):
            continue

        def make(method: Any) -> Any:
            @functools.wraps(method)
            def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
                with _LOCK:
                    return method(self, *args, **kwargs)

            setattr(locked, _MARK, True)
            return locked

        setattr(DynamoDBBackend, name, make(original))
