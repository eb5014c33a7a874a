"""The ``lifecycle`` benchmark: whole dossiers through the local cloud, and what one dossier costs on AWS.

The demo path: a birth registration (1.001193) submitted online at UBND phường Ba Ngòi (H32.201); the ward's
internal steps are decided by the specialist (``officer-processor``, FORWARD on task ``step2-1``), the leader
(``officer-approver``, APPROVE on ``step3-2``) and the desk (``officer-desk``, FORWARD on ``step4-3``): the
result is issued and returned (RETURNED, national code 10).

**Throughput** (HTTP against the local cloud). ``python -m infra.local --port 0 --issuer-port 0 --no-schedules``
runs as a subprocess, as in tests/e2e/conftest.py. ``clients`` threads each take dossiers until ``dossiers`` are
done: submit as ``citizen-lan`` (token from the fake identity issuer), then for each step wait for the task in
the officer's inbox (``GET /v1/tasks?limit=100``, polled every ``POLL_S``) and decide it, then poll
``GET /v1/dossiers/{code}`` until RETURNED. One untimed dossier warms the cloud first. Reported: dossiers per
minute, p50/p95 of submit → RETURNED, HTTP calls per dossier (8 needed, the rest are polls while the state
machine runs on). **Floor**, in the same run: the same clients make 8 plain ``GET /v1/dossiers/{code}`` calls
(the cheapest authenticated API read) per dossier, once before the dossiers and once after them, pooled: moto's
Query sorts the whole table on every call, so the local cloud slows down as dossiers accumulate and the two
halves bracket the state the lifecycle ran in. Only ratios are reported:

* per needed call = lifecycle time per dossier / (floor time per call × the 8 calls a dossier needs);
* per call made = lifecycle time per HTTP call it made (polls included) / floor time per call;
* latency ratio = p50 submit → RETURNED / (8 × the floor's p50 call latency).

Nothing is asserted on wall-clock time: the local cloud is one Python process (moto, the API and every handler
under one GIL) on whatever machine runs the bench.

**Step Functions** per dossier: the execution's history read from the local cloud's moto endpoint
(``stepfunctions.get_execution_history``; the execution ARN is the state machine's with ``:stateMachine:`` →
``:execution:`` and ``:{code}``) for every timed dossier. State transitions = ``*StateEntered`` events (what
Standard workflows bill); Lambda invocations = ``TaskScheduled`` events of resource type ``lambda`` plus
``LambdaFunctionScheduled`` events.

**DynamoDB request units** per dossier. The handlers run inside the local-cloud process, so the bench process
cannot see their calls, and moto returns no ``ConsumedCapacity``. Instead one dossier's whole lifecycle runs in
this process as the integration tests drive it (tests/integration/conftest.py ``Motcua.start``/``resume``):
``moto.mock_aws()`` with the tables of template.yaml (tests/template_tables.py) and the demo catalogue, the
Chalice test client of ``functions.api.app`` for the eight API requests, and the step handlers called directly
with the payloads of ``statemachines/dossier.asl.json`` in the order the state machine calls them (the
recording workflow of tests/perf/roundtrips.py stands in for Step Functions and hands each decision to
Advance). A first dossier warms every cache (warm containers); the second is metered: every DynamoDB call at
botocore's ``BaseClient._make_api_call`` is recorded with the sizes of the items it touched, and units are
estimated from DynamoDB's published rules:

* item size = attribute names + values (strings UTF-8, numbers ⌈significant digits / 2⌉ + 1, lists and maps
  3 bytes + 1 per element, booleans and nulls 1 byte);
* writes (PutItem, UpdateItem, DeleteItem, BatchWriteItem): ⌈max(size before, size after) / 1 KB⌉ WRU per item,
  at least 1, also when a condition fails; TransactWriteItems: twice that per item (ConditionCheck counted on
  the item's size). Before and after images are read with uncounted GetItem calls around the metered call;
* reads: GetItem ⌈size / 4 KB⌉ RRU, at least 1 (also when no item is found); Query ⌈sum of the sizes of the
  items returned / 4 KB⌉, at least 1 (full item sizes when the call projected attributes of the table; the
  projected size for an index); eventually consistent reads (every GSI query) count half; transactional reads
  twice.

The API requests priced are the eight a dossier needs: the intake, for each of the three steps one inbox page
and one decision, and one status read by the applicant. One inbox page per decision is a pessimistic
assumption (an officer's page shows many tasks); in the metered run the inbox holds only this dossier's task,
so a production inbox page of 50 tasks reads more (about one RRU per 4 KB of tasks, eventually consistent).

**Cost** at the list prices below (us-east-1; named constants with the pricing page they come from). Lambda
duration is priced at an assumed ``ASSUMED_LAMBDA_MS`` per invocation at the template's 512 MB arm64, for the
state machine's invocations and for the API function behind each API request; the warm in-process durations
measured in the metered run are reported beside it (moto in-process is not DynamoDB over the network, so they
are a reference, not the price).
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LOG_FILE = ROOT / ".local-cloud" / "bench" / "lifecycle-local-cloud.log"

DEFAULT_DOSSIERS = 40
DEFAULT_CLIENTS = 4
POLL_S = 0.05  # between two inbox or status reads while the state machine runs on
STEP_TIMEOUT_S = 60.0  # a task or the final status that takes longer fails the benchmark
CLOUD_START_TIMEOUT_S = 120.0

PROCEDURE = "1.001193"  # Thủ tục đăng ký khai sinh
AGENCY = "H32.201"  # UBND phường Ba Ngòi, where the demo officers work
REQUIRED_FORM = (
    "000.00.00.G15-KQ003204"  # the local cloud's catalogue (as tests/e2e/test_dossier_lifecycle.py)
)
CITIZEN = "citizen-lan"
# (demo user, outcome, the task key it decides): the ward's internal steps, in order.
STEPS: tuple[tuple[str, str, str], ...] = (
    ("officer-processor", "FORWARD", "step2-1"),
    ("officer-approver", "APPROVE", "step3-2"),
    ("officer-desk", "FORWARD", "step4-3"),
)
# Submit + (inbox page + decision) per step + the applicant's status read.
NEEDED_HTTP_CALLS = 1 + 2 * len(STEPS) + 1

# ------------------------------------------------------------------------------------------------ prices
# us-east-1 list prices, per the AWS pricing pages named; the stack's region (ap-southeast-1) may differ.
PRICE_REGION = "us-east-1"
# "AWS Step Functions Pricing" (aws.amazon.com/step-functions/pricing): Standard workflows, per state transition.
SFN_USD_PER_TRANSITION = 0.025 / 1_000
# "AWS Lambda Pricing" (aws.amazon.com/lambda/pricing): requests, and duration on Arm (first tier).
LAMBDA_USD_PER_REQUEST = 0.20 / 1_000_000
LAMBDA_ARM_USD_PER_GB_S = 0.0000133334
LAMBDA_MEMORY_GB = 512 / 1024  # template.yaml Globals: MemorySize 512, Architectures [arm64]
ASSUMED_LAMBDA_MS = 100.0  # priced duration of every invocation (API function and step handlers)
# "Amazon DynamoDB Pricing for On-Demand Capacity" (aws.amazon.com/dynamodb/pricing/on-demand): since
# 1 November 2024 (a 50% cut), per write and read request unit.
DYNAMODB_USD_PER_WRU = 0.625 / 1_000_000
DYNAMODB_USD_PER_RRU = 0.125 / 1_000_000
# The same page before 1 November 2024, reported beside the current prices for comparison.
DYNAMODB_USD_PER_WRU_BEFORE_2024_11 = 1.25 / 1_000_000
DYNAMODB_USD_PER_RRU_BEFORE_2024_11 = 0.25 / 1_000_000
# "Amazon API Gateway Pricing" (aws.amazon.com/api-gateway/pricing): REST APIs, first 333 million a month.
APIGW_REST_USD_PER_REQUEST = 3.50 / 1_000_000
PRICE_SOURCES = {
    "step_functions": "AWS Step Functions Pricing — Standard workflows, $0.025 per 1,000 state transitions",
    "lambda": "AWS Lambda Pricing — $0.20 per 1M requests; Arm $0.0000133334 per GB-s (first tier)",
    "dynamodb": "Amazon DynamoDB Pricing for On-Demand Capacity — $0.625 per 1M WRU, $0.125 per 1M RRU "
    "(from 1 Nov 2024; $1.25 / $0.25 before)",
    "api_gateway": "Amazon API Gateway Pricing — REST APIs, $3.50 per 1M requests (first 333M)",
}


def settings(dossiers: int | None = None, clients: int | None = None) -> tuple[int, int]:
    """Dossiers and clients: the CLI's, else $BENCH_LIFECYCLE_DOSSIERS / $BENCH_LIFECYCLE_CLIENTS, else 40 / 4."""
    d = dossiers or int(os.environ.get("BENCH_LIFECYCLE_DOSSIERS") or DEFAULT_DOSSIERS)
    c = clients or int(os.environ.get("BENCH_LIFECYCLE_CLIENTS") or DEFAULT_CLIENTS)
    if d < 1 or c < 1:
        raise ValueError("dossiers and clients must be at least 1")
    return d, min(c, d)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


# ================================================================================================ the local cloud


@dataclass
class Reply:
    status: int
    body: Any


class Http:
    """urllib, one connection per call (the same for the lifecycle and the floor); counts its calls."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.calls = 0

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Reply:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        self.calls += 1
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        return Reply(status, json.loads(payload) if payload else None)


@dataclass
class Cloud:
    state: dict[str, Any]
    log_file: Path

    def api(self) -> Http:
        return Http(self.state["urls"]["api"])

    def token(self, demo_user: str) -> str:
        realm = "citizen" if demo_user.startswith("citizen") else "officer"
        reply = Http(self.state["urls"]["identity"]).call("POST", f"/{realm}/token", {"demo_user": demo_user})
        if reply.status != 200:
            raise RuntimeError(f"token for {demo_user}: {reply.status} {reply.body}")
        return str(reply.body["access_token"])

    def stepfunctions(self) -> Any:
        import boto3

        return boto3.client(
            "stepfunctions",
            endpoint_url=self.state["urls"]["aws"],
            region_name=self.state["region"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def execution_arn(self, code: str) -> str:
        machine = str(self.state["resources"]["DossierStateMachine"])
        return machine.replace(":stateMachine:", ":execution:") + f":{code}"

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(
                self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            )
        except OSError:
            return "(no log)"


@contextlib.contextmanager
def local_cloud() -> Iterator[Cloud]:
    """``python -m infra.local`` on free ports without schedules, as tests/e2e/conftest.py starts it."""
    import tempfile

    LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp, LOG_FILE.open("w") as log:
        state_file = Path(tmp) / "state.json"
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers/core/python'}:{ROOT}", "PYTHONUNBUFFERED": "1"}
        for name in ("AWS_ENDPOINT_URL", "MOTCUA_CLOCK_OFFSET_SECONDS", "DOSSIER_STATE_MACHINE_ARN"):
            env.pop(name, None)
        argv = [sys.executable, "-m", "infra.local", "--port", "0", "--issuer-port", "0", "--no-schedules"]
        process = subprocess.Popen(
            [*argv, "--state-file", str(state_file)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + CLOUD_START_TIMEOUT_S
            while not state_file.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError("local cloud did not start:\n" + Cloud({}, LOG_FILE).log_tail())
                time.sleep(0.1)
            time.sleep(0.05)  # the state file is written in one go; let the write finish
            yield Cloud(json.loads(state_file.read_text()), LOG_FILE)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


# ------------------------------------------------------------------------------------------------ throughput


@dataclass(frozen=True)
class Tokens:
    citizen: str
    officers: dict[str, str]


@dataclass
class DossierRun:
    code: str
    latency_s: float
    http_calls: int
    polls: int  # inbox pages without the task, status reads before RETURNED


def submission() -> dict[str, Any]:
    return {
        "procedure_code": PROCEDURE,
        "agency_code": AGENCY,
        "summary": "Đăng ký khai sinh cho con",
        "components": [{"code": REQUIRED_FORM, "file_name": "to-khai-khai-sinh.pdf"}],
    }


def _wait_for_task(http: Http, code: str, token: str) -> tuple[dict[str, Any], int]:
    """The dossier's task in the officer's inbox, and how many inbox pages were read without it."""
    deadline = time.monotonic() + STEP_TIMEOUT_S
    misses = 0
    while True:
        cursor = None
        while True:
            reply = http.call(
                "GET", "/v1/tasks?limit=100" + (f"&cursor={cursor}" if cursor else ""), token=token
            )
            if reply.status != 200:
                raise RuntimeError(f"inbox: {reply.status} {reply.body}")
            for task in reply.body["items"]:
                if task["dossier_code"] == code:
                    return dict(task), misses
            misses += 1
            cursor = reply.body["next_cursor"]
            if not cursor:
                break
        if time.monotonic() > deadline:
            raise RuntimeError(f"no task for {code} after {STEP_TIMEOUT_S:.0f}s")
        time.sleep(POLL_S)


def drive_one(http: Http, tokens: Tokens) -> DossierRun:
    """Submit one dossier and take it through the three steps to RETURNED, as the people would over HTTP."""
    calls_before = http.calls
    polls = 0
    t0 = time.perf_counter()
    created = http.call("POST", "/v1/dossiers", submission(), token=tokens.citizen)
    if created.status != 201:
        raise RuntimeError(f"intake: {created.status} {created.body}")
    code = str(created.body["code"])
    for user, outcome, key in STEPS:
        token = tokens.officers[user]
        task, misses = _wait_for_task(http, code, token)
        polls += misses
        if task["task_id"] != f"{code}~{key}":
            raise RuntimeError(f"{code}: {user} got task {task['task_id']}, expected {code}~{key}")
        decided = http.call(
            "POST", f"/v1/tasks/{task['task_id']}/decision", {"outcome": outcome}, token=token
        )
        if decided.status != 200:
            raise RuntimeError(f"{code}: {user} {outcome}: {decided.status} {decided.body}")
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while True:
        reply = http.call("GET", f"/v1/dossiers/{code}", token=tokens.citizen)
        if reply.status == 200 and reply.body["status"]["status"] == "RETURNED":
            break
        if reply.status != 200 or time.monotonic() > deadline:
            raise RuntimeError(f"{code} did not reach RETURNED: {reply.status} {reply.body}")
        polls += 1
        time.sleep(POLL_S)
    return DossierRun(code, time.perf_counter() - t0, http.calls - calls_before, polls)


def _in_threads(clients: int, work: Callable[[int], None]) -> float:
    """Run ``work(client_index)`` on ``clients`` threads; the wall time. The first error is raised."""
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            work(index)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,), name=f"bench-client-{i}") for i in range(clients)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return wall


@dataclass
class Floor:
    """Plain ``GET /v1/dossiers/{code}`` calls by the same clients: the cheapest authenticated read."""

    calls: int
    wall_s: float
    latencies_s: list[float]

    @property
    def s_per_call(self) -> float:
        return self.wall_s / self.calls


@dataclass
class Throughput:
    dossiers: int
    clients: int
    wall_s: float
    runs: list[DossierRun]  # in the order they reached RETURNED
    floor_before: Floor
    floor_after: Floor

    @property
    def http_calls(self) -> int:
        return sum(r.http_calls for r in self.runs)

    @property
    def per_minute(self) -> float:
        return 60.0 * self.dossiers / self.wall_s

    @property
    def latencies(self) -> list[float]:
        return [r.latency_s for r in self.runs]

    @property
    def floor_s_per_call(self) -> float:
        """Before and after the lifecycle pooled: the local cloud slows down as its tables grow."""
        both = (self.floor_before, self.floor_after)
        return sum(f.wall_s for f in both) / sum(f.calls for f in both)

    @property
    def floor_latencies_s(self) -> list[float]:
        return self.floor_before.latencies_s + self.floor_after.latencies_s

    @property
    def ratio_same_calls(self) -> float:
        """Lifecycle time per HTTP call it made (polls included) / the floor's time per call."""
        return (self.wall_s / self.http_calls) / self.floor_s_per_call

    @property
    def ratio_needed_calls(self) -> float:
        """Lifecycle time per dossier / the floor's time for the 8 calls a dossier needs."""
        return (self.wall_s / self.dossiers) / (self.floor_s_per_call * NEEDED_HTTP_CALLS)

    @property
    def ratio_latency(self) -> float:
        """p50 submit → RETURNED / (8 × the floor's p50 call latency)."""
        floor_p50 = statistics.median(self.floor_latencies_s)
        return statistics.median(self.latencies) / (NEEDED_HTTP_CALLS * floor_p50)


def floor(cloud: Cloud, codes: list[str], calls: int, clients: int, token: str) -> Floor:
    """``calls`` reads of the dossiers ``codes`` (round robin) by ``clients`` threads."""
    lock = threading.Lock()
    latencies: list[float] = []
    taken = 0

    def reader(index: int) -> None:
        nonlocal taken
        http = cloud.api()
        mine: list[float] = []
        while True:
            with lock:
                if taken >= calls:
                    break
                n = taken
                taken += 1
            t0 = time.perf_counter()
            reply = http.call("GET", f"/v1/dossiers/{codes[n % len(codes)]}", token=token)
            mine.append(time.perf_counter() - t0)
            if reply.status != 200:
                raise RuntimeError(f"floor read: {reply.status} {reply.body}")
        with lock:
            latencies.extend(mine)

    wall = _in_threads(clients, reader)
    return Floor(calls, wall, latencies)


def throughput(cloud: Cloud, dossiers: int, clients: int, progress: Callable[[str], None]) -> Throughput:
    """A warm-up dossier; the floor (8 reads per dossier); the dossiers; the floor again."""
    tokens = Tokens(cloud.token(CITIZEN), {user: cloud.token(user) for user, _, _ in STEPS})
    warm = drive_one(cloud.api(), tokens)  # imports, JWKS, caches of the cloud: not timed
    progress(f"  warm-up dossier {warm.code}: {warm.latency_s:.2f}s, {warm.http_calls} HTTP calls")
    floor_calls = dossiers * NEEDED_HTTP_CALLS
    before = floor(cloud, [warm.code], floor_calls, clients, tokens.citizen)
    progress(f"  floor before: {floor_calls} reads in {before.wall_s:.1f}s")

    runs: list[DossierRun] = []
    lock = threading.Lock()
    taken = 0

    def client(index: int) -> None:
        nonlocal taken
        http = cloud.api()
        while True:
            with lock:
                if taken >= dossiers:
                    return
                taken += 1
            run = drive_one(http, tokens)
            with lock:
                runs.append(run)
                if len(runs) % max(1, dossiers // 4) == 0:
                    progress(f"  {len(runs)}/{dossiers} dossiers RETURNED")

    wall = _in_threads(clients, client)
    after = floor(cloud, [r.code for r in runs], floor_calls, clients, tokens.citizen)
    progress(f"  floor after: {floor_calls} reads in {after.wall_s:.1f}s")
    return Throughput(dossiers, clients, wall, runs, before, after)


# ------------------------------------------------------------------------------------------------ executions


@dataclass(frozen=True)
class ExecutionCounts:
    code: str
    status: str
    transitions: int
    lambda_invocations: int
    states: dict[str, int]  # state name → times entered


def execution_counts(cloud: Cloud, code: str) -> ExecutionCounts:
    sfn = cloud.stepfunctions()
    arn = cloud.execution_arn(code)
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = sfn.get_execution_history(executionArn=arn, maxResults=1000, **kwargs)
        events.extend(page["events"])
        if not page.get("nextToken"):
            break
        kwargs = {"nextToken": page["nextToken"]}
    entered = [e for e in events if e["type"].endswith("StateEntered")]
    invocations = sum(
        1
        for e in events
        if e["type"] == "LambdaFunctionScheduled"
        or (e["type"] == "TaskScheduled" and e["taskScheduledEventDetails"].get("resourceType") == "lambda")
    )
    states = Counter(str(e["stateEnteredEventDetails"]["name"]) for e in entered)
    status = str(sfn.describe_execution(executionArn=arn)["status"])
    return ExecutionCounts(code, status, len(entered), invocations, dict(states))


# ================================================================================================ DynamoDB units

WRITE_KB = 1024
READ_KB = 4096


def _number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    return math.ceil(max(1, len(digits)) / 2) + 1


def _binary_size(value: Any) -> int:
    return len(value) if isinstance(value, bytes | bytearray) else len(base64.b64decode(value))


def value_size(value: dict[str, Any]) -> int:
    """The size DynamoDB counts for one attribute value (DynamoDB JSON), per "Item sizes and formats"."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        return _number_size(str(inner))
    if kind == "B":
        return _binary_size(inner)
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind == "SS":
        return sum(len(str(s).encode()) for s in inner)
    if kind == "NS":
        return sum(_number_size(str(n)) for n in inner)
    if kind == "BS":
        return sum(_binary_size(b) for b in inner)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in inner.items())
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in (item or {}).items())


@dataclass
class DynamoCall:
    phase: str  # the API request or the state-machine step that made it
    operation: str
    table: str
    items: int
    bytes: int
    rru: float
    wru: float
    note: str = ""


def _write_units(before: int, after: int) -> int:
    return max(1, math.ceil(max(before, after) / WRITE_KB))


def _read_units(size: int) -> int:
    return max(1, math.ceil(size / READ_KB))


class UnitMeter:
    """Estimates the request units of every DynamoDB call made while ``phase`` is set (see the module docstring).

    Installed over ``botocore.client.BaseClient._make_api_call``; its own before/after reads go to the wrapped
    method directly and are neither recorded nor charged.
    """

    def __init__(self) -> None:
        self.calls: list[DynamoCall] = []
        self.phase: str | None = None
        self._keys: dict[str, list[str]] = {}

    @contextlib.contextmanager
    def installed(self) -> Iterator[UnitMeter]:
        from tests.perf.roundtrips import intercepted_api_calls

        def metered(original: Callable[..., Any], client: Any, operation: str, params: dict[str, Any]) -> Any:
            if self.phase is None or client.meta.service_model.service_name != "dynamodb":
                return original(client, operation, params)
            return self._metered(original, client, operation, params)

        with intercepted_api_calls(metered):
            yield self

    # -- helpers (unmetered)
    def _key_names(self, raw: Callable[..., Any], client: Any, table: str) -> list[str]:
        if table not in self._keys:
            described = raw(client, "DescribeTable", {"TableName": table})
            self._keys[table] = [k["AttributeName"] for k in described["Table"]["KeySchema"]]
        return self._keys[table]

    def _size_of(self, raw: Callable[..., Any], client: Any, table: str, key: dict[str, Any]) -> int:
        found = raw(client, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
        return item_size(found.get("Item"))

    def _key_of(
        self, raw: Callable[..., Any], client: Any, table: str, item: dict[str, Any]
    ) -> dict[str, Any]:
        return {name: item[name] for name in self._key_names(raw, client, table)}

    def _record(
        self, operation: str, table: str, items: int, size: int, rru: float, wru: float, note: str = ""
    ) -> None:
        assert self.phase is not None
        self.calls.append(DynamoCall(self.phase, operation, table, items, size, rru, wru, note))

    # -- the metered call
    def _metered(self, raw: Callable[..., Any], client: Any, operation: str, params: dict[str, Any]) -> Any:
        writes = self._write_targets(raw, client, operation, params)
        if writes is not None:
            before = [self._size_of(raw, client, t, k) for _, t, k, _ in writes]
            try:
                return raw(client, operation, params)
            finally:  # a failed condition or a cancelled transaction is charged too
                after = [self._size_of(raw, client, t, k) for _, t, k, _ in writes]
                for (kind, table, _key, factor), b, a in zip(writes, before, after, strict=True):
                    size = b if kind == "ConditionCheck" else max(b, a)
                    units = factor * _write_units(size, 0)
                    self._record(
                        f"{operation}:{kind}" if kind != operation else operation, table, 1, size, 0, units
                    )
        response = raw(client, operation, params)
        self._charge_read(raw, client, operation, params, response)
        return response

    def _write_targets(
        self, raw: Callable[..., Any], client: Any, operation: str, params: dict[str, Any]
    ) -> list[tuple[str, str, dict[str, Any], int]] | None:
        """(kind, table, key, factor) of every item a write touches; None for a read."""
        if operation == "PutItem":
            table = params["TableName"]
            return [(operation, table, self._key_of(raw, client, table, params["Item"]), 1)]
        if operation in {"UpdateItem", "DeleteItem"}:
            return [(operation, params["TableName"], params["Key"], 1)]
        if operation == "TransactWriteItems":
            targets = []
            for entry in params["TransactItems"]:
                ((kind, spec),) = entry.items()
                table = spec["TableName"]
                key = spec["Key"] if "Key" in spec else self._key_of(raw, client, table, spec["Item"])
                targets.append((kind, table, key, 2))
            return targets
        if operation == "BatchWriteItem":
            targets = []
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        key = self._key_of(raw, client, table, request["PutRequest"]["Item"])
                        targets.append(("Put", table, key, 1))
                    else:
                        targets.append(("Delete", table, request["DeleteRequest"]["Key"], 1))
            return targets
        return None

    def _charge_read(
        self, raw: Callable[..., Any], client: Any, operation: str, params: dict[str, Any], response: Any
    ) -> None:
        consistent = 1.0 if params.get("ConsistentRead") else 0.5
        if operation == "GetItem":
            table = params["TableName"]
            size = item_size(response.get("Item"))
            if response.get("Item") and ("ProjectionExpression" in params or "AttributesToGet" in params):
                size = self._size_of(raw, client, table, params["Key"])
            self._record(
                operation, table, 1 if response.get("Item") else 0, size, consistent * _read_units(size), 0
            )
        elif operation in {"Query", "Scan"}:
            table = params["TableName"]
            items = response.get("Items", [])
            projected = "ProjectionExpression" in params or params.get("Select") not in {
                None,
                "ALL_ATTRIBUTES",
            }
            if projected and "IndexName" not in params:
                size = sum(
                    self._size_of(raw, client, table, self._key_of(raw, client, table, i)) for i in items
                )
            else:
                size = sum(item_size(i) for i in items)
            note = ""
            if response.get("ScannedCount", len(items)) != len(items):
                note = f"filtered: {response['ScannedCount']} read, {len(items)} returned (sizes of returned only)"
            where = f"{table}/{params['IndexName']}" if "IndexName" in params else table
            self._record(operation, where, len(items), size, consistent * _read_units(size), 0, note)
        elif operation in {"BatchGetItem", "TransactGetItems"}:
            factor = 2.0 if operation == "TransactGetItems" else None
            if operation == "TransactGetItems":
                found = [
                    (e["Get"]["TableName"], r.get("Item"))
                    for e, r in zip(params["TransactItems"], response.get("Responses", []), strict=False)
                ]
            else:
                found = [(t, i) for t, items in response.get("Responses", {}).items() for i in items]
            for table, item in found:
                size = item_size(item)
                unit = (
                    factor
                    if factor is not None
                    else (1.0 if params["RequestItems"][table].get("ConsistentRead") else 0.5)
                )
                self._record(operation, table, 1, size, unit * _read_units(size), 0)
        else:
            self._record(operation, params.get("TableName", "-"), 0, 0, 0, 0, "not a data-plane call")


# ------------------------------------------------------------------------------------------------ in process


@dataclass
class MeteredDossier:
    code: str
    calls: list[DynamoCall]
    api_requests: list[str]
    step_invocations: list[str]
    durations_ms: dict[str, list[float]] = field(default_factory=dict)  # phase → warm in-process durations

    @property
    def rru(self) -> float:
        return sum(c.rru for c in self.calls)

    @property
    def wru(self) -> float:
        return sum(c.wru for c in self.calls)

    def by_phase(self) -> list[tuple[str, Counter[str], float, float]]:
        """(phase, operations, RRU, WRU) in the order the phases ran."""
        phases: dict[str, tuple[Counter[str], list[float]]] = {}
        for c in self.calls:
            ops, units = phases.setdefault(c.phase, (Counter(), [0.0, 0.0]))
            ops[c.operation] += 1
            units[0] += c.rru
            units[1] += c.wru
        return [(phase, ops, units[0], units[1]) for phase, (ops, units) in phases.items()]


class InProcessDriver:
    """One dossier through the API (Chalice test client) and the step handlers called as dossier.asl.json
    calls them, like tests/integration/conftest.py ``Motcua.start``/``resume``."""

    def __init__(self, world: Any, meter: UnitMeter) -> None:
        self.w = world
        self.meter = meter
        self.tokens = 0
        self.api_requests: list[str] = []
        self.step_invocations: list[str] = []
        self.durations: dict[str, list[float]] = {}

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.meter.phase = name
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.durations.setdefault(name, []).append((time.perf_counter() - t0) * 1000.0)
            self.meter.phase = None

    def api(self, label: str, method: str, path: str, token: str, body: Any = None) -> Any:
        with self.phase(f"API {label}"):
            status, reply = self.w.call(method, path, token, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {reply}")
        self.api_requests.append(label)
        return reply

    def step(self, name: str, event: dict[str, Any]) -> dict[str, Any]:
        import importlib

        from tests.perf.roundtrips import quiet

        handler = importlib.import_module(f"functions.steps.{name}").handler
        with self.phase(f"step {name}"), quiet():
            result: dict[str, Any] = handler(event, self.w.context)
        self.step_invocations.append(name)
        return result

    def run(self, code: str, action: str) -> str:
        """From ``action`` until the execution waits (OFFICER, SUPPLEMENT, PARTNER) or ends (DONE)."""
        while True:
            if action in {"OFFICER", "SUPPLEMENT", "PARTNER"}:
                self.tokens += 1
                event = {"code": code, "step": action.lower(), "taskToken": f"bench-token-{self.tokens}"}
                self.step("assign", event)
                return action
            if action == "ISSUE":
                action = self.step("issue_result", {"code": code, "step": "issue_result"})["action"]
                continue
            if action == "DELIVER":
                self.step("deliver_result", {"code": code, "step": "deliver_result"})
            elif action == "REJECT":
                decision = self.w.workflow.resumed[-1][1]
                self.step("close_rejected", {"code": code, "step": "close_rejected", "decision": decision})
            return "DONE"

    def lifecycle(self) -> str:
        from motcua.web.auth import Realm

        issuer = self.w.issuer
        citizen = str(issuer.mint(Realm.CITIZEN, {"sub": "citizen-lan-0001", "name": "Nguyễn Thị Lan"}))
        body = {
            "procedure_code": PROCEDURE,
            "agency_code": AGENCY,
            "summary": "Đăng ký khai sinh cho con",
            "components": [{"code": "000.00.00.G15-KQ003208", "file_name": "bien-ban.pdf"}],  # demo catalogue
        }
        code = str(self.api("POST /v1/dossiers", "POST", "/v1/dossiers", citizen, body)["code"])
        waiting = self.run(code, self.step("register", {"code": code, "step": "register"})["action"])
        for user, outcome, key in STEPS:
            if waiting != "OFFICER":
                raise RuntimeError(f"{code}: the execution waits for {waiting}, not {user}")
            token = str(issuer.mint_demo(user))
            inbox = self.api("GET /v1/tasks", "GET", "/v1/tasks?limit=100", token)
            task_ids = [t["task_id"] for t in inbox["items"] if t["dossier_code"] == code]
            if task_ids != [f"{code}~{key}"]:
                raise RuntimeError(f"{code}: {user}'s inbox has {task_ids}, expected {code}~{key}")
            self.api(
                "POST /v1/tasks/{id}/decision",
                "POST",
                f"/v1/tasks/{task_ids[0]}/decision",
                token,
                {"outcome": outcome},
            )
            decision = self.w.workflow.resumed[-1][1]
            action = self.step("advance", {"code": code, "step": "advance", "decision": decision})["action"]
            waiting = self.run(code, action)
        if waiting != "DONE":
            raise RuntimeError(f"{code}: after the three steps the execution waits for {waiting}")
        final = self.api("GET /v1/dossiers/{code}", "GET", f"/v1/dossiers/{code}", citizen)
        if final["status"]["status"] != "RETURNED":
            raise RuntimeError(f"{code}: {final['status']}")
        return code


def metered_dossier() -> MeteredDossier:
    """A warm-up dossier, then one metered dossier, in ``moto.mock_aws()`` in this process."""
    from tests.perf import roundtrips as rt

    with rt.world() as w:
        warm = InProcessDriver(w, UnitMeter())
        warm.lifecycle()  # imports, clients, JWKS, calendar, catalogue caches: warm containers
        meter = UnitMeter()
        with meter.installed():
            driver = InProcessDriver(w, meter)
            code = driver.lifecycle()
    return MeteredDossier(code, meter.calls, driver.api_requests, driver.step_invocations, driver.durations)


# ================================================================================================ cost


@dataclass(frozen=True)
class CostLine:
    item: str
    quantity: float
    unit: str
    usd_per_unit: float
    price: str  # the list price as the pricing page states it

    @property
    def usd(self) -> float:
        return self.quantity * self.usd_per_unit


def cost_lines(
    transitions: float, step_invocations: int, api_requests: int, rru: float, wru: float, lambda_ms: float
) -> list[CostLine]:
    invocations = step_invocations + api_requests  # the API function runs once per API request
    gb_s = invocations * (lambda_ms / 1000.0) * LAMBDA_MEMORY_GB
    return [
        CostLine(
            "Step Functions Standard",
            transitions,
            "state transitions",
            SFN_USD_PER_TRANSITION,
            "$0.025 / 1,000 transitions",
        ),
        CostLine(
            "Lambda requests",
            invocations,
            f"invocations ({step_invocations} steps + {api_requests} API)",
            LAMBDA_USD_PER_REQUEST,
            "$0.20 / 1M requests",
        ),
        CostLine(
            "Lambda duration (arm64)",
            gb_s,
            f"GB-s ({invocations} × {lambda_ms:.0f} ms × 512 MB)",
            LAMBDA_ARM_USD_PER_GB_S,
            "$0.0000133334 / GB-s",
        ),
        CostLine("DynamoDB on-demand writes", wru, "WRU", DYNAMODB_USD_PER_WRU, "$0.625 / 1M WRU"),
        CostLine("DynamoDB on-demand reads", rru, "RRU", DYNAMODB_USD_PER_RRU, "$0.125 / 1M RRU"),
        CostLine(
            "API Gateway REST", api_requests, "requests", APIGW_REST_USD_PER_REQUEST, "$3.50 / 1M requests"
        ),
    ]
