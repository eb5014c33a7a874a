"""The API's OpenAPI 3.1 document is valid and describes exactly what the Chalice app serves.

Given the API app (importing it needs no AWS, and serving the document touches no table),
when the document is built from the documented routes and fetched over ``chalice.test.Client``,
then it validates as OpenAPI 3.1 and agrees with the app: routes, path parameters, request schemas,
security and 401s, unique operation ids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client
from openapi_spec_validator import validate

import functions.api.app as api
from motcua import runtime
from motcua.web.http import ROUTES, RouteDoc
from motcua.web.openapi import build_document

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# What motcua.settings needs to validate (no value is ever used to reach the network here).
SETTINGS_ENV = {
    "AWS_REGION": "ap-southeast-1",
    "AWS_DEFAULT_REGION": "ap-southeast-1",
    "STAGE": "dev",
    "PROVINCE_CODE": "H32",
    "CATALOGUE_TABLE": "catalogue",
    "DOSSIERS_TABLE": "dossiers",
    "IDEMPOTENCY_TABLE": "idempotency",
    "CITIZEN_ISSUER": "https://citizen.invalid",
    "CITIZEN_AUDIENCE": "motcua-portal",
    "CITIZEN_JWKS_URL": "https://citizen.invalid/jwks.json",
    "OFFICER_ISSUER": "https://officer.invalid",
    "OFFICER_AUDIENCE": "motcua-officer",
    "OFFICER_JWKS_URL": "https://officer.invalid/jwks.json",
    "AWS_XRAY_SDK_ENABLED": "false",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in SETTINGS_ENV.items():
        monkeypatch.setenv(name, value)
    runtime.reset()
    yield
    monkeypatch.undo()
    runtime.reset()


def routes() -> list[RouteDoc]:
    return ROUTES[api.app.app_name]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document(routes(), title="motcua API", version="1")


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def chalice_routes() -> set[tuple[str, str]]:
    return {(path, method.lower()) for path, methods in api.app.routes.items() for method in methods}


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def resolves(document: dict[str, Any], ref: str) -> bool:
    match = re.fullmatch(r"#/components/schemas/(.+)", ref)
    return bool(match) and match.group(1) in document.get("components", {}).get("schemas", {})  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- the document
def test_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises OpenAPIValidationError with the path of the first problem


def test_document_is_served_at_v1_openapi_json(document: dict[str, Any], settings_env: None) -> None:
    with Client(api.app) as client:
        response = client.http.get("/v1/openapi.json")
    assert response.status_code == 200, response.body
    assert response.headers.get("Content-Type", "").startswith("application/json")
    served = json.loads(response.body)
    validate(served)
    assert served == json.loads(json.dumps(document)), "the served document differs from build_document's"


def test_every_chalice_route_is_documented_and_nothing_else(document: dict[str, Any]) -> None:
    documented = {(path, method) for path, method, _ in operations(document)}
    missing, phantom = chalice_routes() - documented, documented - chalice_routes()
    assert not missing, f"Chalice routes missing from the document: {sorted(missing)}"
    assert not phantom, f"documented operations that Chalice does not serve: {sorted(phantom)}"


def test_every_path_parameter_is_declared(document: dict[str, Any]) -> None:
    problems = []
    for path, method, operation in operations(document):
        in_path = set(re.findall(r"\{([^}]+)\}", path))
        declared = {
            p["name"]
            for p in operation.get("parameters", []) + document["paths"][path].get("parameters", [])
            if p.get("in") == "path" and p.get("required") is True
        }
        if in_path != declared:
            problems.append(
                f"{method.upper()} {path}: path has {sorted(in_path)}, declared {sorted(declared)}"
            )
    assert not problems, problems


def test_every_request_body_references_a_component_schema(document: dict[str, Any]) -> None:
    bodies = 0
    for path, method, operation in operations(document):
        if "requestBody" not in operation:
            continue
        bodies += 1
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert "$ref" in schema, f"{method.upper()} {path}: the request body schema is inline"
        assert resolves(document, schema["$ref"]), (
            f"{method.upper()} {path}: {schema['$ref']} is not in components"
        )
    assert bodies == sum(1 for r in routes() if r.request is not None) > 0


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    dangling = sorted({ref for ref in refs(document) if not resolves(document, ref)})
    assert not dangling, f"$refs with no component schema: {dangling}"


def test_protected_operations_declare_security_and_document_401(document: dict[str, Any]) -> None:
    schemes = set(document["components"]["securitySchemes"])
    problems = []
    protected = [r for r in routes() if r.realm]
    assert protected, "no protected route found: the check would pass vacuously"
    for r in protected:
        assert r.realm is not None
        operation = document["paths"][r.path][r.method.lower()]
        declared = {name for requirement in operation.get("security", []) for name in requirement}
        if declared != set(r.realm.split("|")):
            problems.append(f"{r.method} {r.path}: security {sorted(declared)}, realm {r.realm}")
        if not declared <= schemes:
            problems.append(f"{r.method} {r.path}: unknown security schemes {sorted(declared - schemes)}")
        if "401" not in operation["responses"]:
            problems.append(f"{r.method} {r.path}: protected but 401 is not documented")
    for r in routes():
        if not r.realm and document["paths"][r.path][r.method.lower()].get("security"):
            problems.append(f"{r.method} {r.path}: public route documents security")
    assert not problems, problems


def test_operations_documented_as_protected_reject_anonymous_calls_with_401(
    document: dict[str, Any], settings_env: None
) -> None:
    """The security in the document is the behaviour: without a token, every such operation answers 401."""
    samples = {"code": "H32.99-250101-0001", "task_id": "T-1"}
    with Client(api.app) as client:
        for path, method, operation in operations(document):
            if not operation.get("security"):
                continue
            url = re.sub(r"\{([^}]+)\}", lambda m: samples.get(m.group(1), "x"), path)
            response = client.http.request(
                method.upper(), url, headers={"Content-Type": "application/json"}, body=b"{}"
            )
            assert response.status_code == 401, (
                f"{method.upper()} {path} → {response.status_code}: {response.body!r}"
            )


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = [str(operation.get("operationId") or "") for _, _, operation in operations(document)]
    assert all(ids), "every operation needs an operationId"
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate operationIds: {duplicates}"
