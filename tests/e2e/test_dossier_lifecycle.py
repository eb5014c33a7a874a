"""A dossier's whole life over HTTP against the local cloud: real template, handlers, state machine."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.e2e.conftest import Cloud

BIRTH_REGISTRATION = "1.001193"  # Thủ tục đăng ký khai sinh (real record, seed catalogue)
REQUIRED_FORM = (
    "000.00.00.G15-KQ003204"  # Tờ khai đăng ký khai sinh: the application form, required by default
)
AGENCY = "H32.201"  # UBND phường Ba Ngòi, where the demo officers work


def submission(agency: str = AGENCY, **extra: object) -> dict[str, object]:
    return {
        "procedure_code": BIRTH_REGISTRATION,
        "agency_code": agency,
        "summary": "Đăng ký khai sinh cho con",
        "components": [{"code": REQUIRED_FORM, "file_name": "to-khai-khai-sinh.pdf"}],
        **extra,
    }


def test_a_online_dossier_goes_through_three_internal_steps_and_is_returned_on_time(cloud: Cloud) -> None:
    """Story (a): the ward's internal procedure — specialist, leader, desk — each on its own task."""
    citizen = cloud.token("citizen-lan")

    # When the citizen submits online
    created = cloud.api.call("POST", "/v1/dossiers", submission(), token=citizen)
    assert created.status == 201, created.body
    code = created.body["code"]
    assert code.startswith(f"{AGENCY}-") and len(code.rsplit("-", 1)[1]) == 4
    assert created.body["status"]["national_code"] == 2
    assert created.body["due_at"] > created.body["received_at"]
    assert created.headers["Location"] == f"/v1/dossiers/{code}"

    # Then the specialist's task is first, with the step's name and due time, and no one else's inbox has it
    processor = cloud.token("officer-processor")
    task = cloud.wait_for_task(code, processor)
    assert task["step_name"] == "Thẩm định, xử lý hồ sơ" and task["role"] == "PROCESSOR"
    assert task["due_at"] is not None and task["due_at"] <= created.body["due_at"]
    desk_inbox = cloud.api.call("GET", "/v1/tasks?limit=100", token=cloud.token("officer-desk")).body["items"]
    assert all(t["dossier_code"] != code for t in desk_inbox)

    # When each step's officer decides in turn
    cloud.through_the_steps(code)

    # Then the result was issued (9) and returned (10) on time, one progress record per move
    final = cloud.wait_for_status(code, citizen, "RETURNED").body
    assert final["status"]["national_code"] == 10
    assert [e["national_code"] for e in final["timeline"]] == [2, 4, 4, 9, 10]
    assert final["closed_at"] is not None
    assert final["timeliness"] in {"EARLY", "ON_TIME"}

    # And the officers still read it, while no task is left in any inbox
    approver = cloud.token("officer-approver")
    assert cloud.api.call("GET", f"/v1/dossiers/{code}", token=approver).status == 200
    inbox = cloud.api.call("GET", "/v1/tasks?limit=100", token=approver).body["items"]
    assert all(t["dossier_code"] != code for t in inbox)
    # And the state machine's execution, named by the code, succeeded
    sfn = cloud.boto("stepfunctions")
    arn = (
        cloud.state["resources"]["DossierStateMachine"].replace(":stateMachine:", ":execution:") + f":{code}"
    )
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"


def test_rejected_dossier_stops_with_national_code_8_and_reasons(cloud: Cloud) -> None:
    """Story (d)."""
    citizen, processor = cloud.token("citizen-minh"), cloud.token("officer-processor")
    code = cloud.api.call("POST", "/v1/dossiers", submission(), token=citizen).body["code"]
    task = cloud.wait_for_task(code, processor)

    no_reason = cloud.api.call(
        "POST", f"/v1/tasks/{task['task_id']}/decision", {"outcome": "REJECT"}, token=processor
    )
    assert no_reason.status == 422 and no_reason.body["error"]["code"] == "REASONS_REQUIRED"

    reasons = ["Giấy chứng sinh không hợp lệ"]
    rejected = cloud.api.call(
        "POST",
        f"/v1/tasks/{task['task_id']}/decision",
        {"outcome": "REJECT", "reasons": reasons},
        token=processor,
    )
    assert rejected.status == 200, rejected.body
    final = cloud.wait_for_status(code, citizen, "REJECTED").body
    assert final["status"]["national_code"] == 8
    assert final["rejection_reasons"] == reasons
    assert final["timeline"][-1]["content"] == reasons[0]

    again = cloud.api.call(
        "POST", f"/v1/tasks/{task['task_id']}/decision", {"outcome": "FORWARD"}, token=processor
    )
    assert again.status == 409 and again.body["error"]["code"] == "TASK_ALREADY_DECIDED"


def test_same_idempotency_key_creates_one_dossier(cloud: Cloud) -> None:
    citizen = cloud.token("citizen-lan")
    headers = {"Idempotency-Key": "portal-retry-7f3a"}
    first = cloud.api.call("POST", "/v1/dossiers", submission(), token=citizen, headers=headers)
    before = cloud.settled_fingerprint()
    second = cloud.api.call("POST", "/v1/dossiers", submission(), token=citizen, headers=headers)
    assert first.status == second.status == 201
    assert first.body == second.body
    assert cloud.table_fingerprint() == before  # the retry wrote nothing

    reused = cloud.api.call(
        "POST", "/v1/dossiers", submission(summary="khác"), token=citizen, headers=headers
    )
    assert reused.status == 422 and reused.body["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"

    # another citizen's identical key is another request
    other = cloud.api.call(
        "POST", "/v1/dossiers", submission(), token=cloud.token("citizen-minh"), headers=headers
    )
    assert other.status == 201 and other.body["code"] != first.body["code"]


def test_twenty_concurrent_submissions_get_consecutive_codes(cloud: Cloud) -> None:
    agency = "H32.205"  # no other test submits here, so the day's sequence is this test's alone
    citizen = cloud.token("citizen-lan")

    def submit(_: int) -> str:
        reply = cloud.api.call("POST", "/v1/dossiers", submission(agency), token=citizen)
        assert reply.status == 201, reply.body
        return str(reply.body["code"])

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(submit, range(20)))

    assert len(set(codes)) == 20
    prefixes = {c.rsplit("-", 1)[0] for c in codes}
    assert len(prefixes) == 1
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
    assert numbers == list(range(numbers[0], numbers[0] + 20))
    assert numbers[0] == 1


def test_withdrawal_mid_processing_stops_the_execution(cloud: Cloud) -> None:
    """Story (e)."""
    citizen, processor = cloud.token("citizen-lan"), cloud.token("officer-processor")
    code = cloud.api.call("POST", "/v1/dossiers", submission(), token=citizen).body["code"]
    task = cloud.wait_for_task(code, processor)

    withdrawn = cloud.api.call(
        "POST", f"/v1/dossiers/{code}/withdrawal", {"reason": "Nộp nhầm"}, token=citizen
    )
    assert withdrawn.status == 200, withdrawn.body
    assert withdrawn.body["status"]["national_code"] == 7

    # StopExecution was accepted (a refusal would have flagged the dossier for an operator). moto keeps an
    # execution that waits for a task token RUNNING after a stop (its worker thread only notices when woken),
    # so the ABORTED status itself is not observable locally; on AWS it is immediate.
    assert withdrawn.body["flagged_failure"] is False
    late = cloud.api.call(
        "POST", f"/v1/tasks/{task['task_id']}/decision", {"outcome": "FORWARD"}, token=processor
    )
    assert late.status == 409
    assert cloud.api.call("GET", f"/v1/dossiers/{code}", token=citizen).body["status"]["national_code"] == 7
