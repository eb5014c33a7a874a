"""The processing stories of issue #4 over HTTP against the local cloud: supplements, apology and lateness,
the desk before a holiday, transfer to a partner agency. Time moves through the local cloud's one clock
(``infra/local/control.py``), never by sleeping."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from motcua.calendar import DurationUnit, WorkingCalendar
from tests.e2e.conftest import Cloud, Reply

MARRIAGE_STATUS = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân: 3 working days on every channel
ITS_FORM = "000.00.00.G15-KQ003448"  # its application form, required by the province's configuration
AGENCY = "H32.201"  # UBND phường Ba Ngòi, where the demo officers work
PARTNER = "H32.202"  # another ward, asked to verify the applicant's marital history there


def _submit(cloud: Cloud, citizen: str) -> dict[str, Any]:
    created = cloud.api.call(
        "POST",
        "/v1/dossiers",
        {
            "procedure_code": MARRIAGE_STATUS,
            "agency_code": AGENCY,
            "summary": "Xác nhận tình trạng hôn nhân để đăng ký kết hôn",
            "components": [{"code": ITS_FORM, "file_name": "to-khai.pdf"}],
        },
        token=citizen,
    )
    assert created.status == 201, created.body
    return dict(created.body)


def _send_supplement(cloud: Cloud, code: str, citizen: str, timeout: float = 20) -> Reply:
    """The supplement's task opens a moment after the status changes: the portal retries on NOT_READY."""
    deadline = time.monotonic() + timeout
    while True:
        reply = cloud.api.call(
            "POST",
            f"/v1/dossiers/{code}/supplement",
            {"components": [{"code": "CCCD", "file_name": "can-cuoc-ro-net.pdf"}], "note": "Bản chụp rõ hơn"},
            token=citizen,
        )
        not_ready = reply.status == 409 and reply.body["error"]["code"] == "SUPPLEMENT_NOT_READY"
        if not not_ready or time.monotonic() > deadline:
            return reply
        time.sleep(0.2)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_b_c_a_supplement_restarts_the_clock_and_a_second_request_is_refused(cloud: Cloud) -> None:
    citizen = cloud.token("citizen-lan")
    created = _submit(cloud, citizen)
    code = created["code"]

    # (b) The specialist asks for everything missing at once (Mẫu 02)
    items = [{"name": "Bản sao căn cước", "reason": "Ảnh chụp bị mờ", "component_code": "CCCD"}]
    asked = cloud.decide(
        code, "officer-processor", "REQUEST_SUPPLEMENT", items=items, note="Bổ sung trong 5 ngày"
    )
    assert asked.status == 200, asked.body
    waiting = cloud.wait_for_status(code, citizen, "SUPPLEMENT_REQUESTED").body
    assert waiting["status"]["national_code"] == 5
    assert [i["name"] for i in waiting["supplement"]["items"]] == ["Bản sao căn cước"]
    assert len(waiting["pauses"]) == 1 and waiting["pauses"][0]["end"] is None  # the clock is stopped

    # The applicant sends it; the clock restarts from zero (RESTART, the legal default) when it is received
    sent = _send_supplement(cloud, code, citizen)
    assert sent.status == 200, sent.body
    back = cloud.wait_until(code, citizen, lambda v: v["supplement"] and v["supplement"]["provided_at"]).body
    assert back["status"]["national_code"] == 4
    received = _at(back["pauses"][0]["end"])
    calendar = WorkingCalendar()
    expected = calendar.due_date(calendar.next_working_moment(received), 3, DurationUnit.WORKING_DAY)
    assert _at(back["due_at"]) == expected
    assert back["original_due_at"] == created["due_at"]  # kept for the record and the 766 indicators
    assert back["timeline"][-1]["title"] == "Nhận hồ sơ bổ sung"

    # (c) A second supplement request during processing is refused, and changes nothing
    second = cloud.decide(code, "officer-processor", "REQUEST_SUPPLEMENT", items=items)
    assert second.status == 409 and second.body["error"]["code"] == "SUPPLEMENT_ALREADY_REQUESTED"
    after = cloud.api.call("GET", f"/v1/dossiers/{code}", token=citizen).body
    assert after["supplement_requests"] == 1 and after["status"]["national_code"] == 4
    assert after["timeline"] == back["timeline"]

    # And the dossier still goes on to its result
    cloud.through_the_steps(code)
    assert cloud.wait_for_status(code, citizen, "RETURNED").body["timeliness"] in {"EARLY", "ON_TIME"}


def test_f_a_late_dossier_with_an_apology_is_late_against_its_original_due_date(moved_clock: Cloud) -> None:
    cloud = moved_clock
    citizen, processor = cloud.token("citizen-minh"), cloud.token("officer-processor")
    created = _submit(cloud, citizen)
    code, due = created["code"], _at(created["due_at"])

    # The specialist, working on it, foresees the delay and apologises in time with a new appointment (Mẫu 04)
    cloud.wait_for_task(code, processor)
    new_due = due + timedelta(days=7)
    apology = {"reason": "Cần xác minh thêm tại nơi cư trú trước đây.", "new_due_at": new_due.isoformat()}
    sent = cloud.api.call("POST", f"/v1/dossiers/{code}/apology", apology, token=processor)
    assert sent.status == 200, sent.body
    assert _at(sent.body["appointment_at"]) == new_due
    assert _at(sent.body["due_at"]) == due  # the lawful due does not move
    again = cloud.api.call("POST", f"/v1/dossiers/{code}/apology", apology, token=processor)
    assert again.status == 409 and again.body["error"]["code"] == "APOLOGY_ALREADY_SENT"

    # A day after the due date the deadline watch flags it
    cloud.set_clock(now=(due + timedelta(days=1)).isoformat())
    watched = cloud.fire("DeadlineWatchFunction")
    assert code in watched["overdue"]
    assert cloud.api.call("GET", f"/v1/dossiers/{code}", token=citizen).body["overdue"] is True

    # The result comes late (within the apology's appointment): it is LATE, against the original due date
    cloud.through_the_steps(code)
    final = cloud.wait_for_status(code, citizen, "RETURNED").body
    assert final["timeliness"] == "LATE"
    assert final["original_due_at"] == created["due_at"]
    titles = [entry["title"] for entry in final["timeline"]]
    assert "Văn bản xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)" in titles


def test_g_a_desk_dossier_received_at_1630_on_the_friday_before_a_holiday(moved_clock: Cloud) -> None:
    cloud = moved_clock
    # Friday 24/4/2026 16:30, before Giỗ Tổ Hùng Vương (observed Monday 27/4) and 30/4–1/5
    cloud.set_clock(now="2026-04-24T16:30:00+07:00")
    applicant = {"name": "Phạm Thị Mai", "id_number": "056195001234", "phone": "0905123456"}
    received = cloud.api.call(
        "POST",
        "/v1/desk/dossiers",
        {
            "procedure_code": MARRIAGE_STATUS,
            "agency_code": AGENCY,
            "channel": "DIRECT",
            "applicant": applicant,
            "components": [{"code": ITS_FORM, "file_name": "to-khai.pdf", "digitised": True}],
        },
        token=cloud.token("officer-desk"),
    )
    assert received.status == 201, received.body
    code = received.body["code"]
    # The code is dated the day of receipt; 3 working days are Tue 28, Wed 29 and Mon 4: due at its close
    assert code.startswith(f"{AGENCY}-260424-")
    assert received.body["due_at"] == "2026-05-04T17:00:00+07:00"
    # And the applicant follows it in "my dossiers" with a verified account carrying the same ID number
    own = cloud.mint(
        "citizen", {"sub": "vneid-mai", "name": "Phạm Thị Mai", "id_number": applicant["id_number"]}
    )
    mine = cloud.api.call("GET", "/v1/me/dossiers", token=own)
    assert mine.status == 200 and code in [d["code"] for d in mine.body["items"]]


def test_h_a_transfer_to_a_partner_agency_and_its_reply(cloud: Cloud) -> None:
    citizen = cloud.token("citizen-lan")
    created = _submit(cloud, citizen)
    code = created["code"]

    # The specialist asks a partner agency to verify (liên thông)
    asked = cloud.decide(
        code,
        "officer-processor",
        "TRANSFER",
        partner_agency=PARTNER,
        note="Đề nghị xác minh tình trạng hôn nhân",
    )
    assert asked.status == 200, asked.body
    partner = cloud.mint(
        "officer",
        {
            "sub": "khsso-200501",
            "name": "Ngô Thị Thu",
            "roles": ["PROCESSOR"],
            "agency": PARTNER,
            "scope": "AGENCY",
        },
    )
    # Its officer finds the task in the partner agency's inbox, reads the dossier, and replies
    task = cloud.wait_for_task(code, partner)
    assert task["step"].startswith("partner-") and task["step_name"] == "Phối hợp giải quyết (liên thông)"
    assert cloud.api.call("GET", f"/v1/dossiers/{code}", token=partner).status == 200
    unrelated = cloud.mint("officer", {"sub": "khsso-200777", "roles": ["PROCESSOR"], "agency": "H32.203"})
    assert cloud.api.call("GET", f"/v1/dossiers/{code}", token=unrelated).status == 404
    wrong = cloud.api.call(
        "POST", f"/v1/tasks/{task['task_id']}/decision", {"outcome": "FORWARD"}, token=partner
    )
    assert wrong.status == 409 and wrong.body["error"]["code"] == "DECISION_NOT_ALLOWED"
    replied = cloud.api.call(
        "POST",
        f"/v1/tasks/{task['task_id']}/decision",
        {"outcome": "REPLY", "note": "Đã xác minh: chưa đăng ký kết hôn tại phường."},
        token=partner,
    )
    assert replied.status == 200, replied.body

    # The dossier is back with the specialist, the reply on record; the legal clock never restarted
    back = cloud.wait_until(code, citizen, lambda v: v["transfers"] and v["transfers"][0]["replied_at"]).body
    assert back["transfers"][0]["reply"] == "Đã xác minh: chưa đăng ký kết hôn tại phường."
    assert back["due_at"] == created["due_at"]
    cloud.through_the_steps(code)
    final = cloud.wait_for_status(code, citizen, "RETURNED").body
    titles = [entry["title"] for entry in final["timeline"]]
    assert f"Chuyển liên thông đến cơ quan {PARTNER}" in titles
    assert f"Nhận kết quả liên thông từ cơ quan {PARTNER}" in titles


def test_a_component_file_uploaded_to_s3_with_the_presigned_form_is_linked_to_the_dossier(
    cloud: Cloud,
) -> None:
    import hashlib

    import requests

    citizen = cloud.token("citizen-lan")
    content = "Tờ khai xác nhận tình trạng hôn nhân — Nguyễn Thị Lan".encode()
    declared = {
        "component_code": ITS_FORM,
        "file_name": "tờ khai.pdf",
        "content_type": "application/pdf",
        "size_bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    ticket = cloud.api.call("POST", "/v1/uploads", declared, token=citizen)
    assert ticket.status == 201, ticket.body
    # the browser POSTs the form straight to S3 (here moto's server), not through the API
    posted = requests.post(
        ticket.body["url"],
        data=ticket.body["fields"],
        files={"file": ("to-khai.pdf", content, "application/pdf")},
        timeout=30,
    )
    assert posted.status_code in {200, 201, 204}, posted.text
    confirmed = cloud.api.call(
        "POST",
        f"/v1/uploads/{ticket.body['file_id']}/confirmation",
        {**declared, "key": ticket.body["key"]},
        token=citizen,
    )
    assert confirmed.status == 200, confirmed.body
    assert confirmed.body["status"] == "VERIFIED"
    created = cloud.api.call(
        "POST",
        "/v1/dossiers",
        {
            "procedure_code": MARRIAGE_STATUS,
            "agency_code": AGENCY,
            "components": [{"code": ITS_FORM, "file_id": ticket.body["file_id"]}],
        },
        token=citizen,
    )
    assert created.status == 201, created.body
    slip = cloud.api.call("GET", f"/v1/dossiers/{created.body['code']}/slip", token=citizen).body
    assert [c["code"] for c in slip["components"]] == [ITS_FORM]
