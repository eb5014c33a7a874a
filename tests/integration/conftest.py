"""Shared fixtures for the handler integration tests (``test_api_*.py``, ``test_steps_*.py``).

Everything runs in this process, with no server and no Docker:

* AWS is ``moto.mock_aws()``: the three tables are created with the key schema and indexes that template.yaml
  declares (read from the template, so the tests cannot drift from it);
* both identity realms are ``infra.fakes.identity_issuer.FakeIdentityIssuer`` on a free port. moto intercepts
  HTTP made through botocore only, and PyJWT fetches the JWKS with urllib, so the keys really travel over HTTP
  (``test_api_moto.py`` checks that they did);
* the workflow (Step Functions) is a recording fake put in place of ``motcua.runtime.workflow``: step handlers
  are called directly by the tests, and decisions are checked through what the fake was asked to resume.

Fixtures here are opt-in (none is autouse), so the other integration tests are unaffected.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from infra.fakes.identity_issuer import FakeIdentityIssuer
from motcua import runtime
from motcua.web.auth import Realm
from tests.template_tables import template_tables as shared_template_tables

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
SEED_CATALOGUE = ROOT / "tests" / "fixtures" / "demo-catalogue.json"
REGION = "ap-southeast-1"
TABLE_ENV = ("CATALOGUE_TABLE", "DOSSIERS_TABLE", "IDEMPOTENCY_TABLE")
FILES_BUCKET = "motcua-it-files"

# The demo ward of the seed catalogue and of the fake issuer's demo officers (UBND phường Ba Ngòi).
AGENCY = "H32.201"
OTHER_AGENCY = "H32.202"
CITIZEN_SUB = "citizen-lan-0001"
# A procedure of the seed catalogue that is offered online, and its one required component.
PROCEDURE = "1.001193"  # Thủ tục đăng ký khai sinh
REQUIRED_COMPONENT = "000.00.00.G15-KQ003208"


def template_tables() -> dict[str, dict[str, Any]]:
    return shared_template_tables("it")


@functools.cache
def _dynamodb_client() -> Any:
    """One client for every test: building a botocore client costs more than a test's own calls. moto's
    stub is registered on every botocore client, so this one talks to whichever mock_aws is active."""
    import boto3

    return boto3.client("dynamodb", region_name=REGION)


def seed_procedures() -> list[dict[str, Any]]:
    procedures: list[dict[str, Any]] = json.loads(SEED_CATALOGUE.read_text(encoding="utf-8"))["procedures"]
    return procedures


@dataclass
class RecordingWorkflow:
    """Stands in for Step Functions: records every start and resume, including those made to fail.

    ``start_errors`` are raised by the next starts, one each; ``resume_error`` by every resume while set.
    """

    started: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    resumed: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    stopped: list[tuple[str, str]] = field(default_factory=list)
    start_errors: list[Exception] = field(default_factory=list)
    resume_error: Exception | None = None

    def start(self, dossier_code: str, payload: dict[str, Any]) -> None:
        self.started.append((dossier_code, payload))
        if self.start_errors:
            raise self.start_errors.pop(0)

    def resume(self, task_token: str, output: dict[str, Any]) -> None:
        self.resumed.append((task_token, output))
        if self.resume_error is not None:
            raise self.resume_error

    def stop(self, dossier_code: str, cause: str) -> None:
        self.stopped.append((dossier_code, cause))


@dataclass
class LambdaContext:
    """The attributes Powertools' ``inject_lambda_context`` reads."""

    function_name: str = "motcua-it"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:motcua-it"
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class Motcua:
    """One test's world: moto tables seeded with the catalogue, the fake issuer, the recording workflow."""

    issuer: FakeIdentityIssuer
    workflow: RecordingWorkflow
    tables: dict[str, str]
    dynamodb: Any
    http: Any
    context: LambdaContext = field(default_factory=LambdaContext)
    tokens: int = 0

    # -- identities
    def citizen(
        self, sub: str = CITIZEN_SUB, name: str = "Nguyễn Thị Lan", id_number: str = "056190004821"
    ) -> str:
        return self.issuer.mint(Realm.CITIZEN, {"sub": sub, "name": name, "id_number": id_number})

    def officer(
        self,
        sub: str = "khsso-100232",
        roles: tuple[str, ...] = ("PROCESSOR",),
        agency: str = AGENCY,
        scope: str = "AGENCY",
        unit: str = "H32.201.03",
    ) -> str:
        claims = {"sub": sub, "roles": list(roles), "agency": agency, "scope": scope, "unit": unit}
        return self.issuer.mint(Realm.OFFICER, claims)

    def approver(self, sub: str = "khsso-100233", agency: str = AGENCY) -> str:
        return self.officer(sub=sub, roles=("APPROVER",), agency=agency, scope="AGENCY", unit="H32.201.00")

    # -- HTTP through Chalice's test client
    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else b""
        response = self.http.request(method, path, headers=sent, body=data)
        payload = json.loads(response.body) if response.body else None
        return Reply(response.status_code, dict(response.headers), payload)

    def submit(self, token: str | None = None, headers: dict[str, str] | None = None, **fields: Any) -> Reply:
        body = {
            "procedure_code": PROCEDURE,
            "agency_code": AGENCY,
            "summary": "Đăng ký khai sinh cho con",
            "components": [{"code": REQUIRED_COMPONENT, "file_name": "bien-ban.pdf"}],
            **fields,
        }
        return self.call("POST", "/v1/dossiers", token or self.citizen(), body, headers)

    def submitted(self) -> str:
        """Submit the standard dossier; its code."""
        reply = self.submit()
        assert reply.status == 201, reply.body
        return str(reply.body["code"])

    # -- state-machine steps, called the way the state machine calls them (dossier.asl.json payloads)
    def step(self, name: str, code: str, **extra: Any) -> dict[str, Any]:
        import importlib

        handler = importlib.import_module(f"functions.steps.{name}").handler
        result: dict[str, Any] = handler({"code": code, "step": name, **extra}, self.context)
        return result

    # -- the state machine, played step by step (dossier.asl.json: Register → Route → Wait… → Advance → Route)
    def run(self, code: str, action: str) -> str:
        """Play the execution from ``action`` until it waits (OFFICER, SUPPLEMENT, PARTNER) or ends (DONE)."""
        while True:
            if action in {"OFFICER", "SUPPLEMENT", "PARTNER"}:
                self.tokens += 1
                self.step("assign", code, step=action.lower(), taskToken=f"token-{self.tokens}")
                return action
            if action == "ISSUE":
                action = self.step("issue_result", code)["action"]
                continue
            if action == "DELIVER":
                self.step("deliver_result", code)
            elif action == "REJECT":
                self.step("close_rejected", code, decision=self.workflow.resumed[-1][1])
            return "DONE"

    def start(self, code: str) -> str:
        """Register, then run until the first wait."""
        return self.run(code, self.step("register", code)["action"])

    def resume(self, code: str) -> str:
        """What Step Functions does after SendTaskSuccess: Advance with the output, then run on."""
        return self.run(code, self.step("advance", code, decision=self.workflow.resumed[-1][1])["action"])

    def decide(self, code: str, token: str, outcome: str, **body: Any) -> Reply:
        """Decide the dossier's open task through the API."""
        return self.call(
            "POST", f"/v1/tasks/{self.open_task(code)}/decision", token, {"outcome": outcome, **body}
        )

    def approved(self, code: str) -> str:
        """Take a received dossier through the specialist's step to the approver's APPROVE, applied: the next
        state is IssueResult (not yet run)."""
        self.start(code)
        assert self.decide(code, self.officer(), "FORWARD").status == 200
        assert self.resume(code) == "OFFICER"
        decided = self.decide(code, self.approver(), "APPROVE")
        assert decided.status == 200, decided.body
        assert self.step("advance", code, decision=self.workflow.resumed[-1][1]) == {"action": "ISSUE"}
        return code

    def open_task(self, code: str) -> str:
        """The id of the dossier's open task (the one the execution waits on)."""
        loaded = runtime.dossier_store().load(code)
        assert loaded is not None
        open_tasks = [t.task_id for t in loaded[2] if t.status.value == "OPEN"]
        assert len(open_tasks) == 1, open_tasks
        return open_tasks[0]

    # -- raw reads, to prove that nothing changed (layout: docs/data-model.md, pk=D#{code})
    def items(self, code: str) -> list[dict[str, Any]]:
        reply = self.dynamodb.query(
            TableName=self.tables["DOSSIERS_TABLE"],
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"D#{code}"}},
            ConsistentRead=True,
        )
        items: list[dict[str, Any]] = reply["Items"]
        return sorted(items, key=lambda item: item["sk"]["S"])


@pytest.fixture(scope="module")
def identity_issuer() -> Iterator[FakeIdentityIssuer]:
    with FakeIdentityIssuer(port=0) as issuer:
        yield issuer


@pytest.fixture
def motcua(monkeypatch: pytest.MonkeyPatch, identity_issuer: FakeIdentityIssuer) -> Iterator[Motcua]:
    from chalice.test import Client
    from moto import mock_aws

    from functions.api.app import app
    from motcua.catalogue.model import Procedure
    from motcua.observability import metrics

    tables = template_tables()
    assert set(tables) == set(TABLE_ENV), f"template.yaml names tables {sorted(tables)}"

    # An endpoint override (set by the local cloud) would send calls past moto's in-process mock.
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("MOTCUA_CLOCK_OFFSET_SECONDS", raising=False)
    monkeypatch.delenv("DOSSIER_STATE_MACHINE_ARN", raising=False)
    environment = {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "STAGE": "it",
        "PROVINCE_CODE": "H32",
        "AWS_XRAY_SDK_ENABLED": "false",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "motcua",
        "FILES_BUCKET": FILES_BUCKET,
        **{name: arguments["TableName"] for name, arguments in tables.items()},
    }
    for realm, prefix in ((Realm.CITIZEN, "CITIZEN"), (Realm.OFFICER, "OFFICER")):
        config = identity_issuer.realm_config(realm)
        environment[f"{prefix}_ISSUER"] = config.issuer
        environment[f"{prefix}_AUDIENCE"] = config.audience
        environment[f"{prefix}_JWKS_URL"] = config.jwks_url
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    # The Metrics singleton read its namespace when it was imported, possibly before this environment.
    monkeypatch.setattr(metrics.provider, "namespace", "motcua")

    with mock_aws():
        dynamodb = _dynamodb_client()
        for arguments in tables.values():
            dynamodb.create_table(**arguments)
        import boto3

        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=FILES_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        runtime.reset()
        store = runtime.catalogue_store()
        for procedure in seed_procedures():
            store.put(Procedure.model_validate(procedure))

        workflow = RecordingWorkflow()
        # lru_cache gives the fake factory the cache_clear() that runtime.reset() calls.
        monkeypatch.setattr(runtime, "workflow", functools.lru_cache(maxsize=1)(lambda: workflow))
        with Client(app) as client:
            yield Motcua(
                issuer=identity_issuer,
                workflow=workflow,
                tables={name: arguments["TableName"] for name, arguments in tables.items()},
                dynamodb=dynamodb,
                http=client.http,
            )
        runtime.reset()
