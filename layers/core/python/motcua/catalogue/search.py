"""In-memory search over the published catalogue, ignoring Vietnamese diacritics and case. Pure.

DynamoDB cannot match "dang ky khai sinh" against "Thủ tục đăng ký khai sinh" without a Scan, and the
catalogue is small (about 5,000 procedures), so each API container holds the published procedures in a
:class:`SearchIndex`, built once and rebuilt when the catalogue generation changes (``CatalogueSearch`` in
``motcua.catalogue.service``).

Matching works on the *folded* form of the text (:func:`fold`): decomposed, without combining marks, đ as d,
lowercase, punctuation and runs of whitespace as one space. Every query token must be the prefix of a token
of the folded name ("khai sin" finds "khai sinh"); a query that is exactly a procedure code finds that
procedure. Ranking: the code match, then names holding the whole folded query as a phrase (from a token
start), then the rest; ties in code order. Empty text lists every procedure (filtered) in code order.

The index maps every prefix of every name token to the positions of the names holding it, so a query is a few
dictionary look-ups and set intersections (smallest first) and a phrase check over the survivors; the filters
are precomputed position sets too. Positions are assigned in code order, so sorting positions sorts by code.
"""

from __future__ import annotations

import heapq
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from motcua.catalogue.model import OnlineLevel, Procedure

__all__ = ["LEVELS", "MAX_LIMIT", "SearchIndex", "SearchPage", "SearchQuery", "fold"]

MAX_LIMIT = 100
LEVELS = frozenset({"PROVINCE", "WARD", "MINISTRY", "DISTRICT"})
_ONLINE_LEVELS = frozenset(level.value for level in OnlineLevel)

# -- folding -----------------------------------------------------------------------------------------------

_CACHED_BELOW = 0x3000  # Latin, Vietnamese, combining marks, Greek, Cyrillic…: bounded, cached per character


class _FoldTable(dict[int, str | None]):
    """``str.translate`` table for lowercased NFD text: marks dropped, đ -> d, letters and digits kept, anything
    else a space. Filled on first sight of each character (only below ``_CACHED_BELOW``, so it stays small)."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        value: str | None
        if unicodedata.category(char)[0] == "M":
            value = None
        elif char in "đĐ":
            value = "d"
        elif char.isalnum():
            value = char
        else:
            value = " "
        if code < _CACHED_BELOW:
            self[code] = value
        return value


_FOLD = _FoldTable()


def _fold_once(text: str) -> str:
    return " ".join(unicodedata.normalize("NFD", text.lower()).translate(_FOLD).split())


def fold(text: str) -> str:
    """The diacritics- and case-insensitive form: "Thủ tục ĐĂNG KÝ, khai sinh" -> "thu tuc dang ky khai sinh"."""
    folded = _fold_once(text)
    if folded.isascii():
        return folded
    # Outside ASCII a character may lowercase or decompose into one that folds further (rare, never in
    # Vietnamese): fold again until stable, so that fold is idempotent.
    for _ in range(4):
        again = _fold_once(folded)
        if again == folded:
            break
        folded = again
    return folded


# -- query and page ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    field: str | None = None
    """Field name (lĩnh vực), compared folded."""
    agency: str | None = None
    """Code of an agency that handles the procedure (exact)."""
    level: str | None = None
    """PROVINCE | WARD | MINISTRY (| DISTRICT): one of the procedure's levels."""
    online_level: str | None = None
    """FULL | PARTIAL | NONE."""
    has_fees: bool | None = None
    """True: some fee line has an amount > 0; False: none has."""
    offset: int = 0
    limit: int = 20

    def validate(self) -> None:
        """Raise ValueError for a query the index cannot answer (the API maps it to 400)."""
        if (
            isinstance(self.limit, bool)
            or not isinstance(self.limit, int)
            or not 1 <= self.limit <= MAX_LIMIT
        ):
            raise ValueError(f"limit must be an integer from 1 to {MAX_LIMIT}, not {self.limit!r}")
        if isinstance(self.offset, bool) or not isinstance(self.offset, int) or self.offset < 0:
            raise ValueError(f"offset must be a non-negative integer, not {self.offset!r}")
        if self.level is not None and self.level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(sorted(LEVELS))}, not {self.level!r}")
        if self.online_level is not None and self.online_level not in _ONLINE_LEVELS:
            raise ValueError(
                f"online_level must be one of {', '.join(sorted(_ONLINE_LEVELS))}, not {self.online_level!r}"
            )


@dataclass(frozen=True)
class SearchPage:
    items: tuple[Procedure, ...]
    total: int
    next_offset: int | None


# -- the index ---------------------------------------------------------------------------------------------


def _has_fees(procedure: Procedure) -> bool:
    return any(fee.amount > 0 for fee in procedure.fees)


class SearchIndex:
    """The published procedures, searchable in memory. Immutable once built; safe to share between threads."""

    generation: int

    def __init__(self, procedures: list[Procedure], generation: int) -> None:
        """Use :meth:`build`. ``procedures`` must be in code order with unique codes."""
        self.generation = generation
        self._procedures: tuple[Procedure, ...] = tuple(procedures)
        self._position = {p.code: i for i, p in enumerate(procedures)}
        # " folded name ": a phrase that starts at a token start is `" " + folded query` in it.
        self._padded: tuple[str, ...] = tuple(f" {fold(p.name)} " for p in procedures)
        prefixes: dict[str, list[int]] = {}
        for position, padded in enumerate(self._padded):
            seen: set[str] = set()
            for token in padded.split():
                for end in range(1, len(token) + 1):
                    seen.add(token[:end])
            for prefix in seen:
                prefixes.setdefault(prefix, []).append(position)
        self._prefixes: dict[str, frozenset[int]] = {k: frozenset(v) for k, v in prefixes.items()}

        by_field: dict[str, list[int]] = {}
        by_agency: dict[str, list[int]] = {}
        by_level: dict[str, list[int]] = {}
        by_online: dict[str, list[int]] = {}
        with_fees: list[int] = []
        without_fees: list[int] = []
        field_names: dict[str, Counter[str]] = {}
        for position, p in enumerate(procedures):
            folded_field = fold(p.field_name)
            by_field.setdefault(folded_field, []).append(position)
            if p.field_name:
                field_names.setdefault(folded_field, Counter())[p.field_name] += 1
            for agency in dict.fromkeys(p.agencies):
                by_agency.setdefault(agency, []).append(position)
            for level in dict.fromkeys(part.strip() for part in p.level.split(",")):
                if level:
                    by_level.setdefault(level, []).append(position)
            by_online.setdefault(p.online_level.value, []).append(position)
            (with_fees if _has_fees(p) else without_fees).append(position)
        self._by_field = {k: frozenset(v) for k, v in by_field.items()}
        self._by_agency = {k: frozenset(v) for k, v in by_agency.items()}
        self._by_level = {k: frozenset(v) for k, v in by_level.items()}
        self._by_online = {k: frozenset(v) for k, v in by_online.items()}
        self._by_fees = {True: frozenset(with_fees), False: frozenset(without_fees)}
        # Facets: the most used spelling of each field, most common field first, then by folded name.
        facets = [
            (names.most_common(1)[0][0], sum(names.values()), folded) for folded, names in field_names.items()
        ]
        facets.sort(key=lambda f: (-f[1], f[2], f[0]))
        self._fields: tuple[tuple[str, int], ...] = tuple((name, count) for name, count, _ in facets)

    @classmethod
    def build(cls, procedures: Iterable[Procedure], generation: int) -> SearchIndex:
        """Index ``procedures``; a code given twice keeps its highest version (the first one given on a tie)."""
        by_code: dict[str, Procedure] = {}
        for procedure in procedures:
            there = by_code.get(procedure.code)
            if there is None or procedure.version > there.version:
                by_code[procedure.code] = procedure
        return cls([by_code[code] for code in sorted(by_code)], generation)

    def __len__(self) -> int:
        return len(self._procedures)

    def fields(self) -> list[tuple[str, int]]:
        """Field names (lĩnh vực) with their procedure counts, most common first (the search's facets)."""
        return list(self._fields)

    def search(self, query: SearchQuery) -> SearchPage:
        """One page of the procedures matching ``query``, ranked; raises ValueError for an invalid query."""
        query.validate()
        filters = self._filters(query)
        if filters is not None and any(not f for f in filters):
            return SearchPage((), 0, None)
        text = query.text.strip()
        folded = fold(text)
        code_match = self._position.get(text)
        if code_match is not None and filters and any(code_match not in f for f in filters):
            code_match = None

        if not folded:  # no words: everything that passes the filters, in code order
            if filters is None:
                return self._page(range(len(self._procedures)), query)
            return self._page(sorted(_intersect(filters)), query)

        sets: list[frozenset[int]] = []
        for token in dict.fromkeys(folded.split()):
            found = self._prefixes.get(token)
            if found is None:
                sets = []
                break
            sets.append(found)
        matches = _intersect([*sets, *(filters or ())]) if sets else set()
        if code_match is not None:
            matches.discard(code_match)

        ranked: list[int] = [] if code_match is None else [code_match]
        total = len(ranked) + len(matches)
        if len(sets) == 1 and " " not in folded:
            # One token: a prefix of a name token is always a phrase from a token start, so every match is a
            # phrase match, ranked the same way: shorter names first, then by code.
            wanted = query.offset + query.limit - len(ranked)
            padded = self._padded
            ranked.extend(heapq.nsmallest(wanted, matches, key=lambda i: (len(padded[i]), i)))
        else:
            needle = " " + folded
            padded = self._padded
            phrase = [i for i in matches if needle in padded[i]]
            # The shorter the name around the phrase, the closer to what was asked ("đăng ký khai sinh" puts
            # "Thủ tục đăng ký khai sinh" before its many special cases); then by code.
            phrase.sort(key=lambda i: (len(padded[i]), i))
            ranked.extend(phrase)
            wanted = query.offset + query.limit - len(ranked)
            if wanted > 0:
                ranked.extend(self._smallest(matches.difference(phrase), wanted))
        return self._page(ranked, query, total)

    # -- helpers

    def _filters(self, query: SearchQuery) -> list[frozenset[int]] | None:
        """The position sets the filters allow (None: no filter given)."""
        filters: list[frozenset[int]] = []
        empty: frozenset[int] = frozenset()
        if query.field is not None:
            filters.append(self._by_field.get(fold(query.field), empty))
        if query.agency is not None:
            filters.append(self._by_agency.get(query.agency, empty))
        if query.level is not None:
            filters.append(self._by_level.get(query.level, empty))
        if query.online_level is not None:
            filters.append(self._by_online.get(query.online_level, empty))
        if query.has_fees is not None:
            filters.append(self._by_fees[bool(query.has_fees)])
        return filters or None

    @staticmethod
    def _smallest(positions: set[int] | frozenset[int], count: int) -> list[int]:
        """The ``count`` smallest positions, ascending (all of them when ``count`` is large)."""
        if count <= 0:
            return []
        if count * 8 < len(positions):
            return heapq.nsmallest(count, positions)
        return sorted(positions)

    def _page(self, ranked: range | list[int], query: SearchQuery, total: int | None = None) -> SearchPage:
        total = len(ranked) if total is None else total
        end = query.offset + query.limit
        procedures = self._procedures
        items = tuple(procedures[i] for i in ranked[query.offset : end])
        return SearchPage(items, total, end if end < total else None)


def _intersect(sets: list[frozenset[int]]) -> set[int]:
    """Intersection, smallest set first (each step costs the size of the running result)."""
    ordered = sorted(sets, key=len)
    result = set(ordered[0])
    for other in ordered[1:]:
        result.intersection_update(other)
        if not result:
            break
    return result
