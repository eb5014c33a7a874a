"""Every function logs through Powertools with the dossier code as correlation id, and no personal data."""

from __future__ import annotations

import json
from collections.abc import Iterator

from tests.e2e.conftest import Cloud
from tests.e2e.test_dossier_lifecycle import submission

CITIZEN_NAME = "Nguyễn Thị Lan"  # demo user citizen-lan
CITIZEN_ID_NUMBER = "056190004821"


def _json_objects(text: str) -> Iterator[dict[str, object]]:
    """Every JSON object in the log. Metrics (EMF) are printed, not logged, so when handlers run on threads
    of one process two objects can share a line: decode them one after the other."""
    decoder = json.JSONDecoder()
    for line in text.splitlines():
        position = line.find("{")
        while position != -1:
            try:
                obj, end = decoder.raw_decode(line, position)
            except json.JSONDecodeError:
                break
            if isinstance(obj, dict):
                yield obj
            position = line.find("{", end)


def test_logs_carry_the_dossier_code_and_no_personal_data(cloud: Cloud) -> None:
    citizen = cloud.token("citizen-lan")
    contact = {"phone": "0912345678", "email": "lan.nguyen@example.vn", "address": "12 Trần Phú, Nha Trang"}
    code = cloud.api.call("POST", "/v1/dossiers", submission(contact=contact), token=citizen).body["code"]
    cloud.through_the_steps(code)
    cloud.wait_for_status(code, citizen, "RETURNED")

    text = cloud.log_file.read_text(encoding="utf-8")
    lines = list(_json_objects(text))
    mine = [line for line in lines if line.get("correlation_id") == code]
    # Each step function logged under the dossier's code. (Steps are told apart by their `step` key: the
    # Lambda-context keys such as function_name are process-global in Powertools, and the local cloud runs
    # every function in one process, so they can name a function running at the same moment on another thread.)
    steps = {line.get("step") for line in mine}
    assert {"register", "advance", "issue_result", "deliver_result"} <= steps
    assert {"step2-1", "step3-2", "step4-3"} <= steps  # each officer's task, opened under the code
    assert any(line["message"] == "dossier received" for line in mine)
    for secret in (CITIZEN_NAME, CITIZEN_ID_NUMBER, *contact.values()):
        assert secret not in text
        assert json.dumps(secret)[1:-1] not in text  # nor JSON-escaped
