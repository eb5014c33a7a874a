"""The catalogue table: the only module that knows how procedures are laid out in DynamoDB.

Access patterns (docs/data-model.md):
- one version of a procedure: GetItem pk=PROC#{code}, sk=V#{version:06d}
- the current version of a procedure: GetItem pk=PROC#{code}, sk=CURRENT
- published procedures, in code order, paged: Query gsi1 gsi1pk=CATALOGUE#PUBLIC
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from motcua.catalogue.model import Procedure
from motcua.dynamo import bind
from motcua.paging import decode_cursor, encode_cursor, refused_cursor_is_invalid
from motcua.settings import Settings

CURRENT = "CURRENT"


class _ByState(GlobalSecondaryIndex["ProcedureItem"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ProcedureItem(Model):
    class Meta:
        table_name: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    code = UnicodeAttribute()
    version = NumberAttribute()
    state = UnicodeAttribute()
    body = UnicodeAttribute()  # the Procedure as JSON: read whole, never queried inside
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_state = _ByState()


def _version_key(version: int) -> str:
    return f"V#{version:06d}"


class CatalogueStore:
    def __init__(self, settings: Settings) -> None:
        bind(ProcedureItem, settings.catalogue_table, settings)

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

    def list_published(self, limit: int, cursor: str | None) -> tuple[list[Procedure], str | None]:
        last_key = decode_cursor(cursor)
        with refused_cursor_is_invalid():
            result = ProcedureItem.by_state.query(
                "CATALOGUE#PUBLIC", limit=limit, last_evaluated_key=last_key, page_size=limit
            )
            procedures = [Procedure.model_validate_json(item.body) for item in result]
        return procedures, encode_cursor(result.last_evaluated_key)

    def put(self, procedure: Procedure) -> None:
        """Store a version and make it current (seed and sync path; the sync issue adds hashing)."""
        body = procedure.model_dump_json()
        code, version, state = procedure.code, procedure.version, procedure.state.value
        with ProcedureItem.batch_write() as batch:
            batch.save(
                ProcedureItem(
                    f"PROC#{procedure.code}",
                    _version_key(procedure.version),
                    body=body,
                    code=code,
                    version=version,
                    state=state,
                )
            )
            batch.save(
                ProcedureItem(
                    f"PROC#{procedure.code}",
                    CURRENT,
                    body=body,
                    gsi1pk=f"CATALOGUE#{procedure.state.value}",
                    gsi1sk=procedure.code,
                    code=code,
                    version=version,
                    state=state,
                )
            )
