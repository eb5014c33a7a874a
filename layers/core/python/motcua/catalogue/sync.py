"""Catalogue sync from the national procedure database (CSDLQG về TTHC) — DOMAIN §2.1, QĐ 34 Đ6, Đ14.

One run pages through the national list (everything in a full run; what changed since the last successful
run otherwise), maps each record to the catalogue model, applies the province's configuration and compares
a content hash with the current version: only a real change writes, as a new version beside the old one (a
dossier keeps the version that applied at its receipt). A record that cannot be read is quarantined and
reported; the run goes on. The run checkpoints after every page, so a crash resumes where it stopped, and
every write is conditional on the version it replaces, so a replayed page never duplicates a version.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from motcua import clock
from motcua.catalogue.model import (
    CurrentEntry,
    Mode,
    Procedure,
    ProcedureState,
    QuarantinedRecord,
    RunStatus,
    SyncRun,
)
from motcua.catalogue.province import ProvinceCatalogueConfig, apply
from motcua.errors import Conflict

if TYPE_CHECKING:  # the store arrives as an argument
    from motcua.catalogue.store import CatalogueStore
from motcua.integrations.national_catalogue import (
    MalformedRecord,
    NationalCatalogue,
    ProcedureNotFound,
    content_hash,
    default_internal_steps,
    procedure_from_index,
    procedure_from_national,
)

RUNS = "SYNC#RUN"
QUARANTINE = "SYNC#QUARANTINE"
STATE = ("SYNC#STATE", "WATERMARK")
CONFIG = ("CONFIG", "PROVINCE")
IN_SCOPE_LEVELS = ("cấp tỉnh", "cấp xã")  # what a province or a commune handles; ministry-only is not ours


Progress = Callable[[int, int | None], None]


def in_scope(item: dict[str, Any], levels: tuple[str, ...] | None = IN_SCOPE_LEVELS) -> bool:
    """Handled by the province or a commune (``levels=None``: everything, for benchmarks and tests)."""
    if levels is None:
        return True
    item_levels = [part.strip().lower() for part in str(item.get("cap") or "").split(",")]
    return any(level in levels for level in item_levels)


def province_config(store: CatalogueStore, commune_agencies: Iterable[str] = ()) -> ProvinceCatalogueConfig:
    """The stored configuration, with the commune-level agencies filled in from the agency list if unset."""
    stored = store.get_json(*CONFIG)
    config = ProvinceCatalogueConfig.model_validate(stored or {})
    if not config.commune_agencies:
        config = config.model_copy(update={"commune_agencies": tuple(commune_agencies)})
    return config


def _open_run(store: CatalogueStore, now: datetime, full: bool, config_hash: str) -> SyncRun:
    """Resume the newest run if it did not finish; otherwise start one (full when asked, when nothing has
    synced yet, or when the province configuration changed since the last run)."""
    newest = store.query_json(RUNS, newest_first=True, limit=1)
    if newest:
        last = SyncRun.model_validate(newest[0])
        if last.status is not RunStatus.SUCCEEDED and last.config_hash == config_hash:
            return last.model_copy(
                update={"status": RunStatus.RUNNING, "resumed": last.resumed + 1, "error": ""}
            )
    watermark = store.get_json(*STATE) or {}
    incremental = not full and watermark.get("config_hash") == config_hash and watermark.get("changed_since")
    return SyncRun(
        run_id=uuid.uuid4().hex[:12],
        mode=Mode.INCREMENTAL if incremental else Mode.FULL,
        started_at=now,
        changed_since=datetime.fromisoformat(watermark["changed_since"]) if incremental else None,
        config_hash=config_hash,
    )


def run(
    store: CatalogueStore,
    upstream: NationalCatalogue,
    config: ProvinceCatalogueConfig,
    now: datetime,
    *,
    full: bool = False,
    page_size: int = 200,
    progress: Progress | None = None,
    levels: tuple[str, ...] | None = IN_SCOPE_LEVELS,
) -> SyncRun:
    """One sync run (or the resumption of an interrupted one); returns its record."""
    sync = _open_run(store, now, full, config.content_hash())
    store.put_json(RUNS, sync.key, sync.model_dump(mode="json"))
    current = store.current_index()
    quarantined = {q["code"] for q in store.query_json(QUARANTINE)}
    seen: set[str] = set()
    # What is recorded if the run is interrupted: the state at the last checkpoint, so that the page being
    # processed is counted once, by the run that resumes it.
    checkpoint = sync.model_copy(deep=True)
    try:
        if sync.mode is Mode.FULL and sync.next_page > 1:
            # Pages done before the interruption were processed already; re-read their codes (no writes) so
            # that withdrawal at the end knows every procedure the national list still holds.
            for page_number in range(1, sync.next_page):
                page = upstream.list_procedures(sync.changed_since, page_number, page_size)
                seen.update(str(item.get("ma")) for item in page.items)
        while True:
            page = upstream.list_procedures(sync.changed_since, sync.next_page, page_size)
            changes: list[Change] = []
            quarantine_now: dict[str, QuarantinedRecord] = {}
            page_codes = {str(item.get("ma") or "") for item in page.items}
            seen.update(page_codes)
            for item in page.items:
                change = _sync_one(upstream, config, sync, item, current, quarantine_now, levels)
                if change is not None:
                    changes.append(change)
            _flush(store, sync, changes, current, quarantined, quarantine_now, page_codes)
            sync.total = page.total
            sync.next_page += 1
            store.put_json(RUNS, sync.key, sync.model_dump(mode="json"))  # checkpoint
            checkpoint = sync.model_copy(deep=True)
            if progress:
                progress(min(sync.next_page - 1, -(-page.total // page_size)) * page_size, page.total)
            if not page.has_next:
                break
        if sync.mode is Mode.FULL:
            _withdraw_missing(store, sync, current, seen)
        else:
            _retry_quarantined(store, upstream, config, sync, current, quarantined, seen, levels)
    except Exception as error:
        interrupted = checkpoint.model_copy(
            update={"status": RunStatus.INTERRUPTED, "error": f"{type(error).__name__}: {error}"[:500]}
        )
        store.put_json(RUNS, interrupted.key, interrupted.model_dump(mode="json"))
        raise
    sync.status = RunStatus.SUCCEEDED
    sync.finished_at = clock.now()
    store.put_json(RUNS, sync.key, sync.model_dump(mode="json"))
    store.put_json(*STATE, {"changed_since": sync.started_at.isoformat(), "config_hash": sync.config_hash})
    if sync.counters.written:
        store.bump_generation()
    return sync


Change = tuple[Procedure, str, int | None]


def _sync_one(
    upstream: NationalCatalogue,
    config: ProvinceCatalogueConfig,
    sync: SyncRun,
    item: dict[str, Any],
    current: dict[str, CurrentEntry],
    quarantine_now: dict[str, QuarantinedRecord],
    levels: tuple[str, ...] | None,
) -> Change | None:
    """Map one national record; returns the new version to write, or None when nothing changed."""
    code = str(item.get("ma") or "")
    if not in_scope(item, levels):
        sync.counters.out_of_scope += 1
        return None
    sync.counters.seen += 1
    try:
        procedure = _map(upstream, config, item)
    except (MalformedRecord, ValidationError, ValueError, KeyError, TypeError) as error:
        sync.counters.quarantined += 1
        reason = f"{type(error).__name__}: {error}"[:1000]
        quarantine_now[code] = QuarantinedRecord(
            code=code, reason=reason, run_id=sync.run_id, at=sync.started_at, item=item
        )
        return None
    if procedure.steps_overrun:
        sync.counters.overrun += 1
    digest = content_hash(procedure)
    existing = current.get(procedure.code)
    if existing is not None and existing.content_hash == digest:
        sync.counters.unchanged += 1
        return None
    version = existing.version + 1 if existing else 1
    current[procedure.code] = CurrentEntry(version, digest, procedure.state)
    if existing is None:
        sync.counters.created += 1
    elif procedure.state is ProcedureState.WITHDRAWN and existing.state is not ProcedureState.WITHDRAWN:
        sync.counters.withdrawn += 1
    else:
        sync.counters.updated += 1
    return procedure.model_copy(update={"version": version}), digest, existing.version if existing else None


def _flush(
    store: CatalogueStore,
    sync: SyncRun,
    changes: list[Change],
    current: dict[str, CurrentEntry],
    quarantined: set[str],
    quarantine_now: dict[str, QuarantinedRecord],
    page_codes: set[str],
) -> None:
    """Write a page's outcome: its new versions, then its quarantine changes."""
    if changes:
        try:
            sync.counters.write_units += store.save_versions(changes)
        except Conflict:
            # Part of this page was written by the interrupted run this one resumes: write what is missing.
            fresh = store.current_index()
            for procedure, digest, _previous in changes:
                there = fresh.get(procedure.code)
                if there is not None and there.content_hash == digest:
                    current[procedure.code] = there
                    continue
                sync.counters.write_units += store.save_version(
                    procedure.model_copy(update={"version": (there.version + 1) if there else 1}),
                    digest,
                    there.version if there else None,
                )
    for code, record in quarantine_now.items():
        if code not in quarantined:  # a record still broken on a re-run is not written again
            store.put_json(QUARANTINE, code, record.model_dump(mode="json"))
            quarantined.add(code)
    for code in (page_codes & quarantined) - set(quarantine_now):
        store.delete_record(QUARANTINE, code)  # it reads well now
        quarantined.discard(code)
        sync.counters.released += 1


def _map(upstream: NationalCatalogue, config: ProvinceCatalogueConfig, item: dict[str, Any]) -> Procedure:
    code = str(item["ma"])
    services = item.get("dvc") or ()
    detail: dict[str, Any] | None = None
    if item.get("hasDetail", True):
        try:
            detail = upstream.get_procedure(code)
        except ProcedureNotFound:
            detail = None
    if detail is not None:
        runs = [r for s in services for r in (s.get("r") or [])]
        agencies = [str(r.get("c")) for r in runs if r.get("c")]
        procedure = procedure_from_national(detail, agencies=agencies)
        # The list's state is the publication state (a procedure abolished upstream is withdrawn here).
        if str(item.get("state") or "").upper() not in {"", "ACTIVE", "UPDATED", "PUBLISHED", "PUBLIC"}:
            procedure = procedure.model_copy(update={"state": ProcedureState.WITHDRAWN})
    else:
        procedure = procedure_from_index(item, services=services)
    return apply(procedure, config, default_internal_steps(procedure))


def _retry_quarantined(
    store: CatalogueStore,
    upstream: NationalCatalogue,
    config: ProvinceCatalogueConfig,
    sync: SyncRun,
    current: dict[str, CurrentEntry],
    quarantined: set[str],
    seen: set[str],
    levels: tuple[str, ...] | None,
) -> None:
    """An incremental run lists only what changed upstream; a record quarantined because of a passing fault
    (a truncated body) may not change again, so every run retries the quarantined records it did not see."""
    retry = [r for r in quarantine(store) if r.code in quarantined and r.code not in seen and r.item]
    changes: list[Change] = []
    quarantine_now: dict[str, QuarantinedRecord] = {}
    for record in retry:
        change = _sync_one(upstream, config, sync, record.item, current, quarantine_now, levels)
        if change is not None:
            changes.append(change)
    _flush(store, sync, changes, current, quarantined, quarantine_now, {r.code for r in retry})


def _withdraw_missing(
    store: CatalogueStore, sync: SyncRun, current: dict[str, CurrentEntry], seen: set[str]
) -> None:
    """A full run saw every procedure the national list holds: a published one it no longer lists is withdrawn."""
    for code, entry in list(current.items()):
        if code in seen or entry.state is not ProcedureState.PUBLIC:
            continue
        procedure = store.current(code)
        if procedure is None:
            continue
        withdrawn = procedure.model_copy(
            update={"state": ProcedureState.WITHDRAWN, "version": entry.version + 1}
        )
        digest = content_hash(withdrawn)
        sync.counters.write_units += store.save_version(withdrawn, digest, entry.version)
        current[code] = CurrentEntry(entry.version + 1, digest, ProcedureState.WITHDRAWN)
        sync.counters.withdrawn += 1


def runs(store: CatalogueStore, limit: int = 20) -> list[SyncRun]:
    return [SyncRun.model_validate(r) for r in store.query_json(RUNS, newest_first=True, limit=limit)]


def quarantine(store: CatalogueStore) -> list[QuarantinedRecord]:
    return [QuarantinedRecord.model_validate(r) for r in store.query_json(QUARANTINE)]
