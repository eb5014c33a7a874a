"""What both Chalice apps share: documented routes, body parsing, JSON responses, domain-error mapping.

``route`` registers a Chalice view and its OpenAPI description in one place, so the served document
(/v1/openapi.json), the Chalice routes and template.yaml's Api events cannot drift apart unnoticed
(tests/contract keeps the three equal).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from chalice import Chalice, Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError

from motcua.errors import BadRequest, DomainError
from motcua.web.errors import JSON_HEADERS, render

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class RouteDoc:
    method: str
    path: str
    summary: str
    realm: str | None  # "citizen", "officer", "citizen|officer", or None for public routes
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[str, ...] = ()
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = field(default=())
    media_type: str = "application/json"  # of the success response; a PDF form says application/pdf


ROUTES: dict[str, list[RouteDoc]] = {}


def route(
    app: Chalice, path: str, method: str, doc: RouteDoc | None = None, **doc_fields: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``view`` on ``app`` and document it; domain errors become JSON error responses."""
    description = doc or RouteDoc(method=method, path=path, **doc_fields)
    ROUTES.setdefault(app.app_name, []).append(description)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def handle(**params: Any) -> Response:
            try:
                return view(**params)  # type: ignore[no-any-return]
            except DomainError as error:
                status, headers, body = render(error)
                return Response(body=body, status_code=status, headers=dict(headers))

        app.route(path, methods=[method])(handle)
        return handle

    return decorate


def current_request(app: Chalice) -> Request:
    request = app.current_request
    assert request is not None, "called outside a request"
    return request


def parse_body(app: Chalice, model: type[M]) -> M:
    """The request body as ``model``; malformed JSON or wrong types are a 400 that changes nothing."""
    raw = current_request(app).raw_body or b""
    try:
        data = json.loads(raw) if raw else None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadRequest("Nội dung yêu cầu không phải JSON hợp lệ.", code="MALFORMED_JSON") from error
    if not isinstance(data, dict):
        raise BadRequest("Nội dung yêu cầu phải là một đối tượng JSON.", code="MALFORMED_JSON")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        fields = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["type"]}
            for e in error.errors(include_url=False, include_input=False)
        ]
        raise BadRequest(
            "Dữ liệu gửi lên sai kiểu hoặc thiếu trường.", code="INVALID_REQUEST", fields=fields
        ) from error


def _query(app: Chalice) -> dict[str, str]:
    return dict(current_request(app).query_params or {})


def query_int(app: Chalice, name: str, default: int, low: int, high: int) -> int:
    params = _query(app)
    if name not in params:
        return default
    try:
        value = int(params[name])
    except ValueError as error:
        raise BadRequest(f"Tham số {name} phải là số nguyên.", code="INVALID_QUERY") from error
    if not low <= value <= high:
        raise BadRequest(f"Tham số {name} phải trong khoảng {low}–{high}.", code="INVALID_QUERY")
    return value


def query_str(app: Chalice, name: str) -> str | None:
    return _query(app).get(name)


def json_response(
    model: BaseModel | dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    body = (
        model.model_dump_json(by_alias=True)
        if isinstance(model, BaseModel)
        else json.dumps(model, ensure_ascii=False)
    )
    all_headers: dict[str, str | list[str]] = {**JSON_HEADERS, **(headers or {})}
    return Response(body=body, status_code=status, headers=all_headers)
