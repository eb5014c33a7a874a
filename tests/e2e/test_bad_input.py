"""Bad input gets a stable code and a Vietnamese message, and writes nothing."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Cloud
from tests.e2e.test_dossier_lifecycle import AGENCY, submission


def assert_error(reply: object, status: int, code: str) -> dict[str, object]:
    assert reply.status == status, reply.body  # type: ignore[attr-defined]
    error = reply.body["error"]  # type: ignore[attr-defined]
    assert error["code"] == code
    assert error["message"] and any(ch in error["message"] for ch in "ảạăâđêôơưếệộ")  # Vietnamese
    return dict(error)


@pytest.mark.parametrize(
    ("body", "raw", "status", "code"),
    [
        (submission(procedure_code="9.999999"), None, 404, "PROCEDURE_NOT_FOUND"),
        ({**submission(), "components": []}, None, 422, "MISSING_COMPONENTS"),
        (None, b'{"procedure_code": "1.001193", ', 400, "MALFORMED_JSON"),
        (None, b"[1, 2]", 400, "MALFORMED_JSON"),
        ({**submission(), "components": "all of them"}, None, 400, "INVALID_REQUEST"),
        ({**submission(), "procedure_code": 1001193}, None, 400, "INVALID_REQUEST"),
        ({**submission(), "unexpected": True}, None, 400, "INVALID_REQUEST"),
        (submission(agency="H32.999"), None, 422, "AGENCY_NOT_COMPETENT"),
    ],
    ids=[
        "unknown-procedure",
        "missing-components",
        "malformed-json",
        "not-an-object",
        "wrong-type",
        "number-for-code",
        "unknown-field",
        "wrong-agency",
    ],
)
def test_rejected_submissions_change_nothing(
    cloud: Cloud, body: object, raw: bytes | None, status: int, code: str
) -> None:
    citizen = cloud.token("citizen-lan")
    before = cloud.settled_fingerprint()
    reply = cloud.api.call("POST", "/v1/dossiers", body, token=citizen, raw=raw)
    assert_error(reply, status, code)
    assert cloud.table_fingerprint() == before


def test_missing_components_are_listed_each(cloud: Cloud) -> None:
    reply = cloud.api.call(
        "POST", "/v1/dossiers", {**submission(), "components": []}, token=cloud.token("citizen-lan")
    )
    error = assert_error(reply, 422, "MISSING_COMPONENTS")
    missing = error["details"]["missing"]  # type: ignore[index]
    assert [m["code"] for m in missing] == ["000.00.00.G15-KQ003204"]
    assert all(m["name"] for m in missing)


def test_no_token_is_401_and_writes_nothing(cloud: Cloud) -> None:
    before = cloud.settled_fingerprint()
    reply = cloud.api.call("POST", "/v1/dossiers", submission())
    assert_error(reply, 401, "UNAUTHENTICATED")
    assert reply.headers.get("WWW-Authenticate", "").startswith("Bearer")
    assert_error(cloud.api.call("GET", "/v1/tasks"), 401, "UNAUTHENTICATED")
    assert_error(
        cloud.api.call("POST", "/v1/dossiers", submission(), token="not.a.jwt"), 401, "TOKEN_MALFORMED"
    )
    assert cloud.table_fingerprint() == before


def test_wrong_realm_or_role_is_403(cloud: Cloud) -> None:
    before = cloud.settled_fingerprint()
    officer = cloud.token("officer-approver")
    assert_error(cloud.api.call("POST", "/v1/dossiers", submission(), token=officer), 403, "WRONG_REALM")
    assert_error(cloud.api.call("GET", "/v1/tasks", token=cloud.token("citizen-lan")), 403, "WRONG_REALM")
    admin_only = cloud.mint("officer", {"sub": "khsso-9", "roles": ["OPERATOR_TECH"], "agency": AGENCY})
    assert_error(cloud.api.call("GET", "/v1/tasks", token=admin_only), 403, "ROLE_REQUIRED")
    assert cloud.table_fingerprint() == before


def test_another_citizens_dossier_is_not_revealed(cloud: Cloud) -> None:
    owner = cloud.token("citizen-lan")
    code = cloud.api.call("POST", "/v1/dossiers", submission(), token=owner).body["code"]
    stranger = cloud.token("citizen-minh")
    hidden = cloud.api.call("GET", f"/v1/dossiers/{code}", token=stranger)
    missing = cloud.api.call("GET", f"/v1/dossiers/{AGENCY}-200101-9999", token=stranger)
    assert_error(hidden, 404, "DOSSIER_NOT_FOUND")
    assert hidden.body == {
        **missing.body,
        "error": {**missing.body["error"], "message": hidden.body["error"]["message"]},
    }
    # an officer of another agency is refused the same way
    elsewhere = cloud.mint(
        "officer", {"sub": "khsso-7", "roles": ["APPROVER"], "agency": "H32.202", "scope": "AGENCY"}
    )
    assert_error(cloud.api.call("GET", f"/v1/dossiers/{code}", token=elsewhere), 404, "DOSSIER_NOT_FOUND")


def test_unknown_procedure_detail_is_404(cloud: Cloud) -> None:
    assert_error(cloud.api.call("GET", "/v1/procedures/9.999999"), 404, "PROCEDURE_NOT_FOUND")
    assert cloud.api.call("GET", "/v1/procedures/1.001193").status == 200
