"""The catalogue sync (motcua.catalogue.sync) end to end, as the catalogue issue tells it.

Everything is real but AWS: the fake national procedure database (``infra.fakes.national_catalogue``, the real
Khánh Hòa records) over HTTP on a free port, the real adapter ``HttpNationalCatalogue`` (with a sleep that only
records, so retries cost nothing), and the real ``CatalogueStore`` on moto's DynamoDB, in a catalogue table
built from template.yaml. Stories that go through the API reuse the ``motcua`` fixture of conftest.py.

A full sync of the fixture data takes a couple of seconds, so it runs once per module (``baseline``) and
its items are put into a fresh table for every test that starts from a synced catalogue. Whole-table reads,
comparisons and that copy (about 5,700 items) go to moto's backend directly: through the API they cost
several seconds each in moto's serializer. Writes are watched there too, whichever client makes them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from infra.fakes.national_catalogue import FakeNationalCatalogue
from motcua import runtime
from motcua.catalogue import sync
from motcua.catalogue.model import (
    Channel,
    Procedure,
    ProcedureState,
    ProcessingTime,
    SyncRun,
    TimeUnit,
    steps_overrun,
    steps_total,
)
from motcua.catalogue.province import ProvinceCatalogueConfig
from motcua.catalogue.store import CatalogueStore
from motcua.integrations.national_catalogue import HttpNationalCatalogue, TransientUpstreamError
from motcua.settings import Settings
from tests.integration.conftest import AGENCY, REGION, Motcua, template_tables

# One worker under pytest-xdist (make test: --dist loadgroup), so that the baseline sync runs once.
pytestmark = pytest.mark.xdist_group("catalogue-sync")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "national-catalogue"
DETAILS = sorted((FIXTURES / "details").glob("*.json"))
PAGE_SIZE = 500  # the national list of 4,714 entries comes in 10 pages
COMMUNES = ("H32.201", "H32.202", "H32.203")
CONFIG = ProvinceCatalogueConfig(commune_agencies=COMMUNES)
CATALOGUE_TABLE = template_tables()["CATALOGUE_TABLE"]
TABLE = str(CATALOGUE_TABLE["TableName"])

Key = tuple[str, str]
Write = tuple[str, str, str, str]  # (operation, table, pk, sk)


# ----------------------------------------------------------------------------- what the fixtures hold
def _detail(code: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((FIXTURES / "details" / f"{code}.json").read_text(encoding="utf-8"))
    return record


def _handled_here(cap: str) -> bool:
    """A procedure of the province or of a commune (a ministry-only one is not Khánh Hòa's)."""
    return any(part.strip().lower() in {"cấp tỉnh", "cấp xã"} for part in cap.split(","))


@functools.cache
def _in_scope_codes() -> frozenset[str]:
    """Codes the national list holds for Khánh Hòa's province and communes, read from the fixture files."""
    index = json.loads((FIXTURES / "khanh-hoa-catalog.json").read_text(encoding="utf-8"))["items"]
    codes = {item["ma"] for item in index if _handled_here(str(item.get("cap") or ""))}
    listed = {item["ma"] for item in index}
    for path in DETAILS:  # the detail records the index lacks are listed too, at the levels they declare
        record = json.loads(path.read_text(encoding="utf-8"))
        if record["code"] not in listed and (record.get("isWard") or record.get("isProvince")):
            codes.add(record["code"])
    return frozenset(codes)


def _component_codes(record: dict[str, Any]) -> list[str]:
    """The record's document components, in order, each once (codes lose a trailing dot)."""
    codes: list[str] = []
    for group in record.get("executionCases") or []:
        for raw in group.get("profileComponents") or []:
            code = unicodedata.normalize("NFC", str(raw.get("code") or "")).strip().rstrip(".").strip()
            code = code or str(raw.get("profileComponentId") or "").strip()
            if code and code not in codes:
                codes.append(code)
    return codes


def _fee_amounts(record: dict[str, Any]) -> set[int]:
    methods = record.get("executionMethods") or []
    raw = [fee for method in methods for fee in method.get("fees") or []] + list(record.get("fees") or [])
    return {int(fee.get("value") or 0) for fee in raw}


# ----------------------------------------------------------------------------- moto, read and watched
@functools.cache
def _client() -> Any:
    import boto3

    return boto3.client("dynamodb", region_name=REGION)


def _moto_items(table: str = TABLE) -> list[dict[str, Any]]:
    """Every item moto holds in ``table``, as DynamoDB JSON (what a Scan would return, without its cost)."""
    return [item.to_json()["Attributes"] for item in _moto_backend().get_table(table).all_items()]


def _key(item: dict[str, Any]) -> Key:
    return str(item["pk"]["S"]), str(item["sk"]["S"])


def _procedure_items(items: list[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    return {_key(item): item for item in items if item["pk"]["S"].startswith("PROC#")}


def _digest(items: dict[Key, dict[str, Any]]) -> str:
    canonical = json.dumps(sorted(items.items()), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _changed(before: dict[Key, dict[str, Any]], after: dict[Key, dict[str, Any]]) -> set[Key]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def _new_version_items(code: str, version: int) -> set[Key]:
    """The items a new version of ``code`` writes: the version, and the pointer to it."""
    return {(f"PROC#{code}", f"V#{version:06d}"), (f"PROC#{code}", "CURRENT")}


def _current_bodies(items: dict[Key, dict[str, Any]]) -> dict[str, Procedure]:
    return {
        pk.removeprefix("PROC#"): Procedure.model_validate_json(item["body"]["S"])
        for (pk, sk), item in items.items()
        if sk == "CURRENT"
    }


def _create_table() -> None:
    _client().create_table(**CATALOGUE_TABLE)


def _moto_backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]


def _restore(items: list[dict[str, Any]]) -> None:
    """Put ``items`` into the (empty) catalogue table: moto's own PutItem, without the HTTP round trip."""
    backend = _moto_backend()
    for item in items:
        backend.put_item(TABLE, item)


def _settings() -> Settings:
    unused = "http://127.0.0.1:9/unused"
    return Settings.model_validate(
        {
            "AWS_REGION": REGION,
            "CATALOGUE_TABLE": TABLE,
            "DOSSIERS_TABLE": "it-unused-dossiers",
            "IDEMPOTENCY_TABLE": "it-unused-idempotency",
            **{
                f"{realm}_{name}": unused
                for realm in ("CITIZEN", "OFFICER")
                for name in ("ISSUER", "AUDIENCE", "JWKS_URL")
            },
        }
    )


def _aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # An endpoint override (set by the local cloud) would send calls past moto's in-process mock.
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.setenv(name, REGION)


def _run(store: CatalogueStore, upstream: HttpNationalCatalogue, *, full: bool) -> SyncRun:
    return sync.run(store, upstream, CONFIG, datetime.now(UTC), full=full, page_size=PAGE_SIZE)


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def fake() -> Iterator[FakeNationalCatalogue]:
    with FakeNationalCatalogue(port=0) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_fake(fake: FakeNationalCatalogue) -> Iterator[None]:
    fake.reset()
    yield
    fake.reset()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def upstream(fake: FakeNationalCatalogue, sleeps: list[float]) -> HttpNationalCatalogue:
    return HttpNationalCatalogue(fake.base_url, timeout=5, sleep=sleeps.append)


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[Write]:
    """Every item moto's DynamoDB writes during the test: PutItem, UpdateItem, DeleteItem, and the puts and
    deletes of batches and transactions (which moto performs through the same three)."""
    from moto.dynamodb.models import DynamoDBBackend

    seen: list[Write] = []

    def watch(operation: str) -> None:
        original = getattr(DynamoDBBackend, operation)

        def spy(backend: Any, table_name: str, key_or_item: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
            seen.append((operation, table_name, *_key(key_or_item)))
            return original(backend, table_name, key_or_item, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, operation, spy)

    for operation in ("put_item", "update_item", "delete_item"):
        watch(operation)
    return seen


@dataclass(frozen=True)
class Baseline:
    """One uninterrupted first full sync of the fixture data onto an empty table."""

    run: SyncRun
    generation_before: int
    generation_after: int
    items: list[dict[str, Any]]  # everything the table held afterwards

    @functools.cached_property
    def procedures(self) -> dict[Key, dict[str, Any]]:
        return _procedure_items(self.items)

    @functools.cached_property
    def current(self) -> dict[str, Procedure]:
        return _current_bodies(self.procedures)


@pytest.fixture(scope="module")
def baseline(fake: FakeNationalCatalogue) -> Baseline:
    from moto import mock_aws

    fake.reset()
    with pytest.MonkeyPatch.context() as monkeypatch, mock_aws():
        _aws_environment(monkeypatch)
        _create_table()
        store = CatalogueStore(_settings())
        before = store.generation()
        upstream = HttpNationalCatalogue(fake.base_url, timeout=5, sleep=lambda _: None)
        result = _run(store, upstream, full=True)
        return Baseline(result, before, store.generation(), _moto_items())


@dataclass
class Catalogue:
    store: CatalogueStore
    writes: list[Write]

    def procedures(self) -> dict[Key, dict[str, Any]]:
        return _procedure_items(_moto_items())

    def current(self, code: str) -> Procedure:
        procedure = self.store.current(code)
        assert procedure is not None, code
        return procedure

    def version(self, code: str, version: int) -> Procedure:
        procedure = self.store.version(code, version)
        assert procedure is not None, (code, version)
        return procedure

    def procedure_writes(self) -> list[Write]:
        return [w for w in self.writes if w[1] == TABLE and w[2].startswith("PROC#")]


@pytest.fixture
def empty(monkeypatch: pytest.MonkeyPatch, writes: list[Write]) -> Iterator[Catalogue]:
    """An empty catalogue table on moto: nothing synced yet."""
    from moto import mock_aws

    _aws_environment(monkeypatch)
    with mock_aws():
        _create_table()
        yield Catalogue(CatalogueStore(_settings()), writes)


@pytest.fixture
def synced(empty: Catalogue, baseline: Baseline) -> Catalogue:
    """A catalogue table holding exactly what the first full sync wrote (procedures, run, watermark)."""
    _restore(baseline.items)
    empty.writes.clear()
    return empty


@dataclass
class Api:
    motcua: Motcua
    catalogue: Catalogue
    writes: list[Write]  # to every table

    def submit(self, procedure: Procedure) -> str:
        """A citizen submits a complete dossier for ``procedure`` (every required component) at AGENCY."""
        reply = self.motcua.submit(
            procedure_code=procedure.code, agency_code=AGENCY, components=_complete(procedure)
        )
        assert reply.status == 201, reply.body
        return str(reply.body["code"])

    def dossier(self, code: str) -> dict[str, Any]:
        reply = self.motcua.call("GET", f"/v1/dossiers/{code}", self.motcua.citizen())
        assert reply.status == 200, reply.body
        body: dict[str, Any] = reply.body
        return body


def _complete(procedure: Procedure) -> list[dict[str, str]]:
    return [{"code": c.code, "file_name": f"{c.code}.pdf"} for c in procedure.components if c.required]


def _empty_catalogue_table(motcua: Motcua) -> None:
    """Drop the demo procedures the ``motcua`` fixture seeded: the catalogue is the sync's alone here."""
    motcua.dynamodb.delete_table(TableName=TABLE)
    _create_table()


@pytest.fixture
def api(motcua: Motcua, baseline: Baseline, writes: list[Write]) -> Api:
    """The API world of conftest.py, its catalogue table holding what the first full sync wrote."""
    _empty_catalogue_table(motcua)
    _restore(baseline.items)
    writes.clear()
    return Api(motcua, Catalogue(runtime.catalogue_store(), writes), writes)


# ----------------------------------------------------------------------------- 1. the first full sync
def test_a_first_full_sync_creates_every_procedure_of_the_province_and_its_communes(
    baseline: Baseline, synced: Catalogue
) -> None:
    # Given an empty catalogue table, When the first full sync ran (the module's baseline)
    result = baseline.run
    counters = result.counters
    expected = _in_scope_codes()
    # Then it succeeded over every page of the national list, and created every in-scope procedure once
    assert result.status == "SUCCEEDED", result.error
    assert result.mode == "FULL"
    assert result.resumed == 0
    assert result.total == 4714
    assert counters.seen == len(expected) > 2000
    assert counters.created == counters.seen
    assert counters.seen + counters.out_of_scope == result.total
    assert (counters.updated, counters.unchanged, counters.withdrawn) == (0, 0, 0)
    assert (counters.quarantined, counters.released) == (0, 0)
    assert counters.write_units > 0
    # And each procedure has exactly its version 1 and the pointer to it
    assert set(baseline.current) == expected
    assert {sk for _, sk in baseline.procedures} == {"V#000001", "CURRENT"}
    assert len(baseline.procedures) == 2 * len(expected)
    assert all(p.version == 1 and p.state is ProcedureState.PUBLIC for p in baseline.current.values())
    # And the sync's bookkeeping says so: the run, and the catalogue generation bumped once
    assert [(r.run_id, r.status) for r in sync.runs(synced.store)] == [(result.run_id, "SUCCEEDED")]
    assert sync.quarantine(synced.store) == []
    assert (baseline.generation_before, baseline.generation_after) == (0, 1)
    assert synced.store.generation() == 1


def test_the_real_detail_records_carry_their_components_fees_and_times_and_the_rest_is_derived(
    baseline: Baseline, synced: Catalogue
) -> None:
    # Given the first full sync
    real = {path.stem for path in DETAILS}
    assert len(real) == 55
    # Then the 55 procedures with a national detail record carry what that record says
    for code in sorted(real):
        record = _detail(code)
        procedure = synced.current(code)
        assert not procedure.derived, code
        assert [c.code for c in procedure.components] == _component_codes(record), code
        assert {t.channel.value for t in procedure.processing_times} == {
            str(m["submissionMethod"]).upper() for m in record["executionMethods"]
        }, code
        assert {f.amount for f in procedure.fees} == _fee_amounts(record), code
        assert synced.version(code, 1) == procedure
    # And every other procedure is built from the national index alone, and says so
    derived = {code for code, p in baseline.current.items() if p.derived}
    assert derived == set(baseline.current) - real
    assert all(p.processing_times for p in baseline.current.values())

    # Spot checks. Đăng ký khai sinh: 33 components, the birth-registration form required (province
    # default: the application form), one working day on every channel, read from the record's text (OTHER)
    birth = synced.current("1.001193")
    assert len(birth.components) == 33
    assert birth.components[0].code == "000.00.00.G15-KQ003208"
    assert [c.code for c in birth.components if c.required] == ["000.00.00.G15-KQ003204"]
    assert [(t.channel, t.quantity, t.unit, t.derived_from_text) for t in birth.processing_times] == [
        (Channel.ONLINE, 1.0, TimeUnit.WORKING_DAY, True),
        (Channel.POSTAL, 1.0, TimeUnit.WORKING_DAY, True),
        (Channel.DIRECT, 1.0, TimeUnit.WORKING_DAY, True),
    ]
    assert birth.agencies == COMMUNES  # a commune-level procedure, offered by the configured communes
    # Đăng ký thường trú: 10,000 VND online, 20,000 VND at the desk; 7 working days
    residence = synced.current("1.004222")
    assert [(f.type, f.amount, f.currency) for f in residence.fees] == [
        ("FEE", 10000, "VND"),
        ("FEE", 20000, "VND"),
    ]
    assert [(t.channel, t.quantity, t.unit) for t in residence.processing_times] == [
        (Channel.ONLINE, 7.0, TimeUnit.WORKING_DAY),
        (Channel.DIRECT, 7.0, TimeUnit.WORKING_DAY),
    ]
    assert len(residence.components) == 18
    # Chứng thực bản sao: 2,000 VND a page, USD 10 a copy (foreign-language documents), same day
    certification = synced.current("2.000815")
    assert [(f.amount, f.currency, f.description) for f in certification.fees] == [
        (2000, "VND", "/trang"),
        (10, "USD", "/bản"),
    ]
    assert [(t.channel, t.quantity) for t in certification.processing_times] == [(Channel.DIRECT, 0.0)]


def test_the_first_full_sync_flags_internal_steps_that_overrun_the_legal_time(baseline: Baseline) -> None:
    # Given the first full sync
    procedures = baseline.current.values()
    # Then every procedure has its internal steps, and the overrun flag is the comparison with the law
    assert all(len(p.steps) == 4 for p in procedures)
    assert all(p.steps_overrun == steps_overrun(p) for p in procedures)
    flagged = sorted(p.code for p in procedures if p.steps_overrun)
    assert len(flagged) == baseline.run.counters.overrun >= 1
    # Khai báo vũ khí thô sơ…: 4 working days online (the default steps follow it), 3 at the desk
    assert "1.013442" in flagged
    overrun = baseline.current["1.013442"]
    assert steps_total(overrun) == 4.0
    assert min(t.quantity for t in overrun.processing_times) == 3.0
    assert not baseline.current["1.004222"].steps_overrun


# ----------------------------------------------------------------------------- 2. idempotent
def test_a_rerun_without_upstream_changes_writes_no_procedure(
    synced: Catalogue, upstream: HttpNationalCatalogue, baseline: Baseline
) -> None:
    # Given a synced catalogue
    before = synced.procedures()
    assert _digest(before) == _digest(baseline.procedures)
    # When an incremental run goes while nothing changed upstream
    incremental = _run(synced.store, upstream, full=False)
    # Then it succeeds and writes no procedure item
    assert incremental.status == "SUCCEEDED"
    assert incremental.mode == "INCREMENTAL"
    assert incremental.counters.written == 0
    assert incremental.counters.write_units == 0
    assert synced.procedure_writes() == []
    assert _digest(synced.procedures()) == _digest(before)
    # When a full run goes
    full = _run(synced.store, upstream, full=True)
    # Then it reads every procedure again, finds each unchanged, and writes none
    assert full.status == "SUCCEEDED"
    assert full.mode == "FULL"
    assert full.counters.seen == full.counters.unchanged == baseline.run.counters.seen
    assert full.counters.written == 0
    assert full.counters.write_units == 0
    assert synced.procedure_writes() == []
    assert _digest(synced.procedures()) == _digest(before)
    # And the catalogue generation did not move: API containers keep their search index
    assert synced.store.generation() == 1


# ----------------------------------------------------------------------------- 3. a fee change
def test_a_fee_change_is_a_new_version_and_each_dossier_keeps_the_version_it_was_received_under(
    api: Api, fake: FakeNationalCatalogue, upstream: HttpNationalCatalogue
) -> None:
    code = "1.004222"
    catalogue = api.catalogue
    # Given the synced catalogue, and a dossier for Đăng ký thường trú received at the ward under version 1
    v1 = catalogue.current(code)
    assert v1.version == 1
    assert [f.amount for f in v1.fees] == [10000, 20000]
    received_before = api.submit(v1)
    before = catalogue.procedures()
    # When the national record's fee changes and the incremental run goes
    fake.change(code)
    result = _run(catalogue.store, upstream, full=False)
    # Then exactly one new version of that procedure was written, and nothing else
    assert result.status == "SUCCEEDED"
    assert result.mode == "INCREMENTAL"
    assert result.counters.seen == 1
    assert (result.counters.updated, result.counters.written) == (1, 1)
    assert _changed(before, catalogue.procedures()) == _new_version_items(code, 2)
    v2 = catalogue.current(code)
    assert v2.version == 2
    assert [f.amount for f in v2.fees] == [11000, 21000]
    assert v2.components == v1.components
    assert catalogue.store.generation() == 2
    # And version 1 is still there, as it was
    assert catalogue.version(code, 1) == v1
    # And the dossier received before keeps version 1, its fee lines and the components it was checked against
    old = api.dossier(received_before)
    assert old["procedure_version"] == 1
    assert old["fees"] == [fee.model_dump(mode="json") for fee in v1.fees]
    assert [f["amount"] for f in old["fees"]] == [10000, 20000]
    assert catalogue.version(code, old["procedure_version"]).components == v1.components
    # And a dossier received after the change gets version 2 and the new fees
    new = api.dossier(api.submit(v2))
    assert new["procedure_version"] == 2
    assert new["fees"] == [fee.model_dump(mode="json") for fee in v2.fees]
    assert [f["amount"] for f in new["fees"]] == [11000, 21000]


# ----------------------------------------------------------------------------- 4. withdrawal
def test_a_procedure_abolished_upstream_is_withdrawn_and_its_open_dossiers_still_finish(
    api: Api, fake: FakeNationalCatalogue, upstream: HttpNationalCatalogue
) -> None:
    code = "1.001193"
    catalogue, motcua = api.catalogue, api.motcua
    # Given a dossier for Đăng ký khai sinh received at the ward under version 1
    v1 = catalogue.current(code)
    assert v1.state is ProcedureState.PUBLIC
    received_before = api.submit(v1)
    assert any(w[1] == motcua.tables["DOSSIERS_TABLE"] for w in api.writes)  # receiving one writes
    before = catalogue.procedures()
    # When the procedure is abolished nationally and the incremental run goes
    fake.withdraw(code)
    result = _run(catalogue.store, upstream, full=False)
    # Then it is withdrawn here: a new version in state WITHDRAWN, the old one untouched
    assert result.status == "SUCCEEDED"
    assert (result.counters.withdrawn, result.counters.written) == (1, 1)
    assert _changed(before, catalogue.procedures()) == _new_version_items(code, 2)
    withdrawn = catalogue.current(code)
    assert (withdrawn.version, withdrawn.state) == (2, ProcedureState.WITHDRAWN)
    assert catalogue.version(code, 1) == v1
    # And a new dossier for it is refused, and nothing is written anywhere
    started = list(motcua.workflow.started)
    api.writes.clear()
    refused = motcua.submit(procedure_code=code, agency_code=AGENCY, components=_complete(v1))
    assert refused.status == 422, refused.body
    assert refused.body["error"]["code"] == "PROCEDURE_WITHDRAWN"
    assert api.writes == []
    assert motcua.workflow.started == started
    # And the dossier received before goes on through its steps to the returned result
    motcua.approved(received_before)
    task = runtime.dossier_store().get_task(received_before, "step2-1")
    assert task is not None
    assert task.unit == next(s.unit for s in v1.steps if s.role == "PROCESSOR")  # read from version 1
    assert motcua.run(received_before, "ISSUE") == "OFFICER"  # the desk returns the result
    assert motcua.decide(received_before, motcua.officer(roles=("DESK_OFFICER",)), "FORWARD").status == 200
    assert motcua.resume(received_before) == "DONE"
    view = api.dossier(received_before)
    assert view["status"]["status"] == "RETURNED"
    assert view["procedure_version"] == 1


def test_a_full_run_withdraws_a_published_procedure_the_national_list_no_longer_holds(
    synced: Catalogue, upstream: HttpNationalCatalogue
) -> None:
    code = "2.999999"
    # Given a published procedure the national list does not hold (dropped upstream since it was synced)
    gone = Procedure(
        code=code,
        version=1,
        name="Thủ tục đã bị xóa khỏi CSDLQG",
        level="PROVINCE",
        agencies=("H32",),
        processing_times=(ProcessingTime(channel=Channel.DIRECT, quantity=5, unit=TimeUnit.WORKING_DAY),),
    )
    synced.store.put(gone)
    before = synced.procedures()
    # When a full run goes
    result = _run(synced.store, upstream, full=True)
    # Then that procedure, and only that one, is withdrawn in a new version
    assert result.status == "SUCCEEDED"
    assert (result.counters.withdrawn, result.counters.written) == (1, 1)
    assert result.counters.unchanged == result.counters.seen
    assert _changed(before, synced.procedures()) == _new_version_items(code, 2)
    now = synced.current(code)
    assert (now.version, now.state) == (2, ProcedureState.WITHDRAWN)
    assert synced.version(code, 1) == gone


# ----------------------------------------------------------------------------- 5. quarantine
def test_a_malformed_record_is_quarantined_then_released_once_it_reads_well(
    empty: Catalogue, fake: FakeNationalCatalogue, upstream: HttpNationalCatalogue
) -> None:
    code = "1.001193"
    expected = _in_scope_codes()
    # Given the national detail record of Đăng ký khai sinh answers with broken JSON
    fake.inject_malformed(code)
    # When the first full sync goes
    first = _run(empty.store, upstream, full=True)
    # Then the run completes, every other procedure is synced, and that one is quarantined with its reason
    assert first.status == "SUCCEEDED", first.error
    assert first.counters.quarantined == 1
    assert first.counters.seen == len(expected)
    assert first.counters.created == len(expected) - 1
    assert empty.store.current(code) is None
    assert {pk.removeprefix("PROC#") for pk, _ in empty.procedures()} == expected - {code}
    held = sync.quarantine(empty.store)
    assert [(q.code, q.run_id) for q in held] == [(code, first.run_id)]
    assert "MalformedRecord" in held[0].reason and "JSON" in held[0].reason
    # When a run goes again while the record is still malformed
    empty.writes.clear()
    again = _run(empty.store, upstream, full=True)
    # Then nothing new is written: no procedure, and the quarantine entry is not rewritten
    assert again.status == "SUCCEEDED"
    assert again.counters.quarantined == 1
    assert again.counters.written == 0
    assert again.counters.write_units == 0
    assert [w for w in empty.writes if w[2] == "SYNC#QUARANTINE" or w[2].startswith("PROC#")] == []
    assert sync.quarantine(empty.store) == held
    # When the record reads well again and a run goes
    fake.reset()
    released = _run(empty.store, upstream, full=True)
    # Then the record leaves the quarantine and is synced
    assert released.status == "SUCCEEDED"
    assert (released.counters.released, released.counters.quarantined) == (1, 0)
    assert (released.counters.created, released.counters.written) == (1, 1)
    assert sync.quarantine(empty.store) == []
    procedure = empty.current(code)
    assert (procedure.version, procedure.derived) == (1, False)
    assert len(procedure.components) == 33


# ----------------------------------------------------------------------------- 6. transient errors
def test_the_adapter_retries_transient_upstream_errors_and_the_run_succeeds(
    synced: Catalogue, fake: FakeNationalCatalogue, upstream: HttpNationalCatalogue, sleeps: list[float]
) -> None:
    # Given a fee change upstream, and the national service answering 503 to the next two requests
    fake.change("2.000815")
    fake.fail_next(2)
    # When the incremental run goes
    result = _run(synced.store, upstream, full=False)
    # Then the adapter retried (backing off) and the run synced the change
    assert result.status == "SUCCEEDED"
    assert result.counters.updated == 1
    assert sleeps == [0.5, 1.0]
    assert synced.current("2.000815").version == 2


def test_a_run_that_cannot_reach_upstream_is_recorded_interrupted_and_resumes_later(
    synced: Catalogue, fake: FakeNationalCatalogue, upstream: HttpNationalCatalogue, sleeps: list[float]
) -> None:
    # Given a fee change upstream, and the national service down for longer than the retries last
    fake.change("2.000815")
    fake.fail_next(50)
    watermark = synced.store.get_json(*sync.STATE)
    before = synced.procedures()
    # When the incremental run goes
    with pytest.raises(TransientUpstreamError):
        _run(synced.store, upstream, full=False)
    # Then it gave up after its bounded retries and is recorded INTERRUPTED, with the error
    assert len(sleeps) == 3
    interrupted = sync.runs(synced.store)[0]
    assert interrupted.status == "INTERRUPTED"
    assert interrupted.error.startswith("TransientUpstreamError")
    assert interrupted.mode == "INCREMENTAL"
    # And nothing changed: the catalogue, and the watermark the next run starts from
    assert _digest(synced.procedures()) == _digest(before)
    assert synced.store.get_json(*sync.STATE) == watermark
    # When the service is back and the next run goes
    fake.fail_next(0)
    resumed = _run(synced.store, upstream, full=False)
    # Then it is the same run, resumed, and the change is synced
    assert (resumed.run_id, resumed.resumed, resumed.status) == (interrupted.run_id, 1, "SUCCEEDED")
    assert resumed.counters.updated == 1
    assert synced.current("2.000815").version == 2


# ----------------------------------------------------------------------------- 7. crash mid-run
@pytest.mark.parametrize(
    ("pages", "checkpoint"),
    [
        pytest.param(2, 3, id="between-pages"),
        # page 1 is served, then the service goes down while its detail records are being read
        pytest.param(1, 1, id="inside-a-page"),
    ],
)
def test_a_full_run_that_crashed_resumes_and_ends_as_an_uninterrupted_one(
    empty: Catalogue,
    fake: FakeNationalCatalogue,
    upstream: HttpNationalCatalogue,
    baseline: Baseline,
    pages: int,
    checkpoint: int,
) -> None:
    # Given the national service crashes after serving `pages` list pages of a first full sync
    fake.fail_after_pages(pages)
    with pytest.raises(TransientUpstreamError):
        _run(empty.store, upstream, full=True)
    # Then the run is recorded INTERRUPTED with its checkpoint
    interrupted = sync.runs(empty.store)[0]
    assert interrupted.status == "INTERRUPTED"
    assert interrupted.mode == "FULL"
    assert interrupted.next_page == checkpoint
    assert interrupted.error.startswith("TransientUpstreamError")
    # When the service is back (nothing else changed) and the sync runs again
    fake.reset()
    resumed = _run(empty.store, upstream, full=True)
    # Then it resumed the same run and finished it
    assert (resumed.run_id, resumed.resumed, resumed.status) == (interrupted.run_id, 1, "SUCCEEDED")
    assert [r.run_id for r in sync.runs(empty.store)] == [interrupted.run_id]
    # And the catalogue is exactly what an uninterrupted full sync writes: every code once, at version 1,
    # with the same content; no duplicate version and no loss
    procedures = empty.procedures()
    assert not [key for key in procedures if key[1] != "CURRENT" and key[1] != "V#000001"]
    assert set(_current_bodies(procedures)) == set(baseline.current)
    hashes = {key: item["content_hash"]["S"] for key, item in procedures.items()}
    assert hashes == {key: item["content_hash"]["S"] for key, item in baseline.procedures.items()}
    differing = sorted(_changed(baseline.procedures, procedures))
    assert differing == [], differing[:10]
    # And the run's report counts each procedure once, as the uninterrupted run's does
    assert resumed.counters.model_dump() == baseline.run.counters.model_dump()


# ----------------------------------------------------------------------------- 8. the scheduled handler
def test_the_scheduled_handler_runs_a_full_sync_against_the_national_catalogue(
    motcua: Motcua, fake: FakeNationalCatalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.schedules.catalogue_sync import handler
    from motcua.agencies.model import AgencyKind
    from motcua.agencies.service import load_agencies

    # Given an empty catalogue, the province's agencies loaded, and the national catalogue's address set
    _empty_catalogue_table(motcua)
    monkeypatch.setenv("NATIONAL_CATALOGUE_URL", fake.base_url)
    runtime.reset()
    records = json.loads((FIXTURES / "khanh-hoa-agencies.json").read_text(encoding="utf-8"))
    load_agencies(runtime.agency_store(), records, "H32")
    communes = [
        a.code
        for a in runtime.agency_store().list_all("H32")
        if a.kind in {AgencyKind.WARD, AgencyKind.COMMUNE, AgencyKind.SPECIAL_ZONE}
    ]
    assert AGENCY in communes
    # When the schedule fires a full run
    result = handler({"full": True}, motcua.context)
    # Then it synced the whole catalogue and returns the run's record, as stored
    assert result["status"] == "SUCCEEDED", result["error"]
    assert result["mode"] == "FULL"
    assert result["counters"]["seen"] == result["counters"]["created"] == len(_in_scope_codes())
    store = runtime.catalogue_store()
    assert sync.runs(store)[0].model_dump(mode="json") == result
    # And commune-level procedures are offered by every ward and commune of the province
    residence = store.current("1.004222")
    assert residence is not None
    assert list(residence.agencies) == communes
    assert store.generation() == 1
