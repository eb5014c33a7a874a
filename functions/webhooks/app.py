"""Webhook receiver (Chalice) for the national portal and the payment platform.

The foundation serves only a health check; signed webhooks (HMAC over the raw body with a timestamp and a
replay window, idempotent on the sender's event id) arrive with the payments and portal-sync issues.
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Response

from motcua.observability import ensure_patched, logger
from motcua.web.http import json_response, route

app = Chalice(app_name="motcua-webhooks")
app.log.disabled = True


@app.middleware("all")
def _observe(event: Any, get_response: Any) -> Any:
    ensure_patched()
    logger.clear_state()
    logger.thread_safe_clear_keys()
    return get_response(event)


@route(app, "/v1/webhooks/health", "GET", summary="Liveness of the webhook receiver", realm=None)
def health() -> Response:
    return json_response({"status": "ok"})
