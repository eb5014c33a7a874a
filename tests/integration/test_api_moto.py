"""The API (functions/api/app.py) against moto, through Chalice's test client, as a citizen and as officers.

Fixtures (``motcua``: seeded moto tables, the fake identity issuer, a recording workflow) live in conftest.py.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta

import pytest

from motcua import clock
from motcua.dossiers.lifecycle import Status
from tests.integration.conftest import (
    AGENCY,
    CITIZEN_SUB,
    OTHER_AGENCY,
    PROCEDURE,
    Motcua,
    seed_procedures,
)

CODE = re.compile(r"^H32\.201-(?P<day>\d{6})-(?P<seq>\d{4})$")


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


def _cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


# ----------------------------------------------------------------------------- the seam itself
def test_tokens_are_verified_against_the_issuers_keys_fetched_over_http(motcua: Motcua) -> None:
    # Given moto intercepts botocore only
    fetched_before = motcua.issuer.jwks_fetch_count()
    # When a citizen calls an authenticated route
    reply = motcua.call("GET", "/v1/dossiers/H32.201-260101-0001", motcua.citizen())
    # Then the token was checked with keys really fetched from the fake issuer (not swallowed by moto)
    assert reply.status == 404, reply.body
    assert reply.body["error"]["code"] == "DOSSIER_NOT_FOUND"
    assert motcua.issuer.jwks_fetch_count() > fetched_before


# ----------------------------------------------------------------------------- catalogue
def test_the_catalogue_pages_through_every_published_procedure_once(motcua: Motcua) -> None:
    # Given the six seed procedures
    expected = sorted(p["code"] for p in seed_procedures())
    assert len(expected) == 6
    # When a client pages through them two at a time
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(len(expected) + 2):
        path = "/v1/procedures?limit=2" + (f"&cursor={cursor}" if cursor else "")
        reply = motcua.call("GET", path)
        assert reply.status == 200, reply.body
        assert len(reply.body["items"]) <= 2
        seen.extend(item["code"] for item in reply.body["items"])
        cursor = reply.body["next_cursor"]
        if cursor is None:
            break
    # Then every procedure comes exactly once, in code order, and paging ends
    assert cursor is None
    assert seen == expected


def test_the_first_page_has_a_cursor_to_the_next(motcua: Motcua) -> None:
    first = motcua.call("GET", "/v1/procedures?limit=2")
    second = motcua.call("GET", f"/v1/procedures?limit=2&cursor={first.body['next_cursor']}")
    assert first.status == second.status == 200
    assert first.body["next_cursor"]
    codes_1 = {item["code"] for item in first.body["items"]}
    codes_2 = {item["code"] for item in second.body["items"]}
    assert len(codes_1) == len(codes_2) == 2
    assert not codes_1 & codes_2


def test_without_a_limit_one_page_holds_the_whole_seed(motcua: Motcua) -> None:
    reply = motcua.call("GET", "/v1/procedures")
    assert reply.status == 200
    assert len(reply.body["items"]) == 6
    summary = next(item for item in reply.body["items"] if item["code"] == PROCEDURE)
    assert summary["name"] == "Thủ tục đăng ký khai sinh"
    assert AGENCY in summary["agencies"]


@pytest.mark.parametrize("cursor", ["not-a-cursor!!", "%%%", _cursor("x")[:-2] + "$$"])
def test_a_cursor_that_does_not_decode_is_a_400(motcua: Motcua, cursor: str) -> None:
    reply = motcua.call("GET", f"/v1/procedures?limit=2&cursor={cursor}")
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "INVALID_CURSOR"
    assert reply.body["error"]["message"] == "Tham số phân trang không hợp lệ."


def test_a_cursor_that_dynamodb_refuses_as_a_start_key_is_a_400_not_a_server_error(
    motcua: Motcua, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cursors are client input: one that decodes but was not handed out by the API is still bad input.

    moto does not validate ExclusiveStartKey (it crashes inside with a TypeError, which the service happens
    to catch), so DynamoDB's real answer is played here: ValidationException "The provided starting key is
    invalid", which reaches the service as pynamodb's QueryError.
    """
    from moto.dynamodb.exceptions import MockValidationException
    from moto.dynamodb.models import DynamoDBBackend

    def refuse(*args: object, **kwargs: object) -> None:
        raise MockValidationException(
            "The provided starting key is invalid: The provided key element does not match the schema"
        )

    # Given DynamoDB refuses the start key that a forged cursor decodes to
    monkeypatch.setattr(DynamoDBBackend, "query", refuse)
    # When a client pages with it
    reply = motcua.call("GET", f"/v1/procedures?limit=2&cursor={_cursor({'pk': {'S': 'PROC#1.001193'}})}")
    # Then it is refused as a bad cursor
    assert reply.status == 400, (reply.status, reply.body)
    assert reply.body["error"]["code"] == "INVALID_CURSOR"


@pytest.mark.parametrize("limit", ["0", "-1", "101", "two"])
def test_a_limit_out_of_range_is_a_400(motcua: Motcua, limit: str) -> None:
    reply = motcua.call("GET", f"/v1/procedures?limit={limit}")
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "INVALID_QUERY"


def test_one_procedure_is_served_whole(motcua: Motcua) -> None:
    reply = motcua.call("GET", f"/v1/procedures/{PROCEDURE}")
    assert reply.status == 200, reply.body
    seed = next(p for p in seed_procedures() if p["code"] == PROCEDURE)
    assert reply.body["code"] == PROCEDURE
    assert reply.body["version"] == seed["version"]
    assert [c["code"] for c in reply.body["components"]] == [c["code"] for c in seed["components"]]
    assert {t["channel"] for t in reply.body["processing_times"]} == {"ONLINE", "POSTAL", "DIRECT"}


@pytest.mark.parametrize("code", ["9.999999", "not-a-code", "1.001193x"])
def test_an_unknown_procedure_is_a_404(motcua: Motcua, code: str) -> None:
    reply = motcua.call("GET", f"/v1/procedures/{code}")
    assert reply.status == 404, reply.body
    assert reply.body["error"]["code"] == "PROCEDURE_NOT_FOUND"


# ----------------------------------------------------------------------------- intake
def test_a_citizen_submits_a_dossier_online(motcua: Motcua) -> None:
    from motcua import runtime

    # Given a citizen signed in through the national e-ID
    before = clock.now()
    # When they submit a complete dossier for a ward that handles the procedure
    reply = motcua.submit()
    after = clock.now()
    # Then it is received (201) with a code of the ward, dated today, first of the day
    assert reply.status == 201, reply.body
    code = reply.body["code"]
    match = CODE.match(code)
    assert match, code
    assert match["day"] in {f"{before:%y%m%d}", f"{after:%y%m%d}"}
    assert match["seq"] == "0001"
    assert _header(reply.headers, "Location") == f"/v1/dossiers/{code}"
    assert reply.body["status"] == {
        "status": "RECEIVED",
        "national_code": 2,
        "national_label": "Được tiếp nhận",
    }
    # And the dossier and its first progress record are stored
    store = runtime.dossier_store()
    dossier = store.get(code)
    assert dossier is not None
    assert dossier.status is Status.RECEIVED
    assert dossier.owner == CITIZEN_SUB
    assert dossier.agency_code == AGENCY
    assert dossier.procedure_code == PROCEDURE
    assert dossier.applicant.name == "Nguyễn Thị Lan"
    assert dossier.progress_count == 1
    assert dossier.due_at > dossier.received_at >= dossier.submitted_at - timedelta(seconds=1)
    assert dossier.due_at == dossier.original_due_at
    timeline = store.timeline(code)
    assert [(r.seq, r.status) for r in timeline] == [(1, Status.RECEIVED)]
    # And its execution was started once, named by the code
    assert motcua.workflow.started == [(code, {"code": code})]


def test_codes_of_one_ward_and_day_are_consecutive(motcua: Motcua) -> None:
    first, second = motcua.submitted(), motcua.submitted()
    assert first[:-4] == second[:-4]
    assert (int(first[-4:]), int(second[-4:])) == (1, 2)
    assert [code for code, _ in motcua.workflow.started] == [first, second]


def test_a_dossier_missing_a_required_component_is_refused_and_nothing_is_written(motcua: Motcua) -> None:
    reply = motcua.submit(components=[])
    assert reply.status == 422, reply.body
    assert reply.body["error"]["code"] == "MISSING_COMPONENTS"
    assert reply.body["error"]["details"]["missing"][0]["code"] == "000.00.00.G15-KQ003208"
    assert motcua.workflow.started == []
    # the next complete dossier still gets sequence 0001: no number was consumed
    assert motcua.submitted().endswith("-0001")


def test_an_agency_that_does_not_handle_the_procedure_is_refused(motcua: Motcua) -> None:
    reply = motcua.submit(agency_code="H32.999")
    assert reply.status == 422, reply.body
    assert reply.body["error"]["code"] == "AGENCY_NOT_COMPETENT"
    assert motcua.workflow.started == []


def test_submitting_without_a_token_is_a_401_with_a_challenge(motcua: Motcua) -> None:
    reply = motcua.call("POST", "/v1/dossiers", None, {"procedure_code": PROCEDURE, "agency_code": AGENCY})
    assert reply.status == 401, reply.body
    assert reply.body["error"]["code"] == "UNAUTHENTICATED"
    assert _header(reply.headers, "WWW-Authenticate") == 'Bearer realm="motcua"'
    assert motcua.workflow.started == []


def test_an_officer_cannot_submit_as_a_citizen(motcua: Motcua) -> None:
    reply = motcua.submit(token=motcua.officer())
    assert reply.status == 403, reply.body
    assert reply.body["error"]["code"] == "WRONG_REALM"
    assert motcua.workflow.started == []


# ----------------------------------------------------------------------------- idempotency
def test_a_retried_submission_with_the_same_idempotency_key_returns_the_first_result(motcua: Motcua) -> None:
    # Given a citizen's submission was sent with an Idempotency-Key
    token = motcua.citizen()
    key = {"Idempotency-Key": "9b8f0e52-retry-1"}
    first = motcua.submit(token=token, headers=key)
    # When the same request is retried with the same key
    second = motcua.submit(token=token, headers=key)
    # Then both get the same 201 body, and only one dossier was received and started: the replay asks to start
    # the same execution again, which Step Functions refuses by name (D6), so only that one code is started
    assert first.status == second.status == 201, (first.body, second.body)
    assert second.body == first.body
    assert {code for code, _ in motcua.workflow.started} == {first.body["code"]}
    # and the next dossier of the day is the second one, not the third
    assert motcua.submitted().endswith("-0002")


def _dossiers_owned_by(motcua: Motcua, owner: str) -> list[str]:
    """Codes of the owner's dossiers, read from the table's gsi1 (my dossiers: OWNER#ID#{id number} for an
    applicant whose ID number is known, else OWNER#{account})."""
    reply = motcua.dynamodb.query(
        TableName=motcua.tables["DOSSIERS_TABLE"],
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :owner",
        ExpressionAttributeValues={":owner": {"S": f"OWNER#{owner}"}},
    )
    return sorted(item["pk"]["S"].removeprefix("D#") for item in reply["Items"])


CITIZEN_ID = "ID#056190004821"  # the ID number the test citizen's verified account carries


def test_a_retry_after_the_execution_failed_to_start_leaves_no_orphan_dossier(motcua: Motcua) -> None:
    """D6 names executions by the code so that a retried intake cannot start twice; that only holds if the
    retry reuses the code. Powertools forgets an Idempotency-Key whose first call raised, so a retry after a
    failed StartExecution draws a new code, and the first dossier stays RECEIVED with no execution."""

    # Given Step Functions cannot be reached when a citizen submits with an Idempotency-Key
    motcua.workflow.start_errors.append(ConnectionError("states endpoint unreachable"))
    token, key = motcua.citizen(), {"Idempotency-Key": "9b8f0e52-after-outage"}
    failed = motcua.submit(token=token, headers=key)
    assert failed.status >= 500, failed.body
    # When the client retries the same request with the same key
    retried = motcua.submit(token=token, headers=key)
    # Then the citizen has one dossier, and its execution is the one started
    assert retried.status == 201, retried.body
    assert _dossiers_owned_by(motcua, CITIZEN_ID) == [retried.body["code"]]
    assert [code for code, _ in motcua.workflow.started] == [retried.body["code"]] * 2


def test_reusing_an_idempotency_key_for_another_request_is_refused(motcua: Motcua) -> None:
    token = motcua.citizen()
    key = {"Idempotency-Key": "9b8f0e52-reuse"}
    assert motcua.submit(token=token, headers=key).status == 201
    reply = motcua.submit(token=token, headers=key, summary="Một yêu cầu khác")
    assert reply.status == 422, reply.body
    assert reply.body["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(motcua.workflow.started) == 1


def test_two_citizens_may_use_the_same_idempotency_key(motcua: Motcua) -> None:
    key = {"Idempotency-Key": "same-key"}
    lan = motcua.submit(token=motcua.citizen(), headers=key)
    minh = motcua.submit(token=motcua.citizen(sub="citizen-minh-0002", name="Trần Văn Minh"), headers=key)
    assert lan.status == minh.status == 201
    assert lan.body["code"] != minh.body["code"]
    assert len(motcua.workflow.started) == 2


# ----------------------------------------------------------------------------- reading a dossier
def test_the_owner_reads_the_dossier_and_its_timeline(motcua: Motcua) -> None:
    code = motcua.submitted()
    reply = motcua.call("GET", f"/v1/dossiers/{code}", motcua.citizen())
    assert reply.status == 200, reply.body
    assert reply.body["code"] == code
    assert reply.body["status"]["national_code"] == 2
    assert len(reply.body["timeline"]) == 1
    assert reply.body["timeline"][0]["status"] == "RECEIVED"
    assert reply.body["applicant_name"] == "Nguyễn Thị Lan"


def test_another_citizen_is_told_the_dossier_does_not_exist(motcua: Motcua) -> None:
    code = motcua.submitted()
    reply = motcua.call("GET", f"/v1/dossiers/{code}", motcua.citizen(sub="citizen-minh-0002"))
    assert reply.status == 404, reply.body
    assert reply.body["error"]["code"] == "DOSSIER_NOT_FOUND"


def test_an_officer_with_agency_scope_reads_any_dossier_of_the_agency(motcua: Motcua) -> None:
    code = motcua.submitted()
    reply = motcua.call("GET", f"/v1/dossiers/{code}", motcua.officer(scope="AGENCY"))
    assert reply.status == 200, reply.body
    assert len(reply.body["timeline"]) == 1


def test_an_officer_with_personal_scope_does_not_see_a_dossier_they_never_handled(motcua: Motcua) -> None:
    code = motcua.submitted()
    reply = motcua.call("GET", f"/v1/dossiers/{code}", motcua.officer(scope="PERSONAL"))
    # the same 404 as for a code that does not exist: existence is not revealed
    assert reply.status == 404, reply.body
    assert reply.body["error"]["code"] == "DOSSIER_NOT_FOUND"


def test_an_officer_of_another_agency_does_not_see_the_dossier(motcua: Motcua) -> None:
    code = motcua.submitted()
    reply = motcua.call("GET", f"/v1/dossiers/{code}", motcua.officer(agency=OTHER_AGENCY, scope="AGENCY"))
    assert reply.status == 404, reply.body


def test_an_officer_role_that_may_not_read_dossiers_gets_a_404(motcua: Motcua) -> None:
    code = motcua.submitted()
    reply = motcua.call("GET", f"/v1/dossiers/{code}", motcua.officer(roles=("OPERATOR_TECH",)))
    assert reply.status == 404, reply.body


def test_the_officers_inbox_refuses_a_cursor_that_does_not_decode(motcua: Motcua) -> None:
    # Given an officer paging their inbox with a cursor that is not one the API handed out
    reply = motcua.call("GET", "/v1/tasks?limit=2&cursor=not-a-cursor!!", motcua.approver())
    # Then it is a 400 like the catalogue's, not a server error
    assert reply.status == 400, (reply.status, reply.body)
    assert reply.body["error"]["code"] == "INVALID_CURSOR"


@pytest.mark.parametrize("code", ["..%2F..%2Fetc", "H32.201-260101", "x" * 300])
def test_a_malformed_code_is_a_404(motcua: Motcua, code: str) -> None:
    reply = motcua.call("GET", f"/v1/dossiers/{code}", motcua.citizen())
    assert reply.status == 404, reply.body
    assert reply.body["error"]["code"] == "DOSSIER_NOT_FOUND"
