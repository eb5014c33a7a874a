"""Data and measurements behind the ``catalogue-sync`` and ``catalogue-search`` benchmarks (tests/perf/bench.py).

Everything runs in this process: AWS is ``moto.mock_aws()`` and the national catalogue is
:class:`InProcessCatalogue`, an object implementing the ``NationalCatalogue`` port over the real index of
tests/fixtures/national-catalogue (no HTTP), so what is measured is the sync's own cost on top of DynamoDB.

Every one of the 4,707 index entries gets a detail record: its real one where the fixtures have it, otherwise
one synthesised from a real record of the same level (a ward record for an entry handled at "cấp xã", a
provincial one otherwise), deep-copied with the entry's code, name and field put in.
"""

from __future__ import annotations

import copy
import cProfile
import gc
import io
import json
import os
import pstats
import random
import re
import statistics
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "national-catalogue"
TEMPLATE = ROOT / "template.yaml"
REGION = "ap-southeast-1"
COMMUNE_CODE = re.compile(r"^H32\.2\d\d$")  # UBND phường / xã / đặc khu (motcua.agencies.model)

# What motcua.settings.Settings needs; the table names are set per measurement.
_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "CATALOGUE_TABLE": "bench-catalogue",
    "DOSSIERS_TABLE": "bench-dossiers",
    "IDEMPOTENCY_TABLE": "bench-idempotency",
    "CITIZEN_ISSUER": "https://citizen.bench.invalid",
    "CITIZEN_AUDIENCE": "bench",
    "CITIZEN_JWKS_URL": "https://citizen.bench.invalid/jwks",
    "OFFICER_ISSUER": "https://officer.bench.invalid",
    "OFFICER_AUDIENCE": "bench",
    "OFFICER_JWKS_URL": "https://officer.bench.invalid/jwks",
}
# Would send the clients somewhere else than moto, or to a real account's profile.
_ENV_DROP = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE", "AWS_SESSION_TOKEN")


# ------------------------------------------------------------------------------------------------ data


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def index_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = _json(FIXTURES / "khanh-hoa-catalog.json")["items"]
    return items


def real_details() -> dict[str, dict[str, Any]]:
    return {d["code"]: d for d in (_json(p) for p in sorted((FIXTURES / "details").glob("*.json")))}


def commune_agencies() -> tuple[str, ...]:
    agencies = _json(FIXTURES / "khanh-hoa-agencies.json")
    return tuple(a["code"] for a in agencies if COMMUNE_CODE.match(a["code"]))


def _is_ward(item: dict[str, Any]) -> bool:
    return "cấp xã" in [part.strip().lower() for part in str(item.get("cap") or "").split(",")]


@dataclass(frozen=True)
class Upstream:
    items: tuple[dict[str, Any], ...]
    details: dict[str, dict[str, Any]]
    real: int  # entries whose detail record is real
    synthesised: int


def upstream_data() -> Upstream:
    """The 4,707 index entries, each with a detail record (real, or synthesised from a real one)."""
    items = index_items()
    real = real_details()
    wards = [d for _, d in sorted(real.items()) if d.get("isWard") is True]
    provinces = [d for _, d in sorted(real.items()) if d.get("isWard") is not True]
    details: dict[str, dict[str, Any]] = {}
    synthesised = 0
    for n, item in enumerate(items):
        code = item["ma"]
        if code in real:
            details[code] = real[code]
            continue
        templates = wards if _is_ward(item) else provinces
        detail = copy.deepcopy(templates[n % len(templates)])
        detail["code"] = code
        detail["name"] = item["ten"]
        categories = detail.get("categoriesDetails") or [{}]
        categories[0]["name"] = item.get("lv") or ""
        detail["categoriesDetails"] = categories
        details[code] = detail
        synthesised += 1
    return Upstream(tuple(items), details, len(items) - synthesised, synthesised)


class InProcessCatalogue:
    """The ``NationalCatalogue`` port over data in memory: pages of the index, detail records by code."""

    def __init__(self, data: Upstream) -> None:
        self._items = data.items
        self._details = data.details
        self.detail_calls = 0

    def list_procedures(self, changed_since: datetime | None, page: int, page_size: int) -> Any:
        from motcua.integrations.national_catalogue import Page

        if page < 1 or page_size < 1:
            raise ValueError("page and page_size start at 1")
        start = (page - 1) * page_size
        return Page(
            items=self._items[start : start + page_size],
            page=page,
            page_size=page_size,
            total=len(self._items),
        )

    def get_procedure(self, code: str) -> dict[str, Any]:
        from motcua.integrations.national_catalogue import ProcedureNotFound

        self.detail_calls += 1
        try:
            return self._details[code]
        except KeyError:
            raise ProcedureNotFound(code) from None


def province_config() -> Any:
    from motcua.catalogue.province import ProvinceCatalogueConfig

    return ProvinceCatalogueConfig(commune_agencies=commune_agencies())


def mapped_procedures(data: Upstream) -> list[Any]:
    """The procedures the sync writes for ``data`` (the national mapping + the province's configuration)."""
    from motcua.catalogue.province import apply
    from motcua.integrations.national_catalogue import default_internal_steps, procedure_from_national

    config = province_config()
    procedures = []
    for item in data.items:
        procedure = procedure_from_national(data.details[item["ma"]], agencies=[])
        procedures.append(apply(procedure, config, default_internal_steps(procedure)))
    return procedures


# ------------------------------------------------------------------------------------------------ moto


def catalogue_table_definition() -> dict[str, Any]:
    """``create_table`` arguments of template.yaml's CatalogueTable (keys, attributes, GSIs), without a name."""
    from samtranslator.yaml_helper import yaml_parse  # dev env; tolerates !Ref, !GetAtt, !Sub ...

    props = yaml_parse(TEMPLATE.read_text(encoding="utf-8"))["Resources"]["CatalogueTable"]["Properties"]
    definition = {
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props["BillingMode"],
    }
    if "GlobalSecondaryIndexes" in props:
        definition["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    return copy.deepcopy(definition)


@contextmanager
def mocked_aws() -> Iterator[None]:
    """moto in this process with fake credentials; the environment is restored afterwards."""
    from moto import mock_aws

    from motcua import runtime

    saved = dict(os.environ)
    for name in _ENV_DROP:
        os.environ.pop(name, None)
    os.environ.update(_ENV)
    try:
        with mock_aws():
            runtime.reset()
            yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        runtime.reset()


@dataclass
class SyncSample:
    first_s: float
    rerun_s: float
    floor_s: float
    procedures: int
    items_written: int
    first_counters: dict[str, int]
    rerun_counters: dict[str, int]
    floor_items: int
    floor_units: int
    detail_calls: int
    current_index_s: float | None = None
    current_index_pages: int | None = None


class SyncBench:
    """One measurement = a fresh table: first run, no-change re-run, then the floor on a second fresh table."""

    def __init__(self, data: Upstream) -> None:
        import boto3

        self.data = data
        self.config = province_config()
        self.definition = catalogue_table_definition()
        self.client = boto3.client("dynamodb", region_name=REGION)
        self.resource = boto3.resource("dynamodb", region_name=REGION)
        self._n = 0

    def _fresh_table(self, prefix: str) -> str:
        self._n += 1
        name = f"{prefix}-{self._n}"
        self.client.create_table(TableName=name, **self.definition)
        self.client.get_waiter("table_exists").wait(TableName=name)
        return name

    def _store(self, table: str) -> Any:
        from motcua import runtime

        os.environ["CATALOGUE_TABLE"] = table
        runtime.reset()
        return runtime.catalogue_store()

    def run_sync(self, store: Any, now: datetime) -> tuple[Any, float, int]:
        from motcua.catalogue import sync

        upstream = InProcessCatalogue(self.data)
        t0 = time.perf_counter()
        result = sync.run(store, upstream, self.config, now, full=True, levels=None)
        return result, time.perf_counter() - t0, upstream.detail_calls

    def procedure_items(self, table: str) -> list[dict[str, Any]]:
        """Every procedure item (``PROC#…``: versions and current pointers) of ``table``, by a paginated Scan."""
        items: list[dict[str, Any]] = []
        # The resource's client (de)serialises: items come back as the Python values batch_writer takes.
        for page in self.resource.meta.client.get_paginator("scan").paginate(TableName=table):
            items.extend(item for item in page["Items"] if str(item["pk"]).startswith("PROC#"))
        return items

    def count(self, table: str) -> int:
        total = 0
        for page in self.client.get_paginator("scan").paginate(TableName=table, Select="COUNT"):
            total += page["Count"]
        return total

    def floor(self, items: list[dict[str, Any]]) -> tuple[float, str]:
        table_name = self._fresh_table("bench-floor")
        table = self.resource.Table(table_name)
        t0 = time.perf_counter()
        with table.batch_writer() as writer:
            for item in items:
                writer.put_item(Item=item)
        return time.perf_counter() - t0, table_name

    def drop(self, *tables: str) -> None:
        for name in tables:
            self.client.delete_table(TableName=name)
        gc.collect()

    def current_index_cost(self, store: Any, table: str) -> tuple[float, int]:
        """Time of ``store.current_index()`` on a full table, and the Query pages its GSI read takes."""
        t0 = time.perf_counter()
        store.current_index()
        elapsed = time.perf_counter() - t0
        pages = 0
        for _ in self.client.get_paginator("query").paginate(  # the keys-and-hashes index it reads
            TableName=table,
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "CURRENT"}},
        ):
            pages += 1
        return elapsed, pages

    def measure(self, index_cost: bool = False) -> SyncSample:
        from motcua.catalogue.store import write_units

        table = self._fresh_table("bench-catalogue")
        store = self._store(table)
        now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
        first, first_s, calls = self.run_sync(store, now)
        rerun, rerun_s, _ = self.run_sync(store, now + timedelta(hours=1))
        index_s, index_pages = self.current_index_cost(store, table) if index_cost else (None, None)
        items = self.procedure_items(table)
        floor_s, floor_table = self.floor(items)
        floor_items = self.count(floor_table)
        self.drop(table, floor_table)
        return SyncSample(
            first_s=first_s,
            rerun_s=rerun_s,
            floor_s=floor_s,
            procedures=len(self.data.items),
            items_written=len(items),
            first_counters=first.counters.model_dump(),
            rerun_counters=rerun.counters.model_dump(),
            floor_items=floor_items,
            floor_units=write_units(*(str(i["body"]) for i in items)),
            detail_calls=calls,
            current_index_s=index_s,
            current_index_pages=index_pages,
        )

    def profile(self, top: int = 20) -> str:
        """cProfile of one first run on a fresh table: the ``top`` functions by cumulative time."""
        table = self._fresh_table("bench-profile")
        store = self._store(table)
        profiler = cProfile.Profile()
        profiler.enable()
        self.run_sync(store, datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
        profiler.disable()
        self.drop(table)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
        return out.getvalue()


# ------------------------------------------------------------------------------------------------ search


def search_queries(procedures: list[Any], count: int = 1000, seed: int = 20260105) -> list[Any]:
    """``count`` queries from real names: slices of 1–4 words, folded or not, in mixed case, some cut
    mid-word, some with filters, some codes, a few filters alone (fixed seed)."""
    from motcua.catalogue.search import SearchQuery, fold

    rng = random.Random(seed)
    queries: list[Any] = []
    for _ in range(count):
        p = rng.choice(procedures)
        roll = rng.random()
        if roll < 0.08:
            text = p.code
        elif roll < 0.11:
            text = ""
        else:
            words = p.name.split()
            start = rng.randrange(len(words))
            text = " ".join(words[start : start + rng.randint(1, 4)])
            if rng.random() < 0.25:  # a token prefix: the user is still typing
                text = text[: rng.randint(max(1, len(text) // 2), len(text))]
            style = rng.random()
            if style < 0.3:
                text = fold(text)
            elif style < 0.45:
                text = text.upper()
            elif style < 0.6:
                text = "".join(c.upper() if rng.random() < 0.3 else c.lower() for c in text)
            elif style < 0.7:
                text = text.lower()
        filters: dict[str, Any] = {}
        if not text or rng.random() < 0.25:
            choice = rng.randrange(5)
            if choice == 0 and p.field_name:
                filters["field"] = p.field_name if rng.random() < 0.5 else fold(p.field_name)
            elif choice == 1 and p.agencies:
                filters["agency"] = rng.choice(p.agencies)
            elif choice == 2 and p.level:
                filters["level"] = rng.choice(p.level.split(","))
            elif choice == 3:
                filters["online_level"] = p.online_level.value
            else:
                filters["has_fees"] = rng.random() < 0.5
            if rng.random() < 0.3:
                filters["has_fees"] = rng.random() < 0.5
        queries.append(SearchQuery(text=text, limit=rng.choice((10, 20, 20, 50)), **filters))
    return queries


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class SearchResult:
    procedures: int
    queries: int
    rounds: int
    build_s: list[float]
    memory_bytes: int
    memory_peak_bytes: int
    latencies_us: list[float]
    floor_us: list[float]
    hits: int
    empty: int


def measure_search(procedures: list[Any], rounds: int) -> SearchResult:
    from motcua.catalogue.search import SearchIndex, fold

    build_s: list[float] = []
    index = None
    for _ in range(3):
        index = None
        gc.collect()
        t0 = time.perf_counter()
        index = SearchIndex.build(procedures, generation=1)
        build_s.append(time.perf_counter() - t0)
    del index
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = SearchIndex.build(procedures, generation=1)
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    queries = search_queries(procedures)
    search = index.search
    for q in queries:  # warm-up
        search(q)
    latencies: list[float] = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        for q in queries:
            t0 = clock()
            search(q)
            latencies.append((clock() - t0) / 1000)

    names = [fold(p.name) for p in procedures]
    floor: list[float] = []
    for _ in range(rounds):
        for q in queries:
            t0 = clock()
            needle = fold(q.text)
            [i for i, name in enumerate(names) if needle in name]
            floor.append((clock() - t0) / 1000)
    totals = [search(q).total for q in queries]
    return SearchResult(
        procedures=len(index),
        queries=len(queries),
        rounds=rounds,
        build_s=build_s,
        memory_bytes=after - before,
        memory_peak_bytes=peak - before,
        latencies_us=latencies,
        floor_us=floor,
        hits=sum(1 for t in totals if t),
        empty=sum(1 for t in totals if not t),
    )


def median(values: list[float]) -> float:
    return statistics.median(values)
