"""``make bench``: measurements that report, never gate (ARCHITECTURE §7 "Budgets").

Run all benchmarks::

    PYTHONPATH=layers/core/python:. .venv/bin/python -m tests.perf.bench

or only some, by name (``--list`` shows them)::

    python -m tests.perf.bench imports --runs 15

A benchmark is a function ``(BenchContext) -> None`` registered with ``@benchmark("name", "what it does")``;
it prints its own report and writes its JSON under ``.local-cloud/bench/``. The exit code is 0 even when a
budget is exceeded (the report says so); it is non-zero only when a benchmark could not run at all.

``imports`` — cold-start import cost of every function in template.yaml, as a ratio to ``import boto3``
measured in the same run. It runs in ``.venv-bench/``, an isolated virtualenv holding only what the
functions ship (the requirements.txt of every layer and function in template.yaml) plus boto3 (which the
Lambda runtime provides), never the dev tools, so that moto, pytest or SAM cannot make an import look cheap
or dear.

``catalogue-sync`` — a full sync (``motcua.catalogue.sync.run``) of all 4,707 real index entries into
``moto.mock_aws()`` in this process, from an in-process ``NationalCatalogue`` (no HTTP: the sync's own cost),
as a ratio to the floor: a plain boto3 ``batch_writer()`` of the same items into an identical table. Also a
no-change re-run, which must write nothing. Medians of 3 measurements on fresh tables; with
``BENCH_PROFILE=1`` (or when over budget) it adds a cProfile of one more first run.

``catalogue-search`` — ``motcua.catalogue.search.SearchIndex`` over the same procedures: latency percentiles of
1,000 queries built from real names (fixed seed), build time and memory, and the ratio to a plain ``in`` scan
of the folded names. Data and helpers of both: ``tests/perf/catalogue_bench.py``.

``round-trips`` — AWS API calls per warm API call (intake without and with an Idempotency-Key, status read,
inbox page, decision, catalogue search, my dossiers) against ARCHITECTURE §7's minimum, counted at botocore's
``BaseClient._make_api_call`` in ``moto.mock_aws()`` in-process, Step Functions through a recording workflow.
Helpers: ``tests/perf/roundtrips.py``.

``lifecycle`` — whole dossiers over HTTP through the local cloud (``python -m infra.local`` as a subprocess,
``--no-schedules``): 4 concurrent clients submit birth-registration dossiers and decide their three internal
steps until RETURNED (40 dossiers; ``--dossiers``/``--clients`` or ``$BENCH_LIFECYCLE_DOSSIERS``/
``$BENCH_LIFECYCLE_CLIENTS``). Reports dossiers per minute and p50/p95 submit → RETURNED as ratios to a floor of
plain authenticated reads in the same run; per dossier the state transitions and Lambda invocations of its
execution history, the DynamoDB request units of one dossier metered in-process (estimated from item sizes:
moto reports no consumed capacity), and the AWS cost per dossier and per 100,000 dossiers at us-east-1 list
prices. Method and prices: ``tests/perf/lifecycle_bench.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEV_VENV = ROOT / ".venv"
BENCH_VENV = ROOT / ".venv-bench"
BENCH_STAMP = BENCH_VENV / ".bench-stamp"
TEMPLATE = ROOT / "template.yaml"
PYPROJECT = ROOT / "pyproject.toml"
OUT_DIR = ROOT / ".local-cloud" / "bench"

IMPORT_BUDGET = 1.8  # a handler module's import may cost at most this many times `import boto3`
FLOOR = "boto3"
RESULT_MARK = "BENCH_RESULT "

# The environment of every measured process: no function env vars are needed to import a handler.
CHILD_ENV = {
    "AWS_DEFAULT_REGION": "ap-southeast-1",
    "AWS_XRAY_SDK_ENABLED": "false",
    "POWERTOOLS_TRACE_DISABLED": "true",
}
# Never inherited by a measured process: they would change what or how it imports.
CHILD_ENV_DROP = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONSTARTUP",
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONNOUSERSITE",
    "PYTHONSAFEPATH",
    "POWERTOOLS_DEV",
    "VIRTUAL_ENV",
)


# ------------------------------------------------------------------------------------------------ registry


@dataclass
class BenchContext:
    runs: int
    dossiers: int | None = None  # lifecycle: dossiers to complete (None: its default or environment)
    clients: int | None = None  # lifecycle: concurrent clients
    started: float = field(default_factory=time.perf_counter)


BenchFn = Callable[[BenchContext], None]


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    run: BenchFn


BENCHMARKS: list[Benchmark] = []


def benchmark(name: str, description: str) -> Callable[[BenchFn], BenchFn]:
    """Register a benchmark; they run in registration order."""

    def register(fn: BenchFn) -> BenchFn:
        if any(b.name == name for b in BENCHMARKS):
            raise ValueError(f"duplicate benchmark {name!r}")
        BENCHMARKS.append(Benchmark(name, description, fn))
        return fn

    return register


def write_json(name: str, payload: dict[str, Any]) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# ------------------------------------------------------------------------------------------------ .venv-bench


def _dev_boto3_pin() -> str:
    """The boto3 version pinned in pyproject's dev extra (what the local cloud and tests use)."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    for req in project["project"]["optional-dependencies"]["dev"]:
        m = re.fullmatch(r"\s*boto3\s*==\s*([\w.]+)\s*", req)
        if m:
            return m.group(1)
    raise RuntimeError("pyproject.toml: no `boto3==<version>` in [project.optional-dependencies].dev")


def _dev_interpreter() -> Path:
    """The base interpreter the dev venv was created from (its pyvenv.cfg), so both venvs share it."""
    cfg = DEV_VENV / "pyvenv.cfg"
    if cfg.exists():
        for line in cfg.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "executable" and Path(value.strip()).exists():
                return Path(value.strip())
    return Path(os.path.realpath(DEV_VENV / "bin" / "python"))


def bench_python(requirements: list[Path]) -> Path:
    """Create (or reuse) .venv-bench: what the functions ship (their requirements) plus boto3, nothing else.

    Rebuilt from scratch whenever the requirement files, the boto3 pin or the interpreter change (a stamp
    holds their hash): `uv pip install` never removes a package that the requirements no longer name.
    """
    boto3_version = _dev_boto3_pin()
    interpreter = _dev_interpreter()
    key = hashlib.sha256()
    for req in requirements:
        key.update(f"{_rel(req)}\n".encode())
        key.update(req.read_bytes())
    key.update(f"\nboto3=={boto3_version}\n{interpreter}\n".encode())
    stamp = key.hexdigest()
    python = BENCH_VENV / "bin" / "python"
    if python.exists() and BENCH_STAMP.exists() and BENCH_STAMP.read_text().strip() == stamp:
        return python

    uv = DEV_VENV / "bin" / "uv"
    if not uv.exists():
        raise RuntimeError(f"{_rel(uv)} is missing: run `make install` first")
    names = " + ".join([*(_rel(r) for r in requirements), f"boto3=={boto3_version}"])
    print(f"bench: building {_rel(BENCH_VENV)} from {names} ...", flush=True)
    shutil.rmtree(BENCH_VENV, ignore_errors=True)
    subprocess.run([str(interpreter), "-m", "venv", "--without-pip", str(BENCH_VENV)], check=True)
    req_args = [arg for req in requirements for arg in ("-r", str(req))]
    subprocess.run(
        [str(uv), "pip", "install", "-q", "--python", str(python), *req_args, f"boto3=={boto3_version}"],
        check=True,
    )
    BENCH_STAMP.write_text(stamp + "\n")
    return python


# ------------------------------------------------------------------------------------------------ template


@dataclass(frozen=True)
class HandlerModule:
    """One distinct handler module (code dir + module + layers); several functions may share it."""

    code_dir: Path
    module: str
    attribute: str
    layer_paths: tuple[Path, ...]  # what Lambda puts on sys.path as /opt/python, in layer order
    functions: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{_rel(self.code_dir)}/{self.module.replace('.', '/')}.py"


@dataclass(frozen=True)
class Functions:
    """What template.yaml deploys: the handler modules, and the requirement files built into them."""

    modules: list[HandlerModule]
    requirements: list[Path]
    layer_paths: tuple[Path, ...]  # every local layer's /opt/python, for the floor's sys.path


def _load_template() -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse  # dev env; tolerates !Ref, !GetAtt, !Sub ...

    return dict(yaml_parse(TEMPLATE.read_text(encoding="utf-8")))


def read_template() -> Functions:
    """Every AWS::Serverless::Function's handler module, to be imported the way Lambda imports it."""
    template = _load_template()
    resources: dict[str, Any] = template.get("Resources") or {}
    defaults = (template.get("Globals") or {}).get("Function") or {}
    requirements: list[Path] = []

    def add_requirements(directory: Path) -> None:
        req = directory / "requirements.txt"
        if req.is_file() and req not in requirements:
            requirements.append(req)

    # A layer built by SAM (BuildMethod python3.x) has its ContentUri and requirements under /opt/python;
    # a prebuilt one is mounted at /opt, so its python/ folder is /opt/python.
    layers: dict[str, Path] = {}
    for name, resource in resources.items():
        if resource.get("Type") not in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
            continue
        props = resource.get("Properties") or {}
        content = props.get("ContentUri", props.get("Content"))
        if not isinstance(content, str):
            continue
        content_dir = (ROOT / content).resolve()
        if str((resource.get("Metadata") or {}).get("BuildMethod", "")).startswith("python"):
            layers[name] = content_dir
            add_requirements(content_dir)
        else:
            layers[name] = content_dir / "python"

    found: dict[tuple[Path, str, str, tuple[Path, ...]], list[str]] = {}
    for name, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource.get("Properties") or {}
        code_uri = props.get("CodeUri", defaults.get("CodeUri"))
        handler = props.get("Handler", defaults.get("Handler"))
        if not isinstance(code_uri, str) or not isinstance(handler, str) or "." not in handler:
            print(f"bench: skipping {name}: CodeUri={code_uri!r} Handler={handler!r} is not a local handler")
            continue
        layer_refs = [*(defaults.get("Layers") or []), *(props.get("Layers") or [])]  # SAM appends
        layer_paths = tuple(
            layers[ref["Ref"]] for ref in layer_refs if isinstance(ref, dict) and ref.get("Ref") in layers
        )
        code_dir = (ROOT / code_uri).resolve()
        add_requirements(code_dir)
        module, _, attribute = handler.rpartition(".")
        found.setdefault((code_dir, module, attribute, layer_paths), []).append(name)
    if not requirements:
        raise RuntimeError("template.yaml: no layer or function has a requirements.txt")
    return Functions(
        modules=[HandlerModule(d, m, a, lp, tuple(fns)) for (d, m, a, lp), fns in found.items()],
        requirements=requirements,
        layer_paths=tuple(dict.fromkeys(layers.values())),
    )


# ------------------------------------------------------------------------------------------------ imports

# Runs in the measured process. argv: module [attribute]. Prints one RESULT_MARK line of JSON.
_CHILD = f"""
import time
t0 = time.perf_counter()
import importlib, sys
mod = importlib.import_module(sys.argv[1])
elapsed = time.perf_counter() - t0
# What the first invocation loads on top when the module deferred it: the AWS SDK behind the stores.
import pynamodb.models, botocore.session
with_sdk = time.perf_counter() - t0
import json, resource
if len(sys.argv) > 2:
    getattr(mod, sys.argv[2])
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print({RESULT_MARK!r} + json.dumps({{"ms": elapsed * 1000.0, "sdk_ms": with_sdk * 1000.0, "rss_kb": rss}}))
"""


@dataclass
class ImportEntry:
    """One line of `-X importtime`: µs spent in the module itself and with everything it imported."""

    package: str
    depth: int
    self_us: int
    cumulative_us: int
    parent: str | None = None


def _last_subtree(entries: list[ImportEntry]) -> list[ImportEntry]:
    """The last top-level import with everything it imported (not the interpreter's own startup imports)."""
    start = len(entries) - 1
    while start > 0 and entries[start - 1].depth > 0:
        start -= 1
    return entries[start:]


@dataclass
class Target:
    label: str
    module: str
    attribute: str | None
    cwd: Path
    pythonpath: list[Path]
    functions: tuple[str, ...] = ()
    ms: list[float] = field(default_factory=list)
    sdk_ms: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in CHILD_ENV_DROP}
        env.update(CHILD_ENV)
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in self.pythonpath)
        return env

    def argv(self, python: Path, code: str | None = None) -> list[str]:
        # -P: no cwd/'' entry on sys.path; the code dir comes first through PYTHONPATH, as /var/task does.
        if code is not None:  # -X importtime: plain import statements, nothing else
            return [str(python), "-P", "-X", "importtime", "-c", code]
        return [str(python), "-P", "-c", _CHILD, self.module, *([self.attribute] if self.attribute else [])]

    def measure(self, python: Path) -> tuple[float, float, int]:
        proc = subprocess.run(
            self.argv(python), cwd=self.cwd, env=self.env(), capture_output=True, text=True, check=False
        )
        for line in proc.stdout.splitlines():
            if line.startswith(RESULT_MARK):
                data = json.loads(line[len(RESULT_MARK) :])
                return float(data["ms"]), float(data["sdk_ms"]), int(data["rss_kb"])
        raise RuntimeError(
            f"importing {self.module} (in {_rel(self.cwd)}) failed with exit {proc.returncode}:\n"
            f"{proc.stderr.strip()[-3000:]}"
        )

    def importtime(self, python: Path, code: str) -> list[ImportEntry]:
        """One `python -X importtime -c <code>` run, in the order Python prints it (children first)."""
        proc = subprocess.run(
            self.argv(python, code), cwd=self.cwd, env=self.env(), capture_output=True, text=True, check=False
        )
        entries: list[ImportEntry] = []
        pending: dict[int, list[ImportEntry]] = {}  # entries still waiting for their importer, by depth
        for line in proc.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( +)(\S+)\s*$", line)
            if not m:
                continue
            depth = (len(m.group(3)) - 1) // 2
            entry = ImportEntry(m.group(4), depth, int(m.group(1)), int(m.group(2)))
            for child in pending.pop(depth + 1, []):
                child.parent = entry.package
            pending.setdefault(depth, []).append(entry)
            entries.append(entry)
        if not entries or entries[-1].package != self.module:
            raise RuntimeError(f"-X importtime of {self.module} failed:\n{proc.stderr.strip()[-3000:]}")
        return entries

    def import_costs(self, python: Path, top: int = 15, runs: int = 3) -> list[dict[str, Any]]:
        """The `top` cumulative costs of `import <module>`, each with what it costs once boto3 is loaded.

        Medians over `runs` runs of each command: one `-X importtime` run on a busy machine is noisy.
        """
        alone: dict[tuple[str, str | None], list[ImportEntry]] = {}
        beyond: dict[str, list[int]] = {}
        for _ in range(runs):
            for e in _last_subtree(self.importtime(python, f"import {self.module}")):
                alone.setdefault((e.package, e.parent), []).append(e)
            once: dict[str, int] = {}
            for e in _last_subtree(self.importtime(python, f"import {FLOOR}; import {self.module}")):
                once[e.package] = max(once.get(e.package, 0), e.cumulative_us)
            for package in {package for package, _ in alone} | set(once):
                beyond.setdefault(package, []).append(once.get(package, 0))
        rows: list[dict[str, Any]] = [
            {
                "package": package,
                "imported_by": parent,
                "cumulative_us": int(statistics.median(e.cumulative_us for e in seen)),
                "self_us": int(statistics.median(e.self_us for e in seen)),
                "beyond_floor_us": int(statistics.median(beyond.get(package, [0]))),
            }
            for (package, parent), seen in alone.items()
        ]
        return sorted(rows, key=lambda r: -r["cumulative_us"])[:top]


def _fmt_table(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


@benchmark("imports", "cold-start import of each handler module, as a ratio to `import boto3` (budget 1.8x)")
def bench_imports(ctx: BenchContext) -> None:
    deployed = read_template()
    python = bench_python(deployed.requirements)
    version = subprocess.run(
        [
            str(python),
            "-c",
            "import sys, boto3, botocore; print(sys.version.split()[0], boto3.__version__, "
            "botocore.__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    floor = Target(
        label=f"import {FLOOR}",
        module=FLOOR,
        attribute=None,
        cwd=deployed.layer_paths[0] if deployed.layer_paths else ROOT,
        pythonpath=list(deployed.layer_paths),
    )
    targets = [floor] + [
        Target(
            label=h.label,
            module=h.module,
            attribute=h.attribute,
            cwd=h.code_dir,
            pythonpath=[h.code_dir, *h.layer_paths],
            functions=h.functions,
        )
        for h in deployed.modules
    ]
    print(
        f"imports: {len(targets) - 1} handler modules + floor, {ctx.runs} interleaved runs each "
        f"(+1 warm-up discarded), python {version[0]}, boto3 {version[1]}, botocore {version[2]}",
        flush=True,
    )
    progress = sys.stdout.isatty()
    for round_no in range(ctx.runs + 1):  # round 0 warms the .pyc caches and the page cache
        if progress:
            print(
                f"  round {round_no}/{ctx.runs}{' (warm-up)' if not round_no else ''}", end="\r", flush=True
            )
        for t in targets:
            ms, sdk_ms, rss = t.measure(python)
            if round_no:
                t.ms.append(ms)
                t.sdk_ms.append(sdk_ms)
                t.rss_kb.append(rss)
    if progress:
        print(" " * 40, end="\r")

    floor_ms = statistics.median(floor.ms)
    floor_rss = statistics.median(floor.rss_kb)
    rows: list[list[str]] = []
    results: list[dict[str, Any]] = []
    over: list[Target] = []
    for t in targets:
        med = statistics.median(t.ms)
        ratio = med / floor_ms
        rss_ratio = statistics.median(t.rss_kb) / floor_rss
        is_floor = t is floor
        status = "floor" if is_floor else ("PASS" if ratio <= IMPORT_BUDGET else "OVER")
        if status == "OVER":
            over.append(t)
        rows.append(
            [
                t.label,
                ", ".join(t.functions) or "-",
                f"{med:.1f}",
                f"{ratio:.2f}x",
                f"{statistics.median(t.sdk_ms) / floor_ms:.2f}x",
                f"{rss_ratio:.2f}x",
                "-" if is_floor else f"{IMPORT_BUDGET:.1f}x",
                status,
            ]
        )
        results.append(
            {
                "module": t.module,
                "label": t.label,
                "functions": list(t.functions),
                "median_ms": round(med, 3),
                "min_ms": round(min(t.ms), 3),
                "max_ms": round(max(t.ms), 3),
                "ratio": round(ratio, 3),
                "with_sdk_ratio": round(statistics.median(t.sdk_ms) / floor_ms, 3),
                "median_rss_kb": statistics.median(t.rss_kb),
                "rss_ratio": round(rss_ratio, 3),
                "budget": None if is_floor else IMPORT_BUDGET,
                "status": status,
                "samples_ms": [round(x, 3) for x in t.ms],
            }
        )
    print(
        _fmt_table(
            [
                "module",
                "functions",
                "median ms",
                "vs boto3",
                "+SDK vs boto3",
                "RSS vs boto3",
                "budget",
                "result",
            ],
            rows,
            right={2, 3, 4, 5, 6},
        )
    )

    importtime: dict[str, list[dict[str, Any]]] = {}
    if over:
        print(
            f"\nOVER BUDGET ({IMPORT_BUDGET}x `import boto3`): "
            + ", ".join(f"{t.label} ({statistics.median(t.ms) / floor_ms:.2f}x)" for t in over)
        )
        for t in over:
            costs = t.import_costs(python)
            importtime[t.label] = costs
            print(
                f"\n{t.label}: top 15 cumulative import costs"
                f" (python -X importtime -c 'import {t.module}', median of 3 runs)"
                "\n  'beyond boto3': its cost when boto3 is already loaded (0.0: `import boto3` loads it too)"
            )
            print(
                _fmt_table(
                    ["cumul ms", "self ms", "beyond boto3", "package", "imported by"],
                    [
                        [
                            f"{c['cumulative_us'] / 1000:.1f}",
                            f"{c['self_us'] / 1000:.1f}",
                            f"{c['beyond_floor_us'] / 1000:.1f}",
                            c["package"],
                            c["imported_by"] or "-",
                        ]
                        for c in costs
                    ],
                    right={0, 1, 2},
                )
            )
    else:
        print(f"\nAll handler modules within {IMPORT_BUDGET}x `import boto3`.")

    path = write_json(
        "imports",
        {
            "benchmark": "imports",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
            "python": version[0],
            "boto3": version[1],
            "botocore": version[2],
            "runs": ctx.runs,
            "budget": IMPORT_BUDGET,
            "floor": {"module": FLOOR, "median_ms": round(floor_ms, 3), "median_rss_kb": floor_rss},
            "modules": results,
            "over_budget": [t.label for t in over],
            "importtime_top15": importtime,
        },
    )
    print(f"wrote {_rel(path)}")


# ------------------------------------------------------------------------------------------------ catalogue

SYNC_BUDGET = 2.0  # a full first sync may cost at most this many times a plain batch_writer of its items
SYNC_MEASUREMENTS = 3  # first run and floor, each on fresh tables; medians are reported
SEARCH_BUDGET_US = 1000.0  # median latency of one search over the whole catalogue


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _samples(values: list[float], digits: int = 2) -> str:
    return " ".join(f"{v:.{digits}f}" for v in values)


@benchmark(
    "catalogue-sync",
    f"full catalogue sync of the 4,707 real procedures into moto, as a ratio to a plain batch_writer "
    f"(budget {SYNC_BUDGET}x)",
)
def bench_catalogue_sync(ctx: BenchContext) -> None:
    from tests.perf import catalogue_bench as cb

    t0 = time.perf_counter()
    data = cb.upstream_data()
    print(
        f"catalogue-sync: {len(data.items)} index entries ({data.real} real detail records, "
        f"{data.synthesised} synthesised from real ones), levels=None, full runs, "
        f"{SYNC_MEASUREMENTS} measurements on fresh tables (moto in-process, upstream in-process; "
        f"data ready in {time.perf_counter() - t0:.1f}s)",
        flush=True,
    )
    samples: list[cb.SyncSample] = []
    profile = ""
    with cb.mocked_aws():
        runner = cb.SyncBench(data)
        for n in range(SYNC_MEASUREMENTS):
            sample = runner.measure(index_cost=n == 0)
            samples.append(sample)
            print(
                f"  measurement {n + 1}/{SYNC_MEASUREMENTS}: first run {sample.first_s:.2f}s, "
                f"re-run {sample.rerun_s:.2f}s, floor {sample.floor_s:.2f}s",
                flush=True,
            )
        first_s = _median([s.first_s for s in samples])
        rerun_s = _median([s.rerun_s for s in samples])
        floor_s = _median([s.floor_s for s in samples])
        ratio = first_s / floor_s
        status = "PASS" if ratio <= SYNC_BUDGET else "OVER"
        if status == "OVER" or os.environ.get("BENCH_PROFILE"):
            print("  profiling one more first run (cProfile) ...", flush=True)
            profile = runner.profile(top=20)

    last = samples[-1]
    procedures = last.procedures
    items = last.items_written
    first_units = [s.first_counters["write_units"] for s in samples]
    rerun_written = [
        s.rerun_counters["created"] + s.rerun_counters["updated"] + s.rerun_counters["withdrawn"]
        for s in samples
    ]
    rerun_units = [s.rerun_counters["write_units"] for s in samples]
    first_written = [
        s.first_counters["created"] + s.first_counters["updated"] + s.first_counters["withdrawn"]
        for s in samples
    ]
    rerun_ok = not any(rerun_written) and not any(rerun_units)
    complete = all(w == procedures for w in first_written) and all(s.floor_items == items for s in samples)

    rows = [
        [
            "first run (sync.run, full)",
            f"{first_s:.2f}",
            _samples([s.first_s for s in samples]),
            str(first_written[-1]),
            str(items),
            str(first_units[-1]),
            f"{procedures / first_s:.0f} proc/s, {items / first_s:.0f} items/s",
            "-",
            "-",
        ],
        [
            "no-change re-run",
            f"{rerun_s:.2f}",
            _samples([s.rerun_s for s in samples]),
            str(max(rerun_written)),
            "0",
            str(max(rerun_units)),
            f"{procedures / rerun_s:.0f} proc/s",
            "0 written",
            "PASS" if rerun_ok else "FAIL",
        ],
        [
            "floor (boto3 batch_writer)",
            f"{floor_s:.2f}",
            _samples([s.floor_s for s in samples]),
            "-",
            str(last.floor_items),
            str(last.floor_units),
            f"{items / floor_s:.0f} items/s",
            "-",
            "floor",
        ],
        ["first run / floor", f"{ratio:.2f}x", "", "", "", "", "", f"{SYNC_BUDGET:.1f}x", status],
    ]
    print(
        _fmt_table(
            [
                "measure",
                "median s",
                "samples s",
                "written",
                "items",
                "write units",
                "rate",
                "budget",
                "result",
            ],
            rows,
            right={1, 3, 4, 5},
        )
    )
    counters = last.first_counters
    print(
        "first-run counters: "
        + ", ".join(f"{k}={v}" for k, v in counters.items() if v)
        + f"; upstream get_procedure calls {last.detail_calls}"
    )
    print(
        f"write units per procedure (version + current item): {first_units[-1] / max(1, procedures):.1f}; "
        "items are the PROC# version and CURRENT items (bookkeeping records not counted)"
    )
    first_sample = samples[0]
    if first_sample.current_index_s is not None:
        print(
            f"re-run detail: store.current_index() alone takes {first_sample.current_index_s:.2f}s on the full "
            f"table ({first_sample.current_index_pages} Query page(s) of gsi2, keys and hashes only; moto's GSI "
            "query is much slower than DynamoDB's, which reads this in one or two pages)"
        )
    if not rerun_ok:
        print(
            f"FAIL: the no-change re-run wrote {max(rerun_written)} procedures / {max(rerun_units)} write units "
            "(must be 0 and 0)"
        )
    if not complete:
        print(
            f"FAIL: the first run wrote {first_written} procedures (expected {procedures} each time) and the floor "
            f"tables hold {[s.floor_items for s in samples]} items (expected {items})"
        )
    print(
        f"\n{'OVER BUDGET' if status == 'OVER' else 'Within budget'}: first run {ratio:.2f}x the floor "
        f"(budget {SYNC_BUDGET}x)."
    )
    if profile:
        print("\ncProfile of one first run, top 20 by cumulative time:\n" + profile)

    path = write_json(
        "catalogue-sync",
        {
            "benchmark": "catalogue-sync",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
            "python": platform.python_version(),
            "procedures": procedures,
            "real_details": data.real,
            "synthesised_details": data.synthesised,
            "measurements": SYNC_MEASUREMENTS,
            "first_run_s": round(first_s, 4),
            "rerun_s": round(rerun_s, 4),
            "floor_s": round(floor_s, 4),
            "ratio": round(ratio, 3),
            "budget": SYNC_BUDGET,
            "status": status,
            "rerun_status": "PASS" if rerun_ok else "FAIL",
            "items_written": items,
            "write_units_first": first_units[-1],
            "write_units_rerun": max(rerun_units),
            "written_rerun": max(rerun_written),
            "floor_write_units": last.floor_units,
            "procedures_per_s": round(procedures / first_s, 1),
            "items_per_s_first_run": round(items / first_s, 1),
            "items_per_s_floor": round(items / floor_s, 1),
            "samples": [
                {
                    "first_run_s": round(s.first_s, 4),
                    "rerun_s": round(s.rerun_s, 4),
                    "floor_s": round(s.floor_s, 4),
                    "first_counters": s.first_counters,
                    "rerun_counters": s.rerun_counters,
                    "floor_items": s.floor_items,
                }
                for s in samples
            ],
            "current_index_s": first_sample.current_index_s,
            "current_index_query_pages": first_sample.current_index_pages,
            "profile_top20": profile or None,
        },
    )
    print(f"wrote {_rel(path)}")


@benchmark(
    "catalogue-search",
    f"in-memory catalogue search over the 4,707 real procedures (budget: median < {SEARCH_BUDGET_US:.0f} µs)",
)
def bench_catalogue_search(ctx: BenchContext) -> None:
    from tests.perf import catalogue_bench as cb

    t0 = time.perf_counter()
    procedures = cb.mapped_procedures(cb.upstream_data())
    print(
        f"catalogue-search: {len(procedures)} procedures (mapped as the sync maps them, in "
        f"{time.perf_counter() - t0:.1f}s), 1000 queries from real names (seed fixed), {ctx.runs} timed rounds "
        "(+1 warm-up); latency = every timed call",
        flush=True,
    )
    result = cb.measure_search(procedures, rounds=ctx.runs)
    lat, floor = result.latencies_us, result.floor_us
    med, p95, p99 = _median(lat), cb.percentile(lat, 0.95), cb.percentile(lat, 0.99)
    floor_med = _median(floor)
    ratio = med / floor_med
    status = "PASS" if med < SEARCH_BUDGET_US else "OVER"
    rows = [
        [
            "SearchIndex.search",
            f"{med:.1f}",
            f"{p95:.1f}",
            f"{p99:.1f}",
            f"{max(lat):.1f}",
            f"< {SEARCH_BUDGET_US:.0f}",
            status,
        ],
        [
            "floor: fold + `in` scan of folded names",
            f"{floor_med:.1f}",
            f"{cb.percentile(floor, 0.95):.1f}",
            f"{cb.percentile(floor, 0.99):.1f}",
            f"{max(floor):.1f}",
            "-",
            "floor",
        ],
        ["search / floor (medians)", f"{ratio:.3f}x", "", "", "", "-", "-"],
    ]
    print(
        _fmt_table(
            ["measure", "median µs", "p95 µs", "p99 µs", "max µs", "budget", "result"], rows, {1, 2, 3, 4}
        )
    )
    build = _median(result.build_s)
    print(
        f"index: {result.procedures} procedures, build {build * 1000:.0f} ms (median of "
        f"{len(result.build_s)}: {_samples([b * 1000 for b in result.build_s], 0)} ms), memory retained "
        f"{result.memory_bytes / 2**20:.1f} MiB (tracemalloc, peak {result.memory_peak_bytes / 2**20:.1f} MiB); "
        f"queries with results {result.hits}, without {result.empty}"
    )
    path = write_json(
        "catalogue-search",
        {
            "benchmark": "catalogue-search",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
            "python": platform.python_version(),
            "procedures": result.procedures,
            "queries": result.queries,
            "rounds": result.rounds,
            "median_us": round(med, 2),
            "p95_us": round(p95, 2),
            "p99_us": round(p99, 2),
            "max_us": round(max(lat), 2),
            "budget_median_us": SEARCH_BUDGET_US,
            "status": status,
            "floor_median_us": round(floor_med, 2),
            "floor_p95_us": round(cb.percentile(floor, 0.95), 2),
            "ratio_to_floor": round(ratio, 4),
            "build_ms": [round(b * 1000, 2) for b in result.build_s],
            "build_median_ms": round(build * 1000, 2),
            "memory_retained_bytes": result.memory_bytes,
            "memory_peak_bytes": result.memory_peak_bytes,
            "queries_with_results": result.hits,
            "queries_without_results": result.empty,
        },
    )
    print(f"wrote {_rel(path)}")


# ------------------------------------------------------------------------------------------------ round trips


@benchmark(
    "round-trips",
    "AWS calls per warm API call (moto in-process), against the ARCHITECTURE §7 minimum",
)
def bench_round_trips(ctx: BenchContext) -> None:
    from tests.perf import roundtrips as rt

    print(
        "round-trips: one warm-up call, then one counted call per operation; DynamoDB and other botocore calls "
        "counted at BaseClient._make_api_call, Step Functions through the recording workflow",
        flush=True,
    )
    rows, extra = rt.measure_all()
    print(
        _fmt_table(
            ["operation", "DynamoDB calls", "other AWS calls", "total", "minimum", "result"],
            [
                [
                    r.operation,
                    rt.format_calls(r.measured.dynamodb),
                    rt.format_calls(r.measured.other),
                    str(r.measured.total),
                    f"{r.minimum} = {r.minimum_total}" + ("" if r.source == "§7" else " (derived)"),
                    r.result,
                ]
                for r in rows
            ],
            right={3},
        )
    )
    for r in rows:
        if r.note:
            print(f"  {r.operation}: {r.note}")
    above = [r.operation for r in rows if r.result == "ABOVE"]
    print(
        "minimum: ARCHITECTURE §7 where it names one; (derived): §7 names none, the floor the access pattern "
        f"implies. JWKS fetches over HTTP during the run (not AWS): {extra['jwks_fetches']}"
    )
    print(f"\n{'ABOVE the minimum: ' + ', '.join(above) if above else 'All operations at their minimum.'}")
    path = write_json(
        "round-trips",
        {
            "benchmark": "round-trips",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
            "python": platform.python_version(),
            "operations": [
                {
                    "operation": r.operation,
                    "status": r.measured.status,
                    "dynamodb": dict(sorted(r.measured.dynamodb.items())),
                    "other": dict(sorted(r.measured.other.items())),
                    "total": r.measured.total,
                    "minimum": r.minimum,
                    "minimum_total": r.minimum_total,
                    "minimum_source": r.source,
                    "result": r.result,
                    "note": r.note or None,
                }
                for r in rows
            ],
            "above": above,
            **extra,
        },
    )
    print(f"wrote {_rel(path)}")


# ------------------------------------------------------------------------------------------------ lifecycle


def _spread(values: list[float] | list[int], digits: int = 0) -> str:
    """median, and min–max when they differ."""
    med, lo, hi = statistics.median(values), min(values), max(values)
    text = f"{med:.{digits}f}"
    return text if lo == hi else f"{text} ({lo:.{digits}f}–{hi:.{digits}f})"


def _usd(value: float) -> str:
    return f"${value:.6f}" if value < 0.01 else f"${value:,.2f}"


@benchmark(
    "lifecycle",
    "whole dossiers through the local cloud over HTTP (throughput as ratios to plain reads), and per dossier "
    "the state transitions, Lambda invocations, DynamoDB units and AWS cost",
)
def bench_lifecycle(ctx: BenchContext) -> None:
    from tests.perf import lifecycle_bench as lb

    dossiers, clients = lb.settings(ctx.dossiers, ctx.clients)

    def progress(line: str) -> None:
        print(line, flush=True)

    print(
        f"lifecycle: {dossiers} dossiers ({lb.PROCEDURE} at {lb.AGENCY}, {lb.CITIZEN}) by {clients} concurrent "
        f"HTTP clients through the local cloud, each to RETURNED by "
        + " → ".join(f"{user} {outcome} ({key})" for user, outcome, key in lb.STEPS)
        + f"; polls every {lb.POLL_S * 1000:.0f} ms; the floor: {lb.NEEDED_HTTP_CALLS} GET /v1/dossiers/{{code}} "
        "per dossier before and after them. "
        "DynamoDB units: one dossier metered in-process (moto).",
        flush=True,
    )

    t0 = time.perf_counter()
    metered = lb.metered_dossier()
    progress(
        f"  in-process metered dossier {metered.code}: {len(metered.calls)} DynamoDB calls, "
        f"{metered.rru:g} RRU, {metered.wru:g} WRU ({time.perf_counter() - t0:.1f}s)"
    )

    t0 = time.perf_counter()
    with lb.local_cloud() as cloud:
        progress(
            f"  local cloud ready in {time.perf_counter() - t0:.1f}s (its own count "
            f"{cloud.state.get('ready_seconds')}s); log {_rel(cloud.log_file)}"
        )
        try:
            tp = lb.throughput(cloud, dossiers, clients, progress)
            executions = [lb.execution_counts(cloud, run.code) for run in tp.runs]
        except Exception:
            print("local cloud log (tail):\n" + cloud.log_tail(), flush=True)
            raise

    # ---- throughput
    latencies = tp.latencies
    calls = [r.http_calls for r in tp.runs]
    polls = [r.polls for r in tp.runs]
    floor_p50 = statistics.median(tp.floor_latencies_s)
    quarter = max(1, len(latencies) // 4)

    def floor_row(name: str, f: lb.Floor) -> list[str]:
        return [
            f"floor {name}: GET /v1/dossiers/{{code}}",
            f"{f.calls} calls in {f.wall_s:.1f} s, {f.calls / f.wall_s:.0f}/s, "
            f"p50 {statistics.median(f.latencies_s) * 1000:.1f} ms",
        ]

    print(
        _fmt_table(
            ["throughput", "value"],
            [
                ["dossiers / clients", f"{tp.dossiers} / {tp.clients}"],
                ["wall time", f"{tp.wall_s:.1f} s"],
                ["dossiers completed per minute", f"{tp.per_minute:.1f}"],
                [
                    "submit → RETURNED p50 / p95 / max",
                    f"{statistics.median(latencies):.2f} / {lb.percentile(latencies, 0.95):.2f} / "
                    f"{max(latencies):.2f} s",
                ],
                [
                    "HTTP calls per dossier",
                    f"{_spread(calls)}: {lb.NEEDED_HTTP_CALLS} needed + polls {_spread(polls)}",
                ],
                [
                    f"p50 latency, first / last {quarter} dossiers",
                    f"{statistics.median(latencies[:quarter]):.2f} / {statistics.median(latencies[-quarter:]):.2f} s",
                ],
                floor_row("before", tp.floor_before),
                floor_row("after", tp.floor_after),
                [
                    f"ratio: time per dossier / floor × {lb.NEEDED_HTTP_CALLS} calls",
                    f"{tp.ratio_needed_calls:.2f}x",
                ],
                ["ratio: time per HTTP call made / floor per call", f"{tp.ratio_same_calls:.2f}x"],
                [
                    f"ratio: p50 latency / ({lb.NEEDED_HTTP_CALLS} × floor p50)",
                    f"{tp.ratio_latency:.2f}x",
                ],
            ],
            right={1},
        )
    )
    print(
        "ratios use the floor before and after pooled; the local cloud slows down as its tables grow (moto's "
        "Query sorts the whole table on every call), so absolute rates depend on the run length."
    )

    # ---- per dossier
    transitions = [e.transitions for e in executions]
    invocations = [e.lambda_invocations for e in executions]
    failed = [e.code for e in executions if e.status != "SUCCEEDED"]
    sfn_transitions = statistics.median(transitions)
    sfn_invocations = round(statistics.median(invocations))
    api_requests = len(metered.api_requests)
    step_calls = len(metered.step_invocations)
    print()
    print(
        _fmt_table(
            ["per dossier", "count", "how"],
            [
                [
                    "state transitions",
                    _spread(transitions),
                    f"*StateEntered in the execution history, {len(executions)} executions",
                ],
                [
                    "Lambda invocations (state machine)",
                    _spread(invocations),
                    "TaskScheduled (lambda) in the history",
                ],
                [
                    "API requests (= API function invocations)",
                    str(api_requests),
                    "intake, 3 × (inbox page + decision), status read",
                ],
                [
                    "DynamoDB read request units",
                    f"{metered.rru:g}",
                    f"estimated from item sizes, {len(metered.calls)} calls, in-process",
                ],
                ["DynamoDB write request units", f"{metered.wru:g}", "estimated from item sizes, in-process"],
            ],
            right={1},
        )
    )
    if step_calls != sfn_invocations:
        print(
            f"NOTE: the in-process run called {step_calls} step handlers, the executions scheduled "
            f"{sfn_invocations} Lambda tasks"
        )
    if failed or len(set(transitions)) > 1:
        print(
            f"NOTE: executions not SUCCEEDED: {failed}; transitions differ between executions: {sorted(set(transitions))}"
        )
    print()
    print(
        _fmt_table(
            ["DynamoDB by phase (metered dossier)", "calls", "RRU", "WRU"],
            [
                [phase, ", ".join(f"{op}×{n}" for op, n in sorted(ops.items())), f"{rru:g}", f"{wru:g}"]
                for phase, ops, rru, wru in metered.by_phase()
            ],
            right={2, 3},
        )
    )

    # ---- cost
    lines = lb.cost_lines(
        sfn_transitions, sfn_invocations, api_requests, metered.rru, metered.wru, lb.ASSUMED_LAMBDA_MS
    )
    total = sum(line.usd for line in lines)
    rows = [
        [
            line.item,
            f"{line.quantity:g} {line.unit}",
            line.price,
            _usd(line.usd),
            _usd(line.usd * 100_000),
            f"{100 * line.usd / total:.0f}%",
        ]
        for line in lines
    ]
    rows.append(["total", "", "", _usd(total), _usd(total * 100_000), "100%"])
    print()
    print(
        _fmt_table(
            [
                f"cost ({lb.PRICE_REGION} list prices)",
                "per dossier",
                "price",
                "$ per dossier",
                "$ per 100,000",
                "share",
            ],
            rows,
            right={3, 4, 5},
        )
    )
    measured_ms = [
        ms
        for phase, values in metered.durations_ms.items()
        if phase.startswith(("step ", "API "))
        for ms in values
    ]
    measured_gb_s = sum(math.ceil(ms) / 1000.0 * lb.LAMBDA_MEMORY_GB for ms in measured_ms)
    measured_duration_usd = measured_gb_s * lb.LAMBDA_ARM_USD_PER_GB_S
    assumed_duration = next(line for line in lines if line.item.startswith("Lambda duration"))
    total_measured = total - assumed_duration.usd + measured_duration_usd
    old_dynamodb = (
        metered.wru * lb.DYNAMODB_USD_PER_WRU_BEFORE_2024_11
        + metered.rru * lb.DYNAMODB_USD_PER_RRU_BEFORE_2024_11
    )
    new_dynamodb = metered.wru * lb.DYNAMODB_USD_PER_WRU + metered.rru * lb.DYNAMODB_USD_PER_RRU
    print(
        f"Lambda duration priced at an assumed {lb.ASSUMED_LAMBDA_MS:.0f} ms per invocation (512 MB arm64). With the "
        f"warm in-process durations of the metered dossier instead ({len(measured_ms)} invocations, "
        f"{sum(measured_ms):.0f} ms in all, moto in-process): {_usd(measured_duration_usd * 100_000)} per 100,000 for "
        f"duration, total {_usd(total_measured * 100_000)} per 100,000."
    )
    print(
        f"DynamoDB at the on-demand prices before 1 Nov 2024 ($1.25 / $0.25 per 1M WRU / RRU): "
        f"{_usd(old_dynamodb * 100_000)} per 100,000 instead of {_usd(new_dynamodb * 100_000)}; total "
        f"{_usd((total - new_dynamodb + old_dynamodb) * 100_000)}. Free tiers, storage, logs, data transfer and "
        "the CloudWatch metrics are not included."
    )

    path = write_json(
        "lifecycle",
        {
            "benchmark": "lifecycle",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
            "python": platform.python_version(),
            "procedure": lb.PROCEDURE,
            "agency": lb.AGENCY,
            "steps": [{"demo_user": u, "outcome": o, "task": k} for u, o, k in lb.STEPS],
            "dossiers": tp.dossiers,
            "clients": tp.clients,
            "poll_s": lb.POLL_S,
            "throughput": {
                "wall_s": round(tp.wall_s, 3),
                "dossiers_per_minute": round(tp.per_minute, 2),
                "latency_p50_s": round(statistics.median(latencies), 3),
                "latency_p95_s": round(lb.percentile(latencies, 0.95), 3),
                "latency_max_s": round(max(latencies), 3),
                "http_calls": tp.http_calls,
                "http_calls_needed_per_dossier": lb.NEEDED_HTTP_CALLS,
                "polls": sum(polls),
            },
            "runs": [
                {
                    "code": r.code,
                    "latency_s": round(r.latency_s, 3),
                    "http_calls": r.http_calls,
                    "polls": r.polls,
                }
                for r in tp.runs
            ],
            "floor": {
                "request": "GET /v1/dossiers/{code}",
                "calls_per_dossier": lb.NEEDED_HTTP_CALLS,
                **{
                    name: {
                        "calls": f.calls,
                        "wall_s": round(f.wall_s, 3),
                        "p50_ms": round(statistics.median(f.latencies_s) * 1000, 2),
                        "p95_ms": round(lb.percentile(f.latencies_s, 0.95) * 1000, 2),
                    }
                    for name, f in (("before", tp.floor_before), ("after", tp.floor_after))
                },
                "pooled_s_per_call": round(tp.floor_s_per_call, 5),
                "pooled_p50_ms": round(floor_p50 * 1000, 2),
            },
            "ratios": {
                "per_dossier_to_floor_needed_calls": round(tp.ratio_needed_calls, 3),
                "per_call_made_to_floor_per_call": round(tp.ratio_same_calls, 3),
                "p50_latency_to_floor_needed_calls": round(tp.ratio_latency, 3),
            },
            "executions": {
                "count": len(executions),
                "not_succeeded": failed,
                "transitions": {"median": sfn_transitions, "min": min(transitions), "max": max(transitions)},
                "lambda_invocations": {
                    "median": sfn_invocations,
                    "min": min(invocations),
                    "max": max(invocations),
                },
                "states_entered": executions[0].states if executions else {},
            },
            "per_dossier": {
                "state_transitions": sfn_transitions,
                "lambda_invocations_state_machine": sfn_invocations,
                "api_requests": api_requests,
                "lambda_invocations_total": sfn_invocations + api_requests,
                "rru": metered.rru,
                "wru": metered.wru,
            },
            "dynamodb": {
                "method": "one warm dossier in-process (moto), units estimated from item sizes",
                "metered_code": metered.code,
                "api_requests": metered.api_requests,
                "step_invocations": metered.step_invocations,
                "calls": [vars(c) for c in metered.calls],
            },
            "in_process_durations_ms": {
                k: [round(v, 2) for v in vs] for k, vs in metered.durations_ms.items()
            },
            "cost": {
                "price_region": lb.PRICE_REGION,
                "sources": lb.PRICE_SOURCES,
                "assumed_lambda_ms": lb.ASSUMED_LAMBDA_MS,
                "lines": [
                    {
                        "item": line.item,
                        "quantity_per_dossier": line.quantity,
                        "unit": line.unit,
                        "usd_per_unit": line.usd_per_unit,
                        "list_price": line.price,
                        "usd_per_dossier": line.usd,
                        "usd_per_100k": round(line.usd * 100_000, 4),
                    }
                    for line in lines
                ],
                "usd_per_dossier": total,
                "usd_per_100k": round(total * 100_000, 2),
                "usd_per_100k_with_measured_durations": round(total_measured * 100_000, 2),
                "usd_per_100k_dynamodb_before_2024_11_prices": round(
                    (total - new_dynamodb + old_dynamodb) * 100_000, 2
                ),
            },
        },
    )
    print(f"wrote {_rel(path)}")


# ------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.perf.bench", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument(
        "--runs",
        type=int,
        default=int(os.environ.get("BENCH_RUNS", "10")),
        help="measured runs per case (default 10, or $BENCH_RUNS)",
    )
    parser.add_argument(
        "--dossiers",
        type=int,
        default=None,
        help="lifecycle: dossiers to take to RETURNED (default 40, or $BENCH_LIFECYCLE_DOSSIERS)",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=None,
        help="lifecycle: concurrent HTTP clients (default 4, or $BENCH_LIFECYCLE_CLIENTS)",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for b in BENCHMARKS:
            print(f"{b.name:18} {b.description}")
        return 0
    known = {b.name: b for b in BENCHMARKS}
    unknown = [n for n in args.names if n not in known]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(known)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if (args.dossiers is not None and args.dossiers < 1) or (args.clients is not None and args.clients < 1):
        parser.error("--dossiers and --clients must be at least 1")
    chosen = [known[n] for n in args.names] if args.names else BENCHMARKS
    ctx = BenchContext(runs=args.runs, dossiers=args.dossiers, clients=args.clients)
    for b in chosen:
        print(f"== {b.name}: {b.description}", flush=True)
        t0 = time.perf_counter()
        b.run(ctx)
        print(f"== {b.name} done in {time.perf_counter() - t0:.1f}s\n", flush=True)
    print(f"bench: total {time.perf_counter() - ctx.started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
