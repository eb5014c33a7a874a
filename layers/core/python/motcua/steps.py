"""What every state-machine task handler shares: its input model and the transient-error contract.

The state machine retries only errors named ``TransientError`` (and Lambda's own service errors); all
else is caught into RecordFailure. So a handler converts throttling and connection failures into
``TransientError`` and lets business errors through unchanged (STYLE: airline-booking).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
    }
)


class TransientError(Exception):
    """Safe to retry: the state machine's Retry matches this name."""


class StepEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)

    code: str
    step: str
    task_token: str | None = Field(None, alias="taskToken")
    decision: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


@contextmanager
def transient_errors() -> Iterator[None]:
    from botocore.exceptions import ClientError, ConnectionError, EndpointConnectionError, ReadTimeoutError
    from pynamodb.exceptions import PynamoDBException

    try:
        yield
    except (ConnectionError, EndpointConnectionError, ReadTimeoutError) as error:
        raise TransientError(type(error).__name__) from error
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _TRANSIENT_CODES:
            raise TransientError(error.response["Error"]["Code"]) from error
        raise
    except PynamoDBException as error:
        if getattr(error, "cause_response_code", None) in _TRANSIENT_CODES:
            raise TransientError(str(error.cause_response_code)) from error
        raise
