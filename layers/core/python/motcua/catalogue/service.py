"""Catalogue use cases for the portal."""

from __future__ import annotations

from motcua.catalogue.model import Procedure
from motcua.catalogue.store import CatalogueStore
from motcua.errors import BadRequest, NotFound
from motcua.paging import InvalidCursor


def list_procedures(
    store: CatalogueStore, limit: int, cursor: str | None
) -> tuple[list[Procedure], str | None]:
    try:
        return store.list_published(limit=limit, cursor=cursor)
    except InvalidCursor as error:
        raise BadRequest("Tham số phân trang không hợp lệ.", code="INVALID_CURSOR") from error


def get_procedure(store: CatalogueStore, code: str) -> Procedure:
    procedure = store.current(code)
    if procedure is None or not procedure.is_published:
        raise NotFound(f"Không tìm thấy thủ tục hành chính {code}.", code="PROCEDURE_NOT_FOUND")
    return procedure
