"""Supplements, apology, rating and the printed forms through the API, with the state machine played step by
step (``Motcua.start/resume``). The e2e stories run the same over HTTP with the real state machine."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest

from motcua import clock, runtime
from tests.integration.conftest import Motcua

ITEMS = [{"name": "Bản sao căn cước", "reason": "Ảnh chụp bị mờ", "component_code": "CCCD"}]


def _awaiting_supplement(motcua: Motcua) -> str:
    code = motcua.submitted()
    motcua.start(code)
    asked = motcua.decide(code, motcua.officer(), "REQUEST_SUPPLEMENT", items=ITEMS, note="Trong 5 ngày")
    assert asked.status == 200, asked.body
    assert motcua.resume(code) == "SUPPLEMENT"
    return code


def _supplement(motcua: Motcua, code: str, token: str | None = None) -> Any:
    body = {"components": [{"code": "CCCD", "file_name": "cccd.pdf"}]}
    return motcua.call("POST", f"/v1/dossiers/{code}/supplement", token or motcua.citizen(), body)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _form(motcua: Motcua, code: str, form: str, token: str, accept: str = "application/pdf") -> Any:
    return motcua.http.request(
        "GET",
        f"/v1/dossiers/{code}/forms/{form}",
        headers={"Authorization": f"Bearer {token}", "Accept": accept},
    )


# ----------------------------------------------------------------------------- supplement
def test_a_supplement_request_stops_the_clock_and_lists_everything_missing(motcua: Motcua) -> None:
    code = _awaiting_supplement(motcua)
    view = motcua.call("GET", f"/v1/dossiers/{code}", motcua.citizen()).body
    assert view["status"]["national_code"] == 5
    assert view["supplement"]["items"][0]["name"] == "Bản sao căn cước"
    assert view["supplement_requests"] == 1
    assert len(view["pauses"]) == 1 and view["pauses"][0]["end"] is None
    # the applicant's task is not in any officer's inbox
    inbox = motcua.call("GET", "/v1/tasks", motcua.officer(scope="AGENCY")).body["items"]
    assert all(task["dossier_code"] != code for task in inbox)


def test_only_the_owner_supplements_and_only_when_asked(motcua: Motcua) -> None:
    code = motcua.submitted()
    motcua.start(code)
    early = _supplement(motcua, code)
    assert early.status == 409 and early.body["error"]["code"] == "NO_SUPPLEMENT_PENDING"
    asked = motcua.decide(code, motcua.officer(), "REQUEST_SUPPLEMENT", items=ITEMS)
    assert asked.status == 200
    not_ready = _supplement(motcua, code)  # the execution has not opened the applicant's task yet
    assert not_ready.status == 409 and not_ready.body["error"]["code"] == "NO_SUPPLEMENT_PENDING"
    motcua.resume(code)
    stranger = _supplement(motcua, code, motcua.citizen(sub="someone-else", id_number="079088001234"))
    officer = _supplement(motcua, code, motcua.officer())
    assert stranger.status == 404 and officer.status == 403
    empty = motcua.call("POST", f"/v1/dossiers/{code}/supplement", motcua.citizen(), {"components": []})
    assert empty.status == 400
    assert motcua.workflow.resumed[-1][1]["outcome"] == "REQUEST_SUPPLEMENT"  # none of these resumed anything


def test_a_supplement_restarts_the_clock_by_default(motcua: Motcua) -> None:
    code = _awaiting_supplement(motcua)
    created = runtime.dossier_store().get(code)
    assert created is not None
    assert _supplement(motcua, code).status == 200
    assert motcua.resume(code) == "OFFICER"
    dossier = runtime.dossier_store().get(code)
    assert dossier is not None
    calendar = runtime.working_calendar()
    ended = dossier.pauses[0].end
    assert ended is not None
    assert dossier.due_at == calendar.due_date(
        calendar.next_working_moment(ended), dossier.processing_quantity, _working_day()
    )
    assert dossier.original_due_at == created.original_due_at
    assert [c.code for c in dossier.components][-1] == "CCCD"
    assert motcua.open_task(code) == f"{code}~step2-3"  # back to the step that asked, a new round


def _working_day() -> Any:
    from motcua.calendar import DurationUnit

    return DurationUnit.WORKING_DAY


def test_under_the_pause_rule_the_due_date_moves_by_the_time_waited(
    motcua: Motcua, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.dossiers import deadlines

    monkeypatch.setenv("SUPPLEMENT_CLOCK", "PAUSE")
    from motcua.settings import get_settings

    get_settings.cache_clear()
    try:
        code = _awaiting_supplement(motcua)
        before = runtime.dossier_store().get(code)
        assert before is not None
        # the applicant answers three days later
        monkeypatch.setenv("MOTCUA_CLOCK_OFFSET_SECONDS", str(timedelta(days=3).total_seconds()))
        assert _supplement(motcua, code).status == 200
        motcua.resume(code)
        after = runtime.dossier_store().get(code)
        assert after is not None
        calendar = runtime.working_calendar()
        ended = after.pauses[0].end
        assert ended is not None
        expected = deadlines.supplement_received(
            _state(before), ended, calendar, deadlines.SupplementClock.PAUSE
        ).current_due
        assert after.due_at == expected
        assert after.due_at > before.due_at
    finally:
        get_settings.cache_clear()


def _state(dossier: Any) -> Any:
    from motcua.dossiers.service import deadline_state

    return deadline_state(dossier)


# ----------------------------------------------------------------------------- apology
def _apology(motcua: Motcua, code: str, days: int = 5, token: str | None = None) -> Any:
    dossier = runtime.dossier_store().get(code)
    assert dossier is not None
    body = {"reason": "Cần xác minh thêm.", "new_due_at": (dossier.due_at + timedelta(days=days)).isoformat()}
    return motcua.call("POST", f"/v1/dossiers/{code}/apology", token or motcua.officer(), body)


def test_the_apology_is_sent_once_and_keeps_the_lawful_due_date(motcua: Motcua) -> None:
    code = motcua.submitted()
    motcua.start(code)
    due = runtime.dossier_store().get(code).due_at  # type: ignore[union-attr]
    sent = _apology(motcua, code)
    assert sent.status == 200, sent.body
    assert sent.body["apology"]["reason"] == "Cần xác minh thêm."
    assert sent.body["due_at"] == due.isoformat() and sent.body["appointment_at"] > sent.body["due_at"]
    before = motcua.items(code)
    again = _apology(motcua, code, days=9)
    assert again.status == 409 and again.body["error"]["code"] == "APOLOGY_ALREADY_SENT"
    assert motcua.items(code) == before


def test_an_apology_too_close_to_the_due_date_or_by_a_citizen_is_refused(
    motcua: Motcua, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = motcua.submitted()
    motcua.start(code)
    assert _apology(motcua, code, token=motcua.citizen()).status == 403
    due = runtime.dossier_store().get(code).due_at  # type: ignore[union-attr]
    late = due - timedelta(hours=1)  # within the last working day
    monkeypatch.setenv("MOTCUA_CLOCK_OFFSET_SECONDS", str((late - clock.now()).total_seconds()))
    before = motcua.items(code)
    refused = _apology(motcua, code)
    assert refused.status == 409 and refused.body["error"]["code"] == "APOLOGY_TOO_LATE"
    assert motcua.items(code) == before


# ----------------------------------------------------------------------------- rating
def test_the_applicant_rates_once_after_the_dossier_ended(motcua: Motcua) -> None:
    code = motcua.submitted()
    early = motcua.call("POST", f"/v1/dossiers/{code}/rating", motcua.citizen(), {"score": 5})
    assert early.status == 409 and early.body["error"]["code"] == "DOSSIER_NOT_CLOSED"
    motcua.call("POST", f"/v1/dossiers/{code}/withdrawal", motcua.citizen(), {"reason": "Nộp nhầm"})
    rated = motcua.call(
        "POST", f"/v1/dossiers/{code}/rating", motcua.citizen(), {"score": 4, "comment": "Nhanh"}
    )
    assert rated.status == 200, rated.body
    again = motcua.call("POST", f"/v1/dossiers/{code}/rating", motcua.citizen(), {"score": 1})
    assert again.status == 409 and again.body["error"]["code"] == "ALREADY_RATED"
    assert motcua.call("POST", f"/v1/dossiers/{code}/rating", motcua.citizen(), {"score": 6}).status == 400
    view = motcua.call("GET", f"/v1/dossiers/{code}", motcua.citizen()).body
    assert view["rating"]["score"] == 4


# ----------------------------------------------------------------------------- printed forms
def test_the_receipt_slip_prints_as_a_pdf_with_vietnamese_text(motcua: Motcua) -> None:
    code = motcua.submitted()
    printed = _form(motcua, code, "mau-01", motcua.citizen())
    assert printed.status_code == 200, printed.body
    assert printed.headers["Content-Type"] == "application/pdf"
    text = _pdf_text(printed.body)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text and code in text and "Nguyễn Thị Lan" in text
    assert _form(motcua, code, "mau-01", motcua.citizen(), accept="application/json").status_code == 406
    stranger = motcua.citizen(sub="someone-else", id_number="079088001234")
    assert _form(motcua, code, "mau-01", stranger).status_code == 404
    assert _form(motcua, code, "mau-99", motcua.citizen()).status_code == 404


def test_the_completion_request_and_the_apology_print_once_issued(motcua: Motcua) -> None:
    code = _awaiting_supplement(motcua)
    requested = _form(motcua, code, "mau-02", motcua.citizen())
    assert requested.status_code == 200
    assert "Bản sao căn cước" in _pdf_text(requested.body) and "Ảnh chụp bị mờ" in _pdf_text(requested.body)
    missing = _form(motcua, code, "mau-04", motcua.citizen())
    assert missing.status_code == 404
    assert _supplement(motcua, code).status == 200
    motcua.resume(code)
    assert _apology(motcua, code).status == 200
    apology = _form(motcua, code, "mau-04", motcua.officer())
    assert apology.status_code == 200 and "Cần xác minh thêm." in _pdf_text(apology.body)


def test_the_desk_refuses_to_receive_with_reasons_and_nothing_is_stored(motcua: Motcua) -> None:
    desk = motcua.officer(sub="khsso-100231", roles=("DESK_OFFICER",), scope="UNIT")
    body = {
        "procedure_code": "1.001193",
        "agency_code": "H32.201",
        "applicant_name": "Phạm Thị Mai",
        "reasons": ["Thủ tục không thuộc thẩm quyền của phường"],
    }
    headers = {"Content-Type": "application/json", "Accept": "application/pdf"}
    import json

    def refuse(token: str, payload: dict[str, Any]) -> Any:
        return motcua.http.request(
            "POST",
            "/v1/desk/refusals",
            headers={**headers, "Authorization": f"Bearer {token}"},
            body=json.dumps(payload).encode(),
        )

    refused = refuse(desk, body)
    assert refused.status_code == 200, refused.body
    text = _pdf_text(refused.body)
    assert "Thủ tục không thuộc thẩm quyền của phường" in text and "Phạm Thị Mai" in text
    assert refuse(motcua.officer(), body).status_code == 403
    assert refuse(desk, {**body, "reasons": [" "]}).status_code == 422
    assert refuse(desk, {**body, "agency_code": "H32.202"}).status_code == 403
    assert motcua.workflow.started == []


# ----------------------------------------------------------------------------- suspension
def test_a_suspension_needs_a_legal_basis_holds_the_dossier_at_its_step_and_resumes(motcua: Motcua) -> None:
    code = motcua.submitted()
    motcua.start(code)
    bare = motcua.decide(code, motcua.officer(), "SUSPEND", reasons=["Chờ xác minh thực địa"])
    assert bare.status == 422 and bare.body["error"]["code"] == "LEGAL_BASIS_REQUIRED"
    suspended = motcua.decide(
        code,
        motcua.officer(),
        "SUSPEND",
        reasons=["Chờ xác minh thực địa"],
        legal_basis="Khoản 3 Điều 19 Nghị định 61/2018/NĐ-CP",
        document="Biên bản số 12/BB-UBND",
    )
    assert suspended.status == 200, suspended.body
    assert motcua.resume(code) == "OFFICER"
    view = motcua.call("GET", f"/v1/dossiers/{code}", motcua.citizen()).body
    assert view["status"]["national_code"] == 4  # a sub-state of 4 for the national portal
    assert (
        view["suspensions"][0]["legal_basis"].startswith("Khoản 3")
        and view["suspensions"][0]["resumed_at"] is None
    )
    # while suspended the step only resumes (or stops)
    forward = motcua.decide(code, motcua.officer(), "FORWARD")
    assert forward.status == 409 and forward.body["error"]["code"] == "DECISION_NOT_ALLOWED"
    assert motcua.decide(code, motcua.officer(), "RESUME", note="Đã xác minh").status == 200
    motcua.resume(code)
    view = motcua.call("GET", f"/v1/dossiers/{code}", motcua.citizen()).body
    assert view["suspensions"][0]["resumed_at"] is not None
    assert [e["title"] for e in view["timeline"]][-2:] == [
        "Tạm dừng giải quyết hồ sơ",
        "Tiếp tục giải quyết hồ sơ",
    ]
    assert motcua.decide(code, motcua.officer(), "FORWARD").status == 200
