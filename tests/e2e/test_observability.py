"""Every function logs through Powertools with the dossier code as correlation id, and no personal data."""

from __future__ import annotations

import json

from tests.e2e.conftest import Cloud
from tests.e2e.test_dossier_lifecycle import submission

CITIZEN_NAME = "Nguyễn Thị Lan"  # demo user citizen-lan
CITIZEN_ID_NUMBER = "056190004821"


def test_logs_carry_the_dossier_code_and_no_personal_data(cloud: Cloud) -> None:
    citizen, approver = cloud.token("citizen-lan"), cloud.token("officer-approver")
    contact = {"phone": "0912345678", "email": "lan.nguyen@example.vn", "address": "12 Trần Phú, Nha Trang"}
    code = cloud.api.call("POST", "/v1/dossiers", submission(contact=contact), token=citizen).body["code"]
    task = cloud.wait_for_task(code, approver)
    cloud.api.call("POST", f"/v1/tasks/{task['task_id']}/decision", {"outcome": "APPROVE"}, token=approver)
    cloud.wait_for_status(code, citizen, "RETURNED")

    text = cloud.log_file.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("correlation_id") == code]
    functions = {line.get("function_name") for line in mine if line.get("function_name")}
    assert {
        "motcua-local-RegisterFunction",
        "motcua-local-AssignFunction",
        "motcua-local-IssueResultFunction",
        "motcua-local-DeliverResultFunction",
    } <= functions
    assert any(line["message"] == "dossier received" for line in mine)
    for secret in (CITIZEN_NAME, CITIZEN_ID_NUMBER, *contact.values()):
        assert secret not in text
        assert json.dumps(secret)[1:-1] not in text  # nor JSON-escaped
