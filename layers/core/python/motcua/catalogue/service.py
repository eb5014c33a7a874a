"""Catalogue use cases for the portal."""

from __future__ import annotations

import binascii
import json

from motcua.catalogue.model import Procedure
from motcua.catalogue.store import CatalogueStore
from motcua.errors import BadRequest, NotFound


def list_procedures(
    store: CatalogueStore, limit: int, cursor: str | None
) -> tuple[list[Procedure], str | None]:
    try:
        return store.list_published(limit=limit, cursor=cursor)
    except (binascii.Error, json.JSONDecodeError, UnicodeDecodeError, TypeError, ValueError) as error:
        raise BadRequest("Tham số phân trang không hợp lệ.", code="INVALID_CURSOR") from error


def get_procedure(store: CatalogueStore, code: str) -> Procedure:
    procedure = store.current(code)
    if procedure is None or not procedure.is_published:
        raise NotFound(f"Không tìm thấy thủ tục hành chính {code}.", code="PROCEDURE_NOT_FOUND")
    return procedure
