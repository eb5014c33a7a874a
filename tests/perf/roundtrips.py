"""The ``round-trips`` benchmark's world and counters: AWS calls per API operation (ARCHITECTURE §7).

Everything runs in this process, as the integration tests do (tests/integration/conftest.py), but with plain
functions instead of pytest fixtures: ``moto.mock_aws()`` with the tables template.yaml declares, the demo
catalogue seeded, the fake identity issuer on a free port, and a recording workflow in place of
``motcua.runtime.workflow`` (its starts and resumes are what Step Functions would have been asked).

AWS calls are counted at ``botocore.client.BaseClient._make_api_call``: every client goes through it,
including the one PynamoDB builds on its own botocore session and the one Powertools Idempotency uses.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import os
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
SEED_CATALOGUE = ROOT / "tests" / "fixtures" / "demo-catalogue.json"
REGION = "ap-southeast-1"

# As in tests/integration/conftest.py: the demo ward, a citizen, an online procedure and its required component.
AGENCY = "H32.201"
CITIZEN_SUB = "citizen-lan-0001"
PROCEDURE = "1.001193"  # Thủ tục đăng ký khai sinh
REQUIRED_COMPONENT = "000.00.00.G15-KQ003208"
# The first task of the procedure's internal steps (statemachines/dossier.asl.json: Register → WaitForOfficer),
# task id ``{code}~step2-1``: step 2, first visit, decided by a PROCESSOR of the ward with FORWARD.
FIRST_STEP = "step2-1"

# What the recording workflow's methods stand for.
WORKFLOW_OPERATIONS = {"start": "StartExecution", "resume": "SendTaskSuccess", "stop": "StopExecution"}
# Unset while measuring: an endpoint would send calls past moto, the others would change the settings.
ENV_DROP = ("AWS_ENDPOINT_URL", "MOTCUA_CLOCK_OFFSET_SECONDS", "DOSSIER_STATE_MACHINE_ARN")


# ------------------------------------------------------------------------------------------------ counting


class CallCounter:
    """(service, operation) pairs of every botocore API call made while ``recording`` is on."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()
        self.recording = False

    @contextlib.contextmanager
    def installed(self) -> Iterator[CallCounter]:
        def counted(original: Callable[..., Any], client: Any, operation: str, params: dict[str, Any]) -> Any:
            if self.recording:
                self.calls[(client.meta.service_model.service_name, operation)] += 1
            return original(client, operation, params)

        with intercepted_api_calls(counted):
            yield self


@contextlib.contextmanager
def intercepted_api_calls(interceptor: Callable[..., Any]) -> Iterator[None]:
    """Route every botocore API call through ``interceptor(original, client, operation, params)`` while open
    (``BaseClient._make_api_call``: the one place every boto3 and PynamoDB call passes)."""
    from botocore.client import BaseClient

    client_class: Any = BaseClient  # _make_api_call is private: not in botocore's stubs
    original: Callable[..., Any] = client_class._make_api_call

    @functools.wraps(original)
    def intercepted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        return interceptor(original, client, operation, params)

    client_class._make_api_call = intercepted
    try:
        yield
    finally:
        client_class._make_api_call = original


@dataclass
class RecordingWorkflow:
    """Stands in for Step Functions (motcua.integrations.workflow): records what it was asked to do."""

    calls: Counter[str] = field(default_factory=Counter)
    resumed: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # what Advance is then given

    def start(self, dossier_code: str, payload: dict[str, Any]) -> None:
        self.calls[WORKFLOW_OPERATIONS["start"]] += 1

    def resume(self, task_token: str, output: dict[str, Any]) -> None:
        self.calls[WORKFLOW_OPERATIONS["resume"]] += 1
        self.resumed.append((task_token, output))

    def stop(self, dossier_code: str, cause: str) -> None:
        self.calls[WORKFLOW_OPERATIONS["stop"]] += 1


@dataclass
class Measured:
    """The AWS calls of one warm API call."""

    status: int
    dynamodb: Counter[str]
    other: Counter[str]  # "service:Operation" of other botocore calls, and Step Functions via the workflow

    @property
    def total(self) -> int:
        return sum(self.dynamodb.values()) + sum(self.other.values())


def format_calls(calls: Counter[str]) -> str:
    return ", ".join(f"{name}×{n}" for name, n in sorted(calls.items())) or "-"


# ------------------------------------------------------------------------------------------------ the world


def template_tables() -> dict[str, dict[str, Any]]:
    from tests.template_tables import template_tables as shared

    return shared("bench")


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set ``values`` and drop ENV_DROP; restore the previous environment afterwards."""
    saved = {name: os.environ.get(name) for name in (*values, *ENV_DROP)}
    for name in ENV_DROP:
        os.environ.pop(name, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Neither Powertools' EMF metrics on stdout nor its UserWarnings (no Lambda context, empty metrics)."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


@dataclass
class World:
    """The API behind Chalice's test client, the issuer, the recording workflow and the call counter."""

    http: Any
    issuer: Any
    workflow: RecordingWorkflow
    counter: CallCounter
    context: Any

    def citizen(self) -> str:
        from motcua.web.auth import Realm

        return str(self.issuer.mint(Realm.CITIZEN, {"sub": CITIZEN_SUB, "name": "Nguyễn Thị Lan"}))

    def processor(self) -> str:
        """The ward's specialist (PROCESSOR), who decides the first internal step."""
        from motcua.web.auth import Realm

        claims = {
            "sub": "khsso-100232",
            "roles": ["PROCESSOR"],
            "agency": AGENCY,
            "scope": "AGENCY",
            "unit": "H32.201.03",
        }
        return str(self.issuer.mint(Realm.OFFICER, claims))

    def call(
        self, method: str, path: str, token: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        sent = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", **(headers or {})}
        data = json.dumps(body).encode() if body is not None else b""
        with quiet():
            response = self.http.request(method, path, headers=sent, body=data)
        return response.status_code, json.loads(response.body) if response.body else None

    def submit(self, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        body = {
            "procedure_code": PROCEDURE,
            "agency_code": AGENCY,
            "summary": "Đăng ký khai sinh cho con",
            "components": [{"code": REQUIRED_COMPONENT, "file_name": "bien-ban.pdf"}],
        }
        return self.call("POST", "/v1/dossiers", self.citizen(), body, headers)

    def submitted(self) -> str:
        status, body = self.submit()
        if status != 201:
            raise RuntimeError(f"intake failed: {status} {body}")
        return str(body["code"])

    def awaiting_first_step(self, token: str) -> str:
        """A submitted dossier, registered and waiting on its first officer's task (``{code}~step2-1``), the step
        handlers called directly as the state machine calls them: Register, then WaitForOfficer's Assign."""
        import importlib

        code = self.submitted()
        # (handler module, its payload in dossier.asl.json)
        steps: list[tuple[str, dict[str, Any]]] = [
            ("register", {"code": code, "step": "register"}),
            ("assign", {"code": code, "step": "officer", "taskToken": token}),
        ]
        results: list[dict[str, Any]] = []
        for name, event in steps:
            handler = importlib.import_module(f"functions.steps.{name}").handler
            with quiet():
                results.append(handler(event, self.context))
        registered, opened = results
        if registered.get("action") != "OFFICER" or opened.get("task_id") != f"{code}~{FIRST_STEP}":
            raise RuntimeError(
                f"{code}: register returned {registered}, assign {opened} (expected {FIRST_STEP})"
            )
        return code

    def measure(self, request: Callable[[], tuple[int, Any]]) -> Measured:
        """The AWS calls made by ``request()`` (a warm call: the caller made one like it before)."""
        before = Counter(self.workflow.calls)
        self.counter.calls.clear()
        self.counter.recording = True
        try:
            status, body = request()
        finally:
            self.counter.recording = False
        if status >= 300:
            raise RuntimeError(f"measured call failed: {status} {body}")
        dynamodb: Counter[str] = Counter()
        other: Counter[str] = Counter()
        for (service, operation), n in self.counter.calls.items():
            if service == "dynamodb":
                dynamodb[operation] += n
            else:
                other[f"{service}:{operation}"] += n
        for operation, n in (Counter(self.workflow.calls) - before).items():
            other[f"states:{operation}"] += n
        return Measured(status, dynamodb, other)


@dataclass
class LambdaContext:
    """The attributes Powertools' ``inject_lambda_context`` reads."""

    function_name: str = "motcua-bench"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:motcua-bench"
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@contextlib.contextmanager
def world() -> Iterator[World]:
    """moto tables from template.yaml with the demo catalogue, the fake issuer, the recording workflow."""
    import boto3
    from moto import mock_aws

    from infra.fakes.identity_issuer import FakeIdentityIssuer
    from motcua.web.auth import Realm

    tables = template_tables()
    values = {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "STAGE": "bench",
        "PROVINCE_CODE": "H32",
        "AWS_XRAY_SDK_ENABLED": "false",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "motcua",
        "POWERTOOLS_LOG_LEVEL": "WARNING",  # the handlers' INFO lines would bury the report
        **{name: arguments["TableName"] for name, arguments in tables.items()},
    }
    with contextlib.ExitStack() as stack:
        issuer = stack.enter_context(FakeIdentityIssuer(port=0))
        for realm, prefix in ((Realm.CITIZEN, "CITIZEN"), (Realm.OFFICER, "OFFICER")):
            config = issuer.realm_config(realm)
            values[f"{prefix}_ISSUER"] = config.issuer
            values[f"{prefix}_AUDIENCE"] = config.audience
            values[f"{prefix}_JWKS_URL"] = config.jwks_url
        stack.enter_context(environment(values))
        stack.enter_context(mock_aws())
        counter = stack.enter_context(CallCounter().installed())

        from chalice.test import Client

        from functions.api.app import app
        from motcua import runtime
        from motcua.catalogue.model import Procedure
        from motcua.observability import metrics

        logging.getLogger("motcua").setLevel(logging.WARNING)
        metrics.provider.namespace = "motcua"
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        for arguments in tables.values():
            dynamodb.create_table(**arguments)
        runtime.reset()
        store = runtime.catalogue_store()
        for procedure in json.loads(SEED_CATALOGUE.read_text(encoding="utf-8"))["procedures"]:
            store.put(Procedure.model_validate(procedure))

        workflow = RecordingWorkflow()
        composition: Any = runtime  # the fake is no StepFunctionsWorkflow, only shaped like one
        original_workflow = composition.workflow
        # lru_cache gives the fake factory the cache_clear() that runtime.reset() calls.
        composition.workflow = functools.lru_cache(maxsize=1)(lambda: workflow)
        try:
            with Client(app) as client:
                yield World(client.http, issuer, workflow, counter, LambdaContext())
        finally:
            composition.workflow = original_workflow
            runtime.reset()


# ------------------------------------------------------------------------------------------------ the cases


@dataclass(frozen=True)
class Row:
    operation: str
    measured: Measured
    minimum: str  # what §7 allows, for the table
    minimum_total: int
    source: str  # "§7", or "derived" where §7 names no budget
    note: str = ""

    @property
    def result(self) -> str:
        return "OK" if self.measured.total <= self.minimum_total else "ABOVE"


def measure_all() -> tuple[list[Row], dict[str, int]]:
    """Each operation once to warm, then once counted. Also the JWKS fetches (HTTP, not AWS) of the run."""
    rows: list[Row] = []
    intake_min = "TransactWriteItems×1 + StartExecution×1"
    with world() as w:
        w.submitted()  # warm: imports, clients, JWKS, calendar
        rows.append(Row("POST /v1/dossiers (intake)", w.measure(w.submit), intake_min, 2, "§7"))

        w.submit({"Idempotency-Key": "bench-warm-key"})  # warm Powertools' persistence layer too
        rows.append(
            Row(
                "POST /v1/dossiers + Idempotency-Key (new key)",
                w.measure(lambda: w.submit({"Idempotency-Key": "bench-measured-key"})),
                intake_min,
                2,
                "§7",
                "Powertools Idempotency: its record is written apart from the intake transaction",
            )
        )

        code = w.submitted()
        citizen = w.citizen()
        w.call("GET", f"/v1/dossiers/{code}", citizen)
        rows.append(
            Row(
                "GET /v1/dossiers/{code} (status)",
                w.measure(lambda: w.call("GET", f"/v1/dossiers/{code}", citizen)),
                "GetItem×1 or Query×1",
                1,
                "§7",
            )
        )

        first = w.awaiting_first_step("token-step2-1-a")
        second = w.awaiting_first_step("token-step2-1-b")
        processor = w.processor()
        w.call("GET", "/v1/tasks", processor)
        rows.append(
            Row(
                "GET /v1/tasks (inbox page)",
                w.measure(lambda: w.call("GET", "/v1/tasks", processor)),
                "Query×1",
                1,
                "§7",
            )
        )

        def decide(code: str) -> tuple[int, Any]:
            path = f"/v1/tasks/{code}~{FIRST_STEP}/decision"
            return w.call("POST", path, processor, {"outcome": "FORWARD"})

        warm_status, warm_body = decide(first)
        if warm_status != 200:
            raise RuntimeError(f"warm-up decision failed: {warm_status} {warm_body}")
        rows.append(
            Row(
                "POST /v1/tasks/{id}/decision",
                w.measure(lambda: decide(second)),
                "1 DynamoDB write + SendTaskSuccess×1",
                2,
                "derived",
                "the first step (step2-1), FORWARD by the PROCESSOR. §2 flow: decision → SendTaskSuccess; §7 names "
                "no budget. The checks before the write read the "
                "dossier's partition in one Query (DossierStore.load: dossier + timeline + tasks), not a GetItem "
                "of the task",
            )
        )

        search = "/v1/procedures?q=khai+sinh"
        w.call("GET", search, citizen)
        rows.append(
            Row(
                "GET /v1/procedures?q=khai+sinh (search)",
                w.measure(lambda: w.call("GET", search, citizen)),
                "0 (in-memory index, warm)",
                0,
                "derived",
                "a generation GetItem at most every SEARCH_REFRESH_SECONDS; §7 names no budget",
            )
        )

        w.call("GET", "/v1/me/dossiers", citizen)
        rows.append(
            Row(
                "GET /v1/me/dossiers",
                w.measure(lambda: w.call("GET", "/v1/me/dossiers", citizen)),
                "Query×1",
                1,
                "derived",
                "a page, like the inbox; §7 names no budget",
            )
        )
        jwks = {"jwks_fetches": int(w.issuer.jwks_fetch_count())}
    return rows, jwks
