"""E2E fixtures: one local cloud per test session, started as its own process, driven over HTTP."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


class Http:
    def __init__(self, base: str) -> None:
        self.base = base

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload, hdrs = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, payload, hdrs = error.code, error.read(), dict(error.headers)
        return Reply(status, json.loads(payload) if payload else None, hdrs)


@dataclass
class Cloud:
    api: Http
    identity: Http
    state: dict[str, Any]
    log_file: Path

    def token(self, demo_user: str) -> str:
        realm = "citizen" if demo_user.startswith("citizen") else "officer"
        reply = self.identity.call("POST", f"/{realm}/token", {"demo_user": demo_user})
        assert reply.status == 200, reply.body
        return str(reply.body["access_token"])

    def mint(self, realm: str, claims: dict[str, Any]) -> str:
        reply = self.identity.call("POST", f"/{realm}/token", claims)
        assert reply.status == 200, reply.body
        return str(reply.body["access_token"])

    def boto(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.state["urls"]["aws"],
            region_name=self.state["region"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def table_fingerprint(self) -> str:
        """A digest of every item of every table: equal before and after means nothing was written.

        A Scan is fine here: this is a test reading the embedded AWS, not a request path."""
        client = self.boto("dynamodb")
        digest = hashlib.sha256()
        # The tables a request could write to; the catalogue (thousands of procedures) changes only by sync.
        for logical, name in sorted(self.state["resources"].items()):
            if logical not in {"DossiersTable", "IdempotencyTable"}:
                continue
            items: list[Any] = []
            for page in client.get_paginator("scan").paginate(TableName=name, ConsistentRead=True):
                items.extend(page["Items"])
            digest.update(name.encode())
            digest.update(json.dumps(sorted(json.dumps(i, sort_keys=True) for i in items)).encode())
        return digest.hexdigest()

    def settled_fingerprint(self, timeout: float = 20) -> str:
        """The fingerprint once executions started by earlier requests have stopped writing (they run on
        asynchronously until they wait for an officer)."""
        deadline = time.monotonic() + timeout
        previous = self.table_fingerprint()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            current = self.table_fingerprint()
            if current == previous:
                return current
            previous = current
        raise AssertionError("tables kept changing")

    def wait_until(self, code: str, token: str, until: Any, timeout: float = 20) -> Reply:
        """Read the dossier until ``until(view)`` holds: executions run on after the request that moved them."""
        deadline = time.monotonic() + timeout
        reply = self.api.call("GET", f"/v1/dossiers/{code}", token=token)
        while time.monotonic() < deadline:
            reply = self.api.call("GET", f"/v1/dossiers/{code}", token=token)
            if reply.status == 200 and until(reply.body):
                return reply
            time.sleep(0.2)
        raise AssertionError(f"{code} never got there: {reply.body}")

    def wait_for_status(self, code: str, token: str, status: str, timeout: float = 20) -> Reply:
        return self.wait_until(code, token, lambda view: view["status"]["status"] == status, timeout)

    def wait_for_task(self, code: str, token: str, timeout: float = 20) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            cursor = None
            while True:
                query = "/v1/tasks?limit=100" + (f"&cursor={cursor}" if cursor else "")
                reply = self.api.call("GET", query, token=token)
                assert reply.status == 200, reply.body
                for task in reply.body["items"]:
                    if task["dossier_code"] == code:
                        return dict(task)
                cursor = reply.body["next_cursor"]
                if not cursor:
                    break
            time.sleep(0.2)
        raise AssertionError(f"no task for {code}")

    # -- processing, as the officers and the applicant would do it over HTTP
    def decide(self, code: str, demo_user: str, outcome: str, **body: Any) -> Reply:
        """Wait for the dossier's task in ``demo_user``'s inbox and decide it."""
        token = self.token(demo_user)
        task = self.wait_for_task(code, token)
        return self.api.call(
            "POST", f"/v1/tasks/{task['task_id']}/decision", {"outcome": outcome, **body}, token=token
        )

    def through_the_steps(self, code: str) -> None:
        """The internal procedure of the demo ward: the specialist forwards, the leader approves, the desk
        returns the result."""
        for user, outcome in (
            ("officer-processor", "FORWARD"),
            ("officer-approver", "APPROVE"),
            ("officer-desk", "FORWARD"),
        ):
            reply = self.decide(code, user, outcome)
            assert reply.status == 200, (user, reply.body)

    # -- the local cloud's control panel (infra/local/control.py)
    @property
    def control(self) -> Http:
        return Http(self.state["urls"]["control"])

    def set_clock(self, **body: Any) -> dict[str, Any]:
        reply = self.control.call("PUT", "/clock", body)
        assert reply.status == 200, reply.body
        return dict(reply.body)

    def fire(self, logical_id: str) -> dict[str, Any]:
        reply = self.control.call("POST", f"/schedules/{logical_id}")
        assert reply.status == 200, reply.body
        return dict(reply.body)


@pytest.fixture
def moved_clock(cloud: Cloud) -> Iterator[Cloud]:
    """A test that moves the local cloud's clock puts it back, whatever happens."""
    try:
        yield cloud
    finally:
        cloud.set_clock(offset_seconds=0)


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    state_file = tmp_path_factory.mktemp("cloud") / "state.json"
    log = (state_file.parent / "local-cloud.log").open("w")
    # unbuffered: tests read the cloud's log while it runs
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers/core/python'}:{ROOT}", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "infra.local",
            "--port",
            "0",
            "--issuer-port",
            "0",
            "--no-schedules",
            "--state-file",
            str(state_file),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while not state_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError(
                    "local cloud did not start:\n" + (state_file.parent / "local-cloud.log").read_text()
                )
            time.sleep(0.1)
        state = json.loads(state_file.read_text())
        yield Cloud(Http(state["urls"]["api"]), Http(state["urls"]["identity"]), state, Path(log.name))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One local cloud per worker is plenty: keep every e2e test on the same xdist worker.
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.xdist_group("e2e"))
            item.add_marker(pytest.mark.e2e)
