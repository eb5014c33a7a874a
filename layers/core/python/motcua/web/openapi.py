"""The OpenAPI 3.1 document, generated from the documented routes and their pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from motcua.web.http import RouteDoc
from motcua.web.views import ErrorBody

_ERROR_STATUS = {
    "400": "Yêu cầu không hợp lệ (BAD_REQUEST, MALFORMED_JSON, INVALID_REQUEST)",
    "401": "Chưa xác thực (UNAUTHENTICATED)",
    "403": "Không có quyền (FORBIDDEN, WRONG_REALM, ROLE_REQUIRED)",
    "404": "Không tìm thấy",
    "409": "Xung đột trạng thái",
    "406": "Định dạng không được hỗ trợ (NOT_ACCEPTABLE): gửi Accept: application/pdf",
    "422": "Vi phạm quy tắc nghiệp vụ",
}


def build_document(routes: list[RouteDoc], title: str, version: str) -> dict[str, Any]:
    models: set[type[BaseModel]] = {ErrorBody}
    for r in routes:
        models.update(m for m in (r.request, r.response) if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    refs, schema = models_json_schema(
        [(m, "validation") for m in ordered], ref_template="#/components/schemas/{model}"
    )
    ref_of = {m: refs[(m, "validation")] for m in ordered}
    paths: dict[str, dict[str, Any]] = {}
    for r in routes:
        operation: dict[str, Any] = {"summary": r.summary, "operationId": _operation_id(r), "responses": {}}
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _path_params(r.path)
        ]
        params += [
            {"name": n, "in": "query", "required": False, "description": d, "schema": {"type": "string"}}
            for n, d in r.query
        ]
        params += [
            {"name": n, "in": "header", "required": False, "description": d, "schema": {"type": "string"}}
            for n, d in r.headers
        ]
        if params:
            operation["parameters"] = params
        if r.realm:
            operation["security"] = [{realm: []} for realm in r.realm.split("|")]
        if r.request is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref_of[r.request]}},
            }
        ok: dict[str, Any] = {"description": "OK"}
        if r.response is not None:
            ok["content"] = {"application/json": {"schema": ref_of[r.response]}}
        elif r.media_type != "application/json":
            ok["content"] = {r.media_type: {"schema": {"type": "string", "format": "binary"}}}
        operation["responses"][str(r.status)] = ok
        for status in r.errors:
            operation["responses"][status] = {
                "description": _ERROR_STATUS.get(status, "Lỗi"),
                "content": {"application/json": {"schema": ref_of[ErrorBody]}},
            }
        paths.setdefault(r.path, {})[r.method.lower()] = operation
    bearer = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {
                "citizen": {**bearer, "description": "National e-ID / portal single sign-on"},
                "officer": {**bearer, "description": "Provincial single sign-on"},
            },
        },
    }


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def _operation_id(r: RouteDoc) -> str:
    words = [p.strip("{}") for p in r.path.split("/") if p and p != "v1"]
    return r.method.lower() + "".join(
        w.replace(".", "_").replace("-", "_").title().replace("_", "") for w in words
    )
