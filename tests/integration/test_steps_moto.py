"""The state machine's task handlers (functions/steps/*.py) and the deadline watch against moto.

Each handler is called directly with the payload dossier.asl.json gives it, the way Lambda would. The officer's
decision goes through the API, and the recording workflow shows what the execution would have been resumed
with. Fixtures (``motcua``) live in conftest.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from motcua import runtime
from motcua.dossiers.lifecycle import NATIONAL_CODE, Status
from motcua.dossiers.model import Dossier, ProgressRecord, TaskStatus
from motcua.errors import BadRequest, Conflict
from tests.integration.conftest import AGENCY, OTHER_AGENCY, Motcua

FIRST = "step2-1"  # the first processing step of the demo procedure (after reception), first arrival
SIXTY_DAYS = str(60 * 24 * 3600)


def _dossier(code: str) -> Dossier:
    dossier = runtime.dossier_store().get(code)
    assert dossier is not None, code
    return dossier


def _timeline(code: str) -> list[ProgressRecord]:
    return runtime.dossier_store().timeline(code)


def _inbox(agency: str = AGENCY) -> list[str]:
    tasks, _ = runtime.dossier_store().inbox(agency, limit=100, cursor=None)
    return [task.task_id for task in tasks]


def _tasks(motcua: Motcua, code: str) -> list[dict[str, Any]]:
    return [item for item in motcua.items(code) if item["sk"]["S"].startswith("T#")]


def _in_process(motcua: Motcua) -> str:
    code = motcua.submitted()
    assert motcua.step("register", code) == {"status": "IN_PROCESS", "action": "OFFICER"}
    return code


def _awaiting_review(motcua: Motcua, token: str = "token-review-1") -> str:
    """A dossier waiting on its first processing step (the specialist's, role PROCESSOR)."""
    code = _in_process(motcua)
    motcua.step("assign", code, step="officer", taskToken=token)
    return code


def _decide(motcua: Motcua, task_id: str, outcome: str = "FORWARD", **body: Any) -> Any:
    return motcua.call(
        "POST", f"/v1/tasks/{task_id}/decision", motcua.officer(), {"outcome": outcome, **body}
    )


# ----------------------------------------------------------------------------- register
def test_register_moves_a_received_dossier_into_processing(motcua: Motcua) -> None:
    # Given a dossier just received online
    code = motcua.submitted()
    assert _dossier(code).status is Status.RECEIVED
    # When the state machine runs Register
    result = motcua.step("register", code)
    # Then it is in process (national 4), with a second progress record by the system
    assert result == {"status": "IN_PROCESS", "action": "OFFICER"}
    dossier = _dossier(code)
    assert dossier.status is Status.IN_PROCESS
    assert dossier.national_code == 4
    assert dossier.progress_count == 2
    assert [(r.seq, r.status) for r in _timeline(code)] == [(1, Status.RECEIVED), (2, Status.IN_PROCESS)]
    assert dossier.closed_at is None


def test_register_run_twice_leaves_the_same_state_as_once(motcua: Motcua) -> None:
    # Given Register already ran for a dossier
    code = motcua.submitted()
    motcua.step("register", code)
    once = motcua.items(code)
    # When Step Functions runs it again (a retry after a lost response)
    result = motcua.step("register", code)
    # Then it reports the same outcome and not one item changed: no second progress record, same version
    assert result == {"status": "IN_PROCESS", "action": "OFFICER"}
    assert motcua.items(code) == once
    assert len(_timeline(code)) == 2


def test_register_of_an_unknown_dossier_is_not_found(motcua: Motcua) -> None:
    from motcua.errors import NotFound

    with pytest.raises(NotFound) as raised:
        motcua.step("register", "H32.201-260101-0999")
    assert raised.value.code == "DOSSIER_NOT_FOUND"


# ----------------------------------------------------------------------------- assign (officer review)
def test_assign_opens_a_review_task_in_the_agency_inbox_holding_the_token(motcua: Motcua) -> None:
    # Given a dossier in process
    code = _in_process(motcua)
    # When the state machine reaches WaitForOfficer with its callback token
    result = motcua.step("assign", code, step="officer", taskToken="token-review-1")
    # Then one task is open for the first processing step's role and unit, holding that token, due by the
    # step's own duration and never after the dossier's
    task_id = f"{code}~{FIRST}"
    assert result == {"task_id": task_id}
    task = runtime.dossier_store().get_task(code, FIRST)
    assert task is not None
    assert task.status is TaskStatus.OPEN
    assert task.task_token == "token-review-1"
    assert (task.role, task.unit, task.step_name) == ("PROCESSOR", "Chuyên môn", "Thẩm định, xử lý hồ sơ")
    assert task.due_at is not None and task.created_at < task.due_at <= _dossier(code).due_at
    assert task.agency_code == AGENCY
    assert _inbox() == [task_id]
    assert _inbox(OTHER_AGENCY) == []
    # And the dossier itself did not move
    assert _dossier(code).status is Status.IN_PROCESS


def test_assign_run_twice_keeps_one_task_with_the_latest_token(motcua: Motcua) -> None:
    # Given the review task is open
    code = _awaiting_review(motcua, token="token-review-1")
    # When the step runs again (a retried waitForTaskToken state gets a fresh token)
    motcua.step("assign", code, step="officer", taskToken="token-review-2")
    # Then there is still one task, and it holds the token the execution now waits on
    assert len(_tasks(motcua, code)) == 1
    assert _inbox() == [f"{code}~{FIRST}"]
    task = runtime.dossier_store().get_task(code, FIRST)
    assert task is not None
    assert task.task_token == "token-review-2"


def test_assign_without_a_token_is_refused(motcua: Motcua) -> None:
    code = _in_process(motcua)
    with pytest.raises(BadRequest) as raised:
        motcua.step("assign", code, step="officer")
    assert raised.value.code == "TASK_TOKEN_MISSING"
    assert _tasks(motcua, code) == []


def test_the_approver_sees_the_task_in_the_inbox_through_the_api(motcua: Motcua) -> None:
    code = _awaiting_review(motcua)
    reply = motcua.call("GET", "/v1/tasks", motcua.officer())
    assert reply.status == 200, reply.body
    assert [item["task_id"] for item in reply.body["items"]] == [f"{code}~{FIRST}"]
    assert "task_token" not in reply.body["items"][0]  # the callback token never leaves the server


# ----------------------------------------------------------------------------- the officer's decision
def test_an_approval_closes_the_task_and_resumes_the_execution_with_the_token(motcua: Motcua) -> None:
    # Given a dossier waiting for its review
    code = _awaiting_review(motcua, token="token-review-1")
    task_id = f"{code}~{FIRST}"
    # When an approver of the agency approves it
    reply = _decide(motcua, task_id, note="Đủ điều kiện")
    # Then the decision is accepted, the task leaves the inbox, and the execution is resumed with the token
    assert reply.status == 200, reply.body
    assert reply.body["task_id"] == task_id
    assert reply.body["outcome"] == "FORWARD"
    assert _inbox() == []
    task = runtime.dossier_store().get_task(code, FIRST)
    assert task is not None
    assert task.status is TaskStatus.DECIDED
    assert task.decision is not None
    assert task.decision.officer == "khsso-100232"
    assert len(motcua.workflow.resumed) == 1
    token, output = motcua.workflow.resumed[0]
    assert token == "token-review-1"
    assert output["outcome"] == "FORWARD"
    assert output["officer"] == "khsso-100232"
    assert output["task_id"] == task_id


def test_a_second_decision_on_the_same_task_is_a_409(motcua: Motcua) -> None:
    # Given the review was decided
    code = _awaiting_review(motcua)
    task_id = f"{code}~{FIRST}"
    assert _decide(motcua, task_id).status == 200
    # When another decision arrives for it
    reply = _decide(motcua, task_id, outcome="REJECT", reasons=["Thiếu giấy tờ"])
    # Then it is refused, and the execution was resumed only once
    assert reply.status == 409, reply.body
    assert reply.body["error"]["code"] == "TASK_ALREADY_DECIDED"
    assert len(motcua.workflow.resumed) == 1
    task = runtime.dossier_store().get_task(code, FIRST)
    assert task is not None and task.decision is not None
    assert task.decision.outcome.value == "FORWARD"


def test_of_two_officers_deciding_at_once_only_one_wins(motcua: Motcua) -> None:
    # Given both officers read the task while it was open
    code = _awaiting_review(motcua)
    store = runtime.dossier_store()
    seen = store.get_task(code, FIRST)
    assert seen is not None
    decided = seen.model_copy(update={"status": TaskStatus.DECIDED})
    # When both record their decision
    store.decide_task(decided)
    # Then the second write is refused by the store itself
    with pytest.raises(Conflict) as raised:
        store.decide_task(decided)
    assert raised.value.code == "TASK_ALREADY_DECIDED"


def test_a_decision_that_cannot_resume_the_execution_puts_the_task_back_in_the_inbox(motcua: Motcua) -> None:
    # Given Step Functions cannot be reached when the approver decides
    code = _awaiting_review(motcua, token="token-review-1")
    task_id = f"{code}~{FIRST}"
    motcua.workflow.resume_error = ConnectionError("states endpoint unreachable")
    # When the approver decides
    reply = _decide(motcua, task_id)
    # Then the request fails, and the task is open again, unchanged, for another try
    assert reply.status >= 500, reply.body
    assert _inbox() == [task_id]
    task = runtime.dossier_store().get_task(code, FIRST)
    assert task is not None
    assert task.status is TaskStatus.OPEN
    assert task.decision is None
    assert task.task_token == "token-review-1"
    # And when it is reachable again, the retry goes through
    motcua.workflow.resume_error = None
    assert _decide(motcua, task_id).status == 200
    assert [token for token, _ in motcua.workflow.resumed] == ["token-review-1", "token-review-1"]
    assert _inbox() == []


def test_assign_replayed_after_the_decision_does_not_reopen_the_task(motcua: Motcua) -> None:
    code = _awaiting_review(motcua)
    assert _decide(motcua, f"{code}~{FIRST}").status == 200
    motcua.step("assign", code, step="officer", taskToken="token-review-late")
    task = runtime.dossier_store().get_task(code, FIRST)
    assert task is not None
    assert task.status is TaskStatus.DECIDED
    assert _inbox() == []


def test_only_an_officer_with_the_steps_role_at_the_agency_may_decide(motcua: Motcua) -> None:
    code = _awaiting_review(motcua)
    task_id = f"{code}~{FIRST}"
    approver = motcua.call("POST", f"/v1/tasks/{task_id}/decision", motcua.approver(), {"outcome": "FORWARD"})
    elsewhere = motcua.call(
        "POST",
        f"/v1/tasks/{task_id}/decision",
        motcua.officer(agency=OTHER_AGENCY),
        {"outcome": "FORWARD"},
    )
    assert approver.status == 403, approver.body
    assert approver.body["error"]["code"] == "ROLE_REQUIRED"
    assert elsewhere.status == 404, elsewhere.body
    assert motcua.workflow.resumed == []
    assert _inbox() == [task_id]


def test_a_rejection_without_reasons_is_refused(motcua: Motcua) -> None:
    code = _awaiting_review(motcua)
    reply = _decide(motcua, f"{code}~{FIRST}", outcome="REJECT", reasons=[])
    assert reply.status == 422, reply.body
    assert reply.body["error"]["code"] == "REASONS_REQUIRED"
    assert motcua.workflow.resumed == []
    assert _inbox() == [f"{code}~{FIRST}"]


def test_a_decision_the_step_does_not_admit_is_a_409_and_changes_nothing(motcua: Motcua) -> None:
    # Given the specialist's step (not the approver's): approving there, or returning before the first step,
    # is not a move the internal procedure has
    code = _awaiting_review(motcua)
    before = motcua.items(code)
    for outcome in ("APPROVE", "RETURN"):
        reply = _decide(motcua, f"{code}~{FIRST}", outcome=outcome, reasons=["x"])
        assert reply.status == 409, reply.body
        assert reply.body["error"]["code"] == "DECISION_NOT_ALLOWED"
    assert motcua.items(code) == before
    assert motcua.workflow.resumed == []


# ----------------------------------------------------------------------------- result and closing
def _through_the_steps(motcua: Motcua, code: str) -> None:
    """Specialist forwards, approver approves, desk returns the result."""
    assert _decide(motcua, motcua.open_task(code)).status == 200
    assert motcua.resume(code) == "OFFICER"
    assert _call_decide(motcua, motcua.open_task(code), motcua.approver(), "APPROVE").status == 200
    assert motcua.resume(code) == "OFFICER"
    desk = motcua.officer(sub="khsso-100231", roles=("DESK_OFFICER",))
    assert _call_decide(motcua, motcua.open_task(code), desk, "FORWARD").status == 200
    assert motcua.resume(code) == "DONE"


def _call_decide(motcua: Motcua, task_id: str, token: str, outcome: str, **body: Any) -> Any:
    return motcua.call("POST", f"/v1/tasks/{task_id}/decision", token, {"outcome": outcome, **body})


def test_the_dossier_goes_through_each_internal_step_and_is_returned(motcua: Motcua) -> None:
    # Given a received dossier of a procedure with reception, processing, approval and return steps
    code = motcua.submitted()
    assert motcua.start(code) == "OFFICER"
    assert motcua.open_task(code) == f"{code}~step2-1"
    # When each step's officer decides in turn
    _through_the_steps(motcua, code)
    # Then every step had its own task, role and unit, and the dossier was issued (9) then returned (10)
    loaded = runtime.dossier_store().load(code)
    assert loaded is not None
    dossier, timeline, tasks = loaded
    assert [(t.step, t.role, t.status.value) for t in tasks] == [
        ("step2-1", "PROCESSOR", "DECIDED"),
        ("step3-2", "APPROVER", "DECIDED"),
        ("step4-3", "DESK_OFFICER", "DECIDED"),
    ]
    assert dossier.status is Status.RETURNED and dossier.national_code == NATIONAL_CODE[Status.RETURNED]
    assert dossier.closed_at is not None and dossier.timeliness in {"EARLY", "ON_TIME"}
    assert [r.status for r in timeline] == [
        Status.RECEIVED,
        Status.IN_PROCESS,
        Status.IN_PROCESS,  # forwarded to the approver
        Status.RESULT_READY,
        Status.RETURNED,
    ]
    # And the citizen sees it that way
    reply = motcua.call("GET", f"/v1/dossiers/{code}", motcua.citizen())
    assert reply.status == 200, reply.body
    assert [entry["national_code"] for entry in reply.body["timeline"]] == [2, 4, 4, 9, 10]


def test_a_returned_step_opens_a_new_task_for_the_earlier_step(motcua: Motcua) -> None:
    # Given the dossier was forwarded to the approver
    code = motcua.submitted()
    motcua.start(code)
    assert _decide(motcua, motcua.open_task(code)).status == 200
    motcua.resume(code)
    # When the approver returns it with a reason
    reply = _call_decide(
        motcua, f"{code}~step3-2", motcua.approver(), "RETURN", reasons=["Cần thẩm định lại"]
    )
    assert reply.status == 200, reply.body
    assert motcua.resume(code) == "OFFICER"
    # Then the specialist has a new task for the same step (a new round), and the old one stays decided
    assert motcua.open_task(code) == f"{code}~step2-3"
    assert runtime.dossier_store().get_task(code, FIRST) is not None
    last = _timeline(code)[-1]
    assert last.title == "Trả lại bước «Thẩm định, xử lý hồ sơ»" and last.content == "Cần thẩm định lại"


def test_a_decision_on_a_task_that_is_no_longer_current_is_a_409(motcua: Motcua) -> None:
    code = motcua.submitted()
    motcua.start(code)
    assert _decide(motcua, f"{code}~{FIRST}").status == 200
    motcua.resume(code)
    # The old task is decided; the next one belongs to the approver
    reply = _decide(motcua, f"{code}~{FIRST}")
    assert reply.status == 409 and reply.body["error"]["code"] == "TASK_ALREADY_DECIDED"


def test_advance_replayed_leaves_the_same_state_as_once(motcua: Motcua) -> None:
    code = motcua.submitted()
    motcua.start(code)
    assert _decide(motcua, f"{code}~{FIRST}").status == 200
    output = motcua.workflow.resumed[-1][1]
    first = motcua.step("advance", code, decision=output)
    once = motcua.items(code)
    again = motcua.step("advance", code, decision=output)
    assert first == again == {"action": "OFFICER"}
    assert motcua.items(code) == once


def test_issuing_twice_and_delivering_twice_leave_the_same_state_as_once(motcua: Motcua) -> None:
    code = motcua.submitted()
    motcua.start(code)
    assert _decide(motcua, motcua.open_task(code)).status == 200
    motcua.resume(code)
    assert _call_decide(motcua, motcua.open_task(code), motcua.approver(), "APPROVE").status == 200
    assert motcua.step("advance", code, decision=motcua.workflow.resumed[-1][1]) == {"action": "ISSUE"}
    issued = motcua.step("issue_result", code)
    assert issued == {"status": "RESULT_READY", "action": "OFFICER"}
    once = motcua.items(code)
    assert motcua.step("issue_result", code) == issued
    assert motcua.items(code) == once
    assert _dossier(code).national_code == 9


def test_a_rejected_dossier_is_closed_with_the_reasons(motcua: Motcua) -> None:
    # Given the specialist rejected the dossier with reasons
    code = motcua.submitted()
    motcua.start(code)
    reasons = ["Giấy chứng sinh không hợp lệ", "Thiếu văn bản ủy quyền"]
    reply = _decide(motcua, f"{code}~{FIRST}", outcome="REJECT", reasons=reasons)
    assert reply.status == 200, reply.body
    # When the state machine applies it and runs CloseRejected
    assert motcua.resume(code) == "DONE"
    # Then the dossier is stopped (national 8), closed, and keeps the reasons and who decided
    dossier = _dossier(code)
    assert dossier.status is Status.REJECTED
    assert dossier.national_code == 8
    assert dossier.rejection_reasons == tuple(reasons)
    assert dossier.closed_at is not None
    last = _timeline(code)[-1]
    assert last.status is Status.REJECTED
    assert last.actor == "khsso-100232"
    assert last.content == "; ".join(reasons)


def _personal_processor(motcua: Motcua) -> str:
    return motcua.officer(sub="khsso-100239", roles=("PROCESSOR",), scope="PERSONAL", unit="H32.201.03")


def test_an_officer_with_personal_scope_reads_the_dossiers_waiting_on_them_and_those_they_handled(
    motcua: Motcua,
) -> None:
    code = motcua.submitted()
    token = _personal_processor(motcua)
    assert motcua.call("GET", f"/v1/dossiers/{code}", token).status == 404  # nothing of theirs yet
    motcua.start(code)
    assert motcua.call("GET", f"/v1/dossiers/{code}", token).status == 200  # a task of their role waits
    assert _call_decide(motcua, f"{code}~{FIRST}", token, "FORWARD").status == 200
    motcua.resume(code)
    assert motcua.call("GET", f"/v1/dossiers/{code}", token).status == 200  # they decided a step
    stranger = motcua.officer(sub="khsso-100299", roles=("PROCESSOR",), scope="PERSONAL")
    assert motcua.call("GET", f"/v1/dossiers/{code}", stranger).status == 404  # it waits on the approver now


def test_a_claimed_task_leaves_the_other_officers_personal_inboxes(motcua: Motcua) -> None:
    code = motcua.submitted()
    motcua.start(code)
    mine, theirs = _personal_processor(motcua), motcua.officer(sub="khsso-100240", scope="PERSONAL")
    task_id = f"{code}~{FIRST}"
    assert motcua.call("POST", f"/v1/tasks/{task_id}/claim", mine).status == 200
    assert motcua.call("POST", f"/v1/tasks/{task_id}/claim", mine).status == 200  # again: harmless
    claimed = motcua.call("POST", f"/v1/tasks/{task_id}/claim", theirs)
    assert claimed.status == 409 and claimed.body["error"]["code"] == "TASK_CLAIMED"

    def inbox(token: str) -> list[str]:
        return [t["task_id"] for t in motcua.call("GET", "/v1/tasks", token).body["items"]]

    assert inbox(mine) == [task_id]
    assert inbox(theirs) == []
    assert inbox(motcua.officer(scope="AGENCY")) == [task_id]  # the head of the agency still sees it
    refused = _call_decide(motcua, task_id, theirs, "FORWARD")
    assert refused.status == 409 and refused.body["error"]["code"] == "TASK_CLAIMED"


# ----------------------------------------------------------------------------- failures
def test_a_failed_step_flags_the_dossier_without_changing_its_status(motcua: Motcua) -> None:
    # Given a dossier in process, and a step that failed for good
    code = _in_process(motcua)
    before = _dossier(code)
    error = {"Error": "KeyError", "Cause": '{"errorMessage": "\'procedure\'"}'}
    # When the state machine catches it into RecordFailure
    result = motcua.step("record_failure", code, error=error)
    # Then the dossier is flagged for an operator, its status and timeline untouched
    assert result == {"flagged": True}
    after = _dossier(code)
    assert after.failure is not None
    assert after.failure.error == "KeyError"
    assert after.failure.cause == error["Cause"]
    assert after.status is before.status is Status.IN_PROCESS
    assert after.progress_count == before.progress_count
    assert len(_timeline(code)) == 2
    assert after.version == before.version + 1
    # And the flag shows in the dossier view
    reply = motcua.call("GET", f"/v1/dossiers/{code}", motcua.officer(scope="AGENCY"))
    assert reply.body["flagged_failure"] is True


def test_a_failure_for_an_unknown_dossier_flags_nothing(motcua: Motcua) -> None:
    result = motcua.step("record_failure", "H32.201-260101-0999", error={"Error": "X", "Cause": "y"})
    assert result == {"flagged": False}


def test_an_illegal_transition_through_a_step_is_refused_and_changes_nothing(motcua: Motcua) -> None:
    # Given a dossier still in process (no result issued)
    code = _in_process(motcua)
    before = motcua.items(code)
    # When DeliverResult runs for it
    with pytest.raises(Conflict) as raised:
        motcua.step("deliver_result", code)
    # Then the step fails with ILLEGAL_TRANSITION (caught into RecordFailure, never retried) and no item changed
    assert raised.value.code == "ILLEGAL_TRANSITION"
    assert raised.value.details == {"current": "IN_PROCESS", "target": "RETURNED"}
    assert motcua.items(code) == before


def test_no_step_reopens_a_closed_dossier(motcua: Motcua) -> None:
    code = _in_process(motcua)
    motcua.step(
        "close_rejected", code, decision={"reasons": ["Không đủ điều kiện"], "officer": "khsso-100233"}
    )
    before = motcua.items(code)
    # a replayed Register or IssueResult answers where the execution went (done), and changes nothing
    for name in ("register", "issue_result"):
        assert motcua.step(name, code) == {"status": "REJECTED", "action": "DONE"}
    with pytest.raises(Conflict):
        motcua.step("deliver_result", code)
    assert motcua.items(code) == before


# ----------------------------------------------------------------------------- deadline watch
def _watch(motcua: Motcua) -> dict[str, Any]:
    from functions.schedules.deadline_watch import handler

    result: dict[str, Any] = handler({}, motcua.context)
    return result


def test_the_deadline_watch_flags_an_open_dossier_once_its_due_date_has_passed(
    motcua: Motcua, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a dossier in process, due in a working day or so
    code = _in_process(motcua)
    # When the watch runs now
    # Then nothing is overdue
    assert _watch(motcua)["flagged"] == []
    assert _dossier(code).overdue is False
    # When the clock moves sixty days on and the watch runs again
    monkeypatch.setenv("MOTCUA_CLOCK_OFFSET_SECONDS", SIXTY_DAYS)
    # Then the dossier is flagged overdue, its status unchanged
    assert _watch(motcua)["flagged"] == [code]
    dossier = _dossier(code)
    assert dossier.overdue is True
    assert dossier.status is Status.IN_PROCESS
    # And a later run does not flag it again
    assert _watch(motcua)["flagged"] == []


def test_the_deadline_watch_ignores_closed_dossiers(motcua: Motcua, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given one dossier returned and one still received
    returned = _in_process(motcua)
    motcua.step("issue_result", returned)
    motcua.step("deliver_result", returned)
    waiting = motcua.submitted()
    # When the clock moves past both due dates
    monkeypatch.setenv("MOTCUA_CLOCK_OFFSET_SECONDS", SIXTY_DAYS)
    # Then only the open one is flagged
    assert _watch(motcua)["flagged"] == [waiting]
    assert _dossier(returned).overdue is False


def test_the_deadline_watch_warns_once_when_the_due_date_is_near(
    motcua: Motcua, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a dossier waiting on its first step, and the clock moved to two working hours before its due date
    code = _awaiting_review(motcua)
    from motcua import clock, runtime

    dossier = _dossier(code)
    calendar = runtime.working_calendar()
    two_hours_before = dossier.due_at - timedelta(hours=2)  # due at 17:00: 15:00 is inside office hours
    offset = (two_hours_before - clock.now()).total_seconds()
    monkeypatch.setenv("MOTCUA_CLOCK_OFFSET_SECONDS", str(offset))
    assert calendar.is_working_moment(clock.now())
    # When the watch runs
    result = _watch(motcua)
    # Then it is due soon (not overdue), with the latest moment for the apology, and flagged once
    assert result["due_soon"] == [code] and result["overdue"] == []
    assert result["apology_by"][code] < dossier.due_at.isoformat()
    assert _dossier(code).due_soon is True
    assert _watch(motcua)["due_soon"] == []
    # And the assignee of the open task sees the alert, with the latest moment for the apology, in the inbox
    assert result["notified"] == {code: [f"{code}~{FIRST}"]}
    (task,) = motcua.call("GET", "/v1/tasks", motcua.officer()).body["items"]
    assert task["alert"]["kind"] == "DUE_SOON"
    assert task["alert"]["apology_by"] == result["apology_by"][code]
