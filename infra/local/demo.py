"""`make demo`: with the local cloud running, walk a demo dossier through the system over HTTP and print
its timeline. Only HTTP to the public API and the fake identity issuer: what a portal would do."""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

STATE = Path(__file__).resolve().parents[2] / ".local-cloud" / "state.json"


def call(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode() if body is not None else None, method=method
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def main() -> int:
    if not STATE.exists():
        print(
            "The local cloud is not running: start it with `make run` in another terminal.", file=sys.stderr
        )
        return 1
    urls = json.loads(STATE.read_text())["urls"]
    api, identity = urls["api"], urls["identity"]
    try:
        _, citizen = call("POST", f"{identity}/citizen/token", {"demo_user": "citizen-lan"})
    except urllib.error.URLError:
        print("The local cloud is not answering: start it with `make run`.", file=sys.stderr)
        return 1
    citizen_token = citizen["access_token"]

    _, procedure = call("GET", f"{api}/v1/procedures/1.001193")
    required = [c for c in procedure["components"] if c["required"]]
    print(f"1. Citizen Nguyễn Thị Lan submits «{procedure['name']}» to UBND phường Ba Ngòi (H32.201)")
    status, created = call(
        "POST",
        f"{api}/v1/dossiers",
        {
            "procedure_code": procedure["code"],
            "agency_code": "H32.201",
            "summary": "Đăng ký khai sinh cho con",
            "components": [{"code": c["code"], "file_name": "to-khai.pdf"} for c in required],
        },
        citizen_token,
    )
    if status != 201:
        print(f"   submission refused: {status} {created}", file=sys.stderr)
        return 1
    code = created["code"]
    print(f"   → {status}: dossier {code}, due {created['due_at']}")

    steps = (
        ("officer-processor", "FORWARD", "the specialist checks it and forwards it"),
        ("officer-approver", "APPROVE", "the ward's leader approves the result"),
        ("officer-desk", "FORWARD", "the one-stop desk returns the result"),
    )
    for number, (user, outcome, what) in enumerate(steps, 2):
        _, issued = call("POST", f"{identity}/officer/token", {"demo_user": user})
        token = issued["access_token"]
        task = None
        for _ in range(100):
            _, page = call("GET", f"{api}/v1/tasks?limit=100", token=token)
            task = next((t for t in page["items"] if t["dossier_code"] == code), None)
            if task:
                break
            time.sleep(0.1)
        if task is None:
            print(f"   no task appeared for {user}", file=sys.stderr)
            return 1
        print(f"{number}. {user}: task {task['task_id']} «{task['step_name']}» — {what}")
        status, decided = call(
            "POST", f"{api}/v1/tasks/{task['task_id']}/decision", {"outcome": outcome}, token
        )
        print(f"   → {status}: {decided.get('outcome', decided)}")

    print("5. The citizen follows the dossier until the result is returned")
    dossier: dict[str, Any] = {}
    for _ in range(100):
        _, dossier = call("GET", f"{api}/v1/dossiers/{code}", token=citizen_token)
        if dossier["status"]["status"] in {"RETURNED", "REJECTED"}:
            break
        time.sleep(0.1)
    print(
        f"\nDossier {code}: {dossier['status']['national_label']} (national status {dossier['status']['national_code']})"
    )
    print("Timeline:")
    for entry in dossier["timeline"]:
        print(f"  {entry['at'][:19]}  [{entry['national_code']:>2}] {entry['title']}  {entry['content']}")
    return 0 if dossier["status"]["status"] == "RETURNED" else 1


if __name__ == "__main__":
    sys.exit(main())
