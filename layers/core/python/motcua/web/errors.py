"""Domain errors → HTTP responses. The one place where status codes are chosen (STYLE §1)."""

from __future__ import annotations

import json
from typing import Any

from motcua.errors import DomainError

STATUS_BY_KIND: dict[str, int] = {
    "bad_request": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "unprocessable": 422,
    "not_acceptable": 406,
    "unavailable": 503,
    "invalid": 400,
}

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def error_body(error: DomainError) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": error.code, "message": error.message_vi}}
    if error.details:
        body["error"]["details"] = error.details
    return body


def status_of(error: DomainError) -> int:
    return STATUS_BY_KIND.get(error.kind, 400)


def render(error: DomainError) -> tuple[int, dict[str, str | list[str]], str]:
    headers: dict[str, str | list[str]] = dict(JSON_HEADERS)
    if error.kind == "unauthenticated":
        headers["WWW-Authenticate"] = 'Bearer realm="motcua"'
    return status_of(error), headers, json.dumps(error_body(error), ensure_ascii=False, default=str)
