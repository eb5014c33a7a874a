"""The catalogue table: the only module that knows how procedures are laid out in DynamoDB.

Access patterns (docs/data-model.md):
- one version of a procedure: GetItem pk=PROC#{code}, sk=V#{version:06d}
- the current version of a procedure: GetItem pk=PROC#{code}, sk=CURRENT
- procedures by state, in code order: Query gsi1 gsi1pk=CATALOGUE#{state} (the search index's load)
- every current version's hash: Query gsi2 gsi2pk=CURRENT (keys and hashes only, for the sync)
- sync bookkeeping (runs, quarantine, watermark, province configuration, generation): pk=SYNC|CONFIG|QUARANTINE
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from motcua.catalogue.model import CurrentEntry, InternalStep, Procedure, ProcedureState
from motcua.dynamo import bind
from motcua.errors import Conflict
from motcua.settings import Settings

CURRENT = "CURRENT"


class _ByState(GlobalSecondaryIndex["ProcedureItem"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class _CurrentHashes(GlobalSecondaryIndex["ProcedureItem"]):
    class Meta:
        index_name = "gsi2"
        projection = IncludeProjection(["code", "version", "state", "content_hash"])

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class ProcedureItem(Model):
    class Meta:
        table_name: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    code = UnicodeAttribute()
    version = NumberAttribute()
    state = UnicodeAttribute()
    body = UnicodeAttribute()  # the Procedure as JSON: read whole, never queried inside
    content_hash = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    by_state = _ByState()
    current_hashes = _CurrentHashes()


class RecordItem(Model):
    """Sync bookkeeping items of the same table: a JSON body under a key."""

    class Meta:
        table_name: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    body = UnicodeAttribute(null=True)
    counter = NumberAttribute(null=True)


def _version_key(version: int) -> str:
    return f"V#{version:06d}"


def write_units(*bodies: str) -> int:
    """DynamoDB write capacity of items of these sizes (1 WCU per KB, twice in a transaction)."""
    return sum(max(1, math.ceil((len(body.encode()) + 200) / 1024)) for body in bodies)


class CatalogueStore:
    def __init__(self, settings: Settings) -> None:
        bind(ProcedureItem, settings.catalogue_table, settings)
        bind(RecordItem, settings.catalogue_table, settings)
        self._steps: dict[tuple[str, int], tuple[InternalStep, ...]] = {}

    # ------------------------------------------------------------------ procedures
    def current(self, code: str) -> Procedure | None:
        try:
            item = ProcedureItem.get(f"PROC#{code}", CURRENT)
        except ProcedureItem.DoesNotExist:
            return None
        return Procedure.model_validate_json(item.body)

    def version(self, code: str, version: int) -> Procedure | None:
        try:
            item = ProcedureItem.get(f"PROC#{code}", _version_key(version))
        except ProcedureItem.DoesNotExist:
            return None
        return Procedure.model_validate_json(item.body)

    def steps(self, code: str, version: int) -> tuple[InternalStep, ...]:
        """The internal steps of one procedure version. A version's steps never change (a change makes a new
        version), so they are read once per container: a dossier's steps cost one GetItem, not one per step."""
        key = (code, version)
        if key not in self._steps:
            procedure = self.version(code, version)
            if procedure is None:
                return ()
            self._steps[key] = procedure.steps
        return self._steps[key]

    def published(self) -> Iterator[Procedure]:
        """Every published procedure (the search index's load; a Query over all pages, never a Scan)."""
        for item in ProcedureItem.by_state.query("CATALOGUE#PUBLIC", page_size=500):
            yield Procedure.model_validate_json(item.body)

    def current_index(self) -> dict[str, CurrentEntry]:
        """Version, content hash and state of every procedure's current version (what the sync compares)."""
        index: dict[str, CurrentEntry] = {}
        for item in ProcedureItem.current_hashes.query("CURRENT"):  # keys and hashes only: one or two pages
            index[item.code] = CurrentEntry(
                int(item.version), item.content_hash or "", ProcedureState(item.state)
            )
        return index

    def save_version(self, procedure: Procedure, content_hash: str, previous: int | None) -> int:
        """Add ``procedure`` as a new version and make it current, if the current one is still ``previous``."""
        return self.save_versions([(procedure, content_hash, previous)])

    def save_versions(self, changes: list[tuple[Procedure, str, int | None]]) -> int:
        """Add new versions and make them current, each only if its current version is still the one given.

        The version item is written before the pointer, so a reader never sees a pointer to a version that
        is not there; a crash between the two leaves an unreferenced version that the next run rewrites with
        the same content. New procedures go in batches (a whole catalogue's first sync is thousands of them);
        a change to an existing one is conditioned on the version it replaces, so a replay or a concurrent
        run cannot fork it. Returns the write units used.
        """
        units = 0
        creations = [c for c in changes if c[2] is None]
        with ProcedureItem.batch_write() as batch:
            for procedure, digest, _ in creations:
                version_item, current_item = self._items(procedure, digest)
                batch.save(version_item)
                batch.save(current_item)
                units += write_units(version_item.body, current_item.body)
        for procedure, digest, previous in (c for c in changes if c[2] is not None):
            version_item, current_item = self._items(procedure, digest)
            try:
                version_item.save(condition=ProcedureItem.pk.does_not_exist())
            except PutError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise
                there = self._get_item(procedure.code, _version_key(procedure.version))
                if there is None or there.content_hash != digest:  # someone else wrote another version
                    raise Conflict(code="CATALOGUE_VERSION_CONFLICT") from error
            try:
                current_item.save(condition=ProcedureItem.version == previous)
            except PutError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise
                there = self._get_item(procedure.code, CURRENT)
                if there is None or there.content_hash != digest:
                    raise Conflict(code="CATALOGUE_VERSION_CONFLICT") from error
            units += write_units(version_item.body, current_item.body)
        return units

    def _items(self, procedure: Procedure, digest: str) -> tuple[ProcedureItem, ProcedureItem]:
        body = procedure.model_dump_json()
        code, version, state = procedure.code, procedure.version, procedure.state.value
        version_item = ProcedureItem(
            f"PROC#{code}",
            _version_key(version),
            body=body,
            content_hash=digest,
            code=code,
            version=version,
            state=state,
        )
        current_item = ProcedureItem(
            f"PROC#{code}",
            CURRENT,
            body=body,
            content_hash=digest,
            code=code,
            version=version,
            state=state,
            gsi1pk=f"CATALOGUE#{state}",
            gsi1sk=code,
            gsi2pk="CURRENT",
            gsi2sk=code,
        )
        return version_item, current_item

    def _get_item(self, code: str, sk: str) -> ProcedureItem | None:
        try:
            return ProcedureItem.get(f"PROC#{code}", sk, consistent_read=True)
        except ProcedureItem.DoesNotExist:
            return None

    def put(self, procedure: Procedure) -> None:
        """Seed path: store ``procedure`` as the next version (tests and demo data)."""
        from motcua.integrations.national_catalogue import content_hash

        existing = self.current_index().get(procedure.code)
        self.save_version(procedure, content_hash(procedure), existing.version if existing else None)

    # ------------------------------------------------------------------ bookkeeping
    def _get_record(self, pk: str, sk: str) -> RecordItem | None:
        try:
            return RecordItem.get(pk, sk, consistent_read=True)
        except RecordItem.DoesNotExist:
            return None

    def get_json(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = self._get_record(pk, sk)
        return json.loads(item.body) if item and item.body else None

    def put_json(self, pk: str, sk: str, body: dict[str, Any]) -> None:
        RecordItem(pk, sk, body=json.dumps(body, ensure_ascii=False, default=str)).save()

    def delete_record(self, pk: str, sk: str) -> None:
        RecordItem(pk, sk).delete()

    def query_json(
        self, pk: str, newest_first: bool = False, limit: int | None = None
    ) -> list[dict[str, Any]]:
        items = RecordItem.query(pk, scan_index_forward=not newest_first, limit=limit, consistent_read=True)
        return [json.loads(item.body) for item in items if item.body]

    def generation(self) -> int:
        """Bumped by every sync that changes the catalogue: API containers refresh their search index on it."""
        item = self._get_record("CATALOGUE", "GENERATION")
        return int(item.counter or 0) if item else 0

    def bump_generation(self) -> None:
        RecordItem("CATALOGUE", "GENERATION").update(actions=[RecordItem.counter.add(1)])
