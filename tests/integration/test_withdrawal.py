"""The applicant withdraws a dossier (ND 118 Đ21, Mẫu 05): processing stops, nothing is left waiting."""

from __future__ import annotations

from tests.integration.conftest import Motcua

REASON = {"reason": "Tôi đã nộp nhầm thủ tục"}


def _in_review(motcua: Motcua) -> str:
    code = motcua.submitted()
    assert motcua.start(code) == "OFFICER"
    return code


def test_a_dossier_in_review_is_withdrawn_and_its_task_leaves_the_inbox(motcua: Motcua) -> None:
    # Given a dossier waiting for the specialist
    code = _in_review(motcua)
    task_id = motcua.open_task(code)
    assert any(
        t["dossier_code"] == code for t in motcua.call("GET", "/v1/tasks", motcua.officer()).body["items"]
    )
    # When its owner withdraws it
    reply = motcua.call("POST", f"/v1/dossiers/{code}/withdrawal", motcua.citizen(), REASON)
    # Then it is withdrawn (national code 7) with the notice in its timeline
    assert reply.status == 200, reply.body
    assert reply.body["status"]["national_code"] == 7
    assert reply.body["timeline"][-1]["content"] == REASON["reason"]
    # and the task has left the inbox and cannot be decided, and the execution was stopped
    assert all(
        t["dossier_code"] != code for t in motcua.call("GET", "/v1/tasks", motcua.officer()).body["items"]
    )
    decided = motcua.call("POST", f"/v1/tasks/{task_id}/decision", motcua.officer(), {"outcome": "FORWARD"})
    assert decided.status == 409 and decided.body["error"]["code"] == "TASK_CLOSED", decided.body
    assert motcua.workflow.stopped == [(code, "withdrawn by the applicant")]


def test_a_final_dossier_cannot_be_withdrawn_and_nothing_changes(motcua: Motcua) -> None:
    code = _in_review(motcua)
    assert motcua.call("POST", f"/v1/dossiers/{code}/withdrawal", motcua.citizen(), REASON).status == 200
    before = motcua.items(code)
    again = motcua.call("POST", f"/v1/dossiers/{code}/withdrawal", motcua.citizen(), REASON)
    assert again.status == 409 and again.body["error"]["code"] == "ILLEGAL_TRANSITION"
    assert motcua.items(code) == before


def test_only_the_owner_withdraws(motcua: Motcua) -> None:
    code = _in_review(motcua)
    stranger = motcua.call(
        "POST",
        f"/v1/dossiers/{code}/withdrawal",
        motcua.citizen(sub="citizen-minh-0002", name="Trần Văn Minh"),
        REASON,
    )
    assert stranger.status == 404
    assert motcua.call("POST", f"/v1/dossiers/{code}/withdrawal", motcua.approver(), REASON).status == 403
    assert motcua.call("POST", f"/v1/dossiers/{code}/withdrawal", motcua.citizen(), {}).status == 400
