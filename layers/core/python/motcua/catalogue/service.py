"""Catalogue use cases for the portal."""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING

from motcua.catalogue.model import Procedure
from motcua.catalogue.search import SearchIndex, SearchPage, SearchQuery

if TYPE_CHECKING:  # the store arrives as an argument; importing it here would only slow the API's cold start
    from motcua.catalogue.store import CatalogueStore

from motcua.errors import BadRequest, NotFound


def get_procedure(store: CatalogueStore, code: str) -> Procedure:
    procedure = store.current(code)
    if procedure is None or not procedure.is_published:
        raise NotFound(f"Không tìm thấy thủ tục hành chính {code}.", code="PROCEDURE_NOT_FOUND")
    return procedure


# ----------------------------------------------------------------------------- search (the portal's catalogue)
SEARCH_REFRESH_SECONDS = 30.0


class CatalogueSearch:
    """The published catalogue searched in memory, one index per container.

    Search must ignore Vietnamese diacritics and case, which DynamoDB cannot do without a Scan. The index is
    built from one paged Query of the published procedures and rebuilt when the sync bumps the catalogue
    generation; the generation (one GetItem) is checked at most every ``SEARCH_REFRESH_SECONDS``, so a sync is
    visible within that time (docs/decisions.md). Measured in ``make bench`` (catalogue-search).
    """

    def __init__(self, store: CatalogueStore, refresh_seconds: float = SEARCH_REFRESH_SECONDS) -> None:
        self._store = store
        self._refresh = refresh_seconds
        self._index: SearchIndex | None = None
        self._checked = -math.inf
        self._lock = threading.Lock()

    def index(self) -> SearchIndex:
        with self._lock:
            now = time.monotonic()
            if self._index is None or now - self._checked >= self._refresh:
                generation = self._store.generation()
                self._checked = now
                if self._index is None or generation != self._index.generation:
                    self._index = SearchIndex.build(self._store.published(), generation)
            return self._index

    def search(self, query: SearchQuery) -> SearchPage:
        return self.index().search(query)

    def overruns(self) -> list[Procedure]:
        """Published procedures whose internal steps need more than the legal time (for the administrator)."""
        page = self.index().search(SearchQuery(limit=100))
        found = [p for p in page.items if p.steps_overrun]
        offset = page.next_offset
        while offset is not None:
            page = self.index().search(SearchQuery(offset=offset, limit=100))
            found.extend(p for p in page.items if p.steps_overrun)
            offset = page.next_offset
        return found


def search_procedures(search: CatalogueSearch, query: SearchQuery) -> SearchPage:
    try:
        return search.search(query)
    except ValueError as error:
        raise BadRequest("Tham số tìm kiếm không hợp lệ.", code="INVALID_QUERY") from error


def parse_offset(cursor: str | None) -> int:
    """The portal's paging cursor is the next offset, as the previous page returned it."""
    if not cursor:
        return 0
    if not cursor.isdigit() or len(cursor) > 7:
        raise BadRequest("Tham số phân trang không hợp lệ.", code="INVALID_CURSOR")
    return int(cursor)
