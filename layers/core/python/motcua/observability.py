"""Powertools singletons: one Logger, Tracer and Metrics per function (service name from the environment).

Personal data never reaches logs: log dossier codes, statuses and counts, never applicant fields. The
correlation id is the dossier code (``logger.set_correlation_id(code)``).

The Tracer's X-Ray provider is created on first use, not at import: importing ``aws_xray_sdk.core`` builds a
recorder whose sampling connector creates its own botocore session and X-Ray client, about as costly as
``import boto3`` itself, and on Lambda the service makes the sampling decision anyway. Deferring it keeps
every handler's import inside the cold-start budget (docs/decisions.md D16); boto3 and pynamodb are patched
on the first traced invocation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer

F = TypeVar("F", bound=Callable[..., Any])

TRACED_MODULES = ("botocore", "boto3", "pynamodb")


class LazyXRayProvider:
    """Stands in for ``aws_xray_sdk.core.xray_recorder`` and loads it on the first attribute access."""

    def __init__(self) -> None:
        self._recorder: Any = None

    def _load(self) -> Any:
        if self._recorder is None:
            from aws_xray_sdk.core import xray_recorder

            xray_recorder.configure(streaming_threshold=0)  # what Powertools does for its own provider
            self._recorder = xray_recorder
        return self._recorder

    def patch(self, modules: tuple[str, ...] | list[str]) -> None:
        from aws_xray_sdk.core import patch

        self._load()
        patch(modules)

    def patch_all(self) -> None:
        from aws_xray_sdk.core import patch_all

        self._load()
        patch_all()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._load(), name)


logger = Logger(utc=True)
tracer = Tracer(provider=LazyXRayProvider(), auto_patch=False)  # type: ignore[arg-type]
metrics = Metrics()
_patched = False


def ensure_patched() -> None:
    """Patch the AWS clients for tracing, once per container (a no-op when tracing is disabled)."""
    global _patched
    if not _patched:
        tracer.patch(TRACED_MODULES)
        _patched = True


def correlate(code: str | None) -> None:
    """Correlation id = the dossier code. Also kept per thread: on Lambda a process runs one invocation at a
    time, but in the local cloud every handler shares one process and its threads."""
    logger.set_correlation_id(code)
    logger.thread_safe_clear_keys()
    if code:
        logger.thread_safe_append_keys(correlation_id=code)


def instrumented(handler: F) -> F:
    """Tracing (``capture_lambda_handler``, AWS clients patched on the first invocation) and log correlation
    by the event's dossier code, for every state-machine and scheduled handler."""
    captured = tracer.capture_lambda_handler(handler)

    @functools.wraps(handler)
    def run(event: Any, context: Any) -> Any:
        ensure_patched()
        correlate(event.get("code") if isinstance(event, dict) else None)
        return captured(event, context)

    return run  # type: ignore[return-value]
