"""`motcua` — the operator's command line.

    motcua catalogue sync [--full]     sync the catalogue from the national database, with a progress bar
    motcua catalogue runs              the latest sync runs
    motcua catalogue quarantine        national records that could not be read

Against the local cloud when it is running (its state file gives the endpoints and table names); otherwise
against the AWS account and tables named by the environment, exactly as the Lambda function would.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers" / "core" / "python"))
STATE = ROOT / ".local-cloud" / "state.json"


def _use_local_cloud(state_file: Path) -> bool:
    if not state_file.exists():
        return False
    state = json.loads(state_file.read_text())
    resources = state["resources"]
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": state["urls"]["aws"],
            "AWS_REGION": state["region"],
            "AWS_DEFAULT_REGION": state["region"],
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "CATALOGUE_TABLE": resources["CatalogueTable"],
            "DOSSIERS_TABLE": resources["DossiersTable"],
            "IDEMPOTENCY_TABLE": resources["IdempotencyTable"],
            "NATIONAL_CATALOGUE_URL": state["urls"]["national_catalogue"],
        }
    )
    for name in ("CITIZEN", "OFFICER"):  # required by the settings model, unused by these commands
        for part in ("ISSUER", "AUDIENCE", "JWKS_URL"):
            os.environ.setdefault(f"{name}_{part}", "unused")
    return True


class ProgressBar:
    def __init__(self, stream: Any = sys.stderr, width: int = 40) -> None:
        self.stream, self.width, self.started = stream, width, time.monotonic()

    def __call__(self, done: int, total: int | None) -> None:
        total = total or max(done, 1)
        done = min(done, total)
        filled = int(self.width * done / total)
        elapsed = time.monotonic() - self.started
        bar = "█" * filled + "░" * (self.width - filled)
        self.stream.write(f"\r  {bar} {done:>5}/{total} records  {elapsed:5.1f} s")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")


def catalogue_sync(full: bool) -> int:
    from motcua import clock, runtime
    from motcua.agencies.service import commune_codes
    from motcua.catalogue import sync

    store = runtime.catalogue_store()
    communes = commune_codes(runtime.agency_store(), os.environ.get("PROVINCE_CODE", "H32"))
    config = sync.province_config(store, commune_agencies=communes)
    bar = ProgressBar()
    print(
        f"Syncing the catalogue from {os.environ.get('NATIONAL_CATALOGUE_URL')} ({'full' if full else 'incremental'})"
    )
    try:
        result = sync.run(store, runtime.national_catalogue(), config, clock.now(), full=full, progress=bar)
    except Exception as error:
        bar.close()
        print(f"Interrupted: {type(error).__name__}: {error}\nRun again to resume.", file=sys.stderr)
        return 1
    bar.close()
    c = result.counters
    print(
        f"Run {result.run_id} ({result.mode.value}{', resumed' if result.resumed else ''}): "
        f"{c.seen} in scope, {c.created} created, {c.updated} updated, {c.withdrawn} withdrawn, "
        f"{c.unchanged} unchanged, {c.quarantined} quarantined, {c.released} released, "
        f"{c.overrun} with internal steps over the legal time; {c.write_units} write units"
    )
    return 0


def catalogue_runs() -> int:
    from motcua import runtime
    from motcua.catalogue import sync

    for run in sync.runs(runtime.catalogue_store(), limit=10):
        c = run.counters
        print(
            f"{run.started_at:%Y-%m-%d %H:%M:%S}  {run.run_id}  {run.mode.value:<11} {run.status.value:<11} "
            f"seen={c.seen} created={c.created} updated={c.updated} withdrawn={c.withdrawn} "
            f"quarantined={c.quarantined} {run.error}"
        )
    return 0


def catalogue_quarantine() -> int:
    from motcua import runtime
    from motcua.catalogue import sync

    records = sync.quarantine(runtime.catalogue_store())
    for record in records:
        print(f"{record.code}  {record.at:%Y-%m-%d %H:%M}  {record.reason}")
    print(f"{len(records)} quarantined")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="motcua", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--state-file", type=Path, default=STATE, help="the local cloud's state file")
    sub = parser.add_subparsers(dest="area", required=True)
    catalogue = sub.add_parser("catalogue", help="the procedure catalogue")
    commands = catalogue.add_subparsers(dest="command", required=True)
    sync_parser = commands.add_parser("sync", help="sync from the national procedure database")
    sync_parser.add_argument(
        "--full", action="store_true", help="full run (also withdraws what upstream dropped)"
    )
    commands.add_parser("runs", help="latest sync runs")
    commands.add_parser("quarantine", help="records that could not be read")
    args = parser.parse_args(argv)
    if _use_local_cloud(args.state_file):
        print(f"(local cloud: {json.loads(args.state_file.read_text())['urls']['aws']})", file=sys.stderr)
    if args.command == "sync":
        return catalogue_sync(args.full)
    if args.command == "runs":
        return catalogue_runs()
    return catalogue_quarantine()


if __name__ == "__main__":
    sys.exit(main())
