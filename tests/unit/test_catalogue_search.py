"""The catalogue's in-memory search (motcua.catalogue.search), over the real national records.

The index is built from every record of tests/fixtures/national-catalogue: the 55 detail records mapped with
``procedure_from_national`` and the index entries without one with ``procedure_from_index`` (with their
execution-shard services where a shard has them). Results are checked against a brute-force reference that
applies the documented rules literally.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.catalogue.model import Fee, OnlineLevel, Procedure
from motcua.catalogue.search import SearchIndex, SearchPage, SearchQuery, fold
from motcua.integrations.national_catalogue import procedure_from_index, procedure_from_national

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "national-catalogue"
KHAI_SINH = "1.001193"  # Thủ tục đăng ký khai sinh (a ward procedure with a detail record)
WARD_AGENCY = "H32.201"
PROVINCE_AGENCY = "H32.16"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def procedures() -> tuple[Procedure, ...]:
    """Every real record, one procedure per code (the detail record where there is one)."""
    found: dict[str, Procedure] = {}
    for path in sorted((FIXTURES / "details").glob("*.json")):
        detail = _json(path)
        agencies = [WARD_AGENCY] if detail.get("isWard") else [PROVINCE_AGENCY]
        found[detail["code"]] = procedure_from_national(detail, agencies=agencies)
    services: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((FIXTURES / "execution").glob("*.json")):
        for code, entry in _json(path)["procedures"].items():
            services[code] = entry.get("dvc") or []
    for item in _json(FIXTURES / "khanh-hoa-catalog.json")["items"]:
        if item["ma"] not in found:
            found[item["ma"]] = procedure_from_index(item, services=services.get(item["ma"], ()))
    return tuple(found.values())


@functools.cache
def index() -> SearchIndex:
    return SearchIndex.build(procedures(), generation=7)


@functools.cache
def folded_names() -> dict[str, str]:
    return {p.code: fold(p.name) for p in procedures()}


def everything(idx: SearchIndex, query: SearchQuery) -> list[Procedure]:
    """All pages of ``query``, in order, checking the paging invariants on the way."""
    items: list[Procedure] = []
    offset: int | None = 0
    totals = set()
    while offset is not None:
        page = idx.search(SearchQuery(**{**query.__dict__, "offset": offset, "limit": 100}))
        totals.add(page.total)
        items.extend(page.items)
        assert page.next_offset is None or page.next_offset == offset + 100
        offset = page.next_offset
    assert len(totals) == 1 and totals == {len(items)}
    return items


def codes(items: tuple[Procedure, ...] | list[Procedure]) -> list[str]:
    return [p.code for p in items]


def _passes(p: Procedure, q: SearchQuery) -> bool:
    return (
        (q.field is None or fold(p.field_name) == fold(q.field))
        and (q.agency is None or q.agency in p.agencies)
        and (q.level is None or q.level in p.level.split(","))
        and (q.online_level is None or p.online_level.value == q.online_level)
        and (q.has_fees is None or any(f.amount > 0 for f in p.fees) == q.has_fees)
    )


def reference(all_procedures: tuple[Procedure, ...], q: SearchQuery) -> list[str]:
    """The documented rules, applied literally: the order every page of a search must follow."""
    names = (
        folded_names() if all_procedures is procedures() else {p.code: fold(p.name) for p in all_procedures}
    )
    text = q.text.strip()
    folded = fold(text)
    candidates = sorted((p for p in all_procedures if _passes(p, q)), key=lambda p: p.code)
    if not folded:
        return [p.code for p in candidates]
    tokens = folded.split()
    code_hit = [p.code for p in candidates if p.code == text]
    by_name = [
        p.code
        for p in candidates
        if p.code != text and all(any(word.startswith(t) for word in names[p.code].split()) for t in tokens)
    ]
    # phrase matches: shorter names first (closest to what was asked), then by code
    phrase = sorted((c for c in by_name if f" {folded}" in f" {names[c]} "), key=lambda c: (len(names[c]), c))
    rest = [c for c in by_name if c not in set(phrase)]
    return code_hit + phrase + rest


def _procedure(code: str, name: str, **fields: Any) -> Procedure:
    return Procedure(code=code, version=1, name=name, **fields)


# ------------------------------------------------------------------------------------------------ fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Thủ tục đăng ký khai sinh", "thu tuc dang ky khai sinh"),
        ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
        (unicodedata.normalize("NFD", "Đăng ký khai sinh"), "dang ky khai sinh"),
        ("  Cấp, đổi (lần 2)/GPLX\t–\nquốc tế.  ", "cap doi lan 2 gplx quoc te"),
        ("1.001193", "1 001193"),
        ("Hòa, Hoà, HÒA", "hoa hoa hoa"),
        ("", ""),
        (" ,.- ", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@settings(deadline=None)
@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@settings(deadline=None)
@given(st.text())
def test_fold_is_normalised(text: str) -> None:
    folded = fold(text)
    assert folded == folded.strip() and "  " not in folded
    assert "đ" not in folded and "Đ" not in folded
    assert not any(unicodedata.combining(c) for c in folded)
    assert all(c.isalnum() or c == " " for c in folded)
    assert folded == " ".join(folded.split())


@settings(deadline=None)  # the first example loads the fixtures
@given(st.data())
def test_fold_of_a_substring_of_a_real_name_is_in_the_folded_name(data: st.DataObject) -> None:
    p = data.draw(st.sampled_from(procedures()))
    start = data.draw(st.integers(0, len(p.name)))
    end = data.draw(st.integers(start, len(p.name)))
    assert fold(p.name[start:end]) in fold(p.name)
    assert fold(p.name[start:end].upper()) in fold(p.name)


# ------------------------------------------------------------------------------------------------ the index


def test_index_holds_every_real_record() -> None:
    idx = index()
    assert len(idx) == len(procedures()) == 4714  # 4,707 index entries + 7 detail records not listed there
    assert idx.generation == 7
    assert sum(1 for p in procedures() if not p.derived) == 55


@pytest.mark.parametrize(
    "text",
    [
        "dang ky khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "Đăng ký khai sinh",
        "đăng ký khai sinh",
        unicodedata.normalize("NFD", "Đăng ký khai sinh"),
        "  dang   ky, khai-sinh ",
    ],
)
def test_diacritics_and_case_do_not_matter(text: str) -> None:
    found = everything(index(), SearchQuery(text=text))
    assert KHAI_SINH in codes(found)
    assert codes(found) == codes(everything(index(), SearchQuery(text="dang ky khai sinh")))
    words = ["dang", "ky", "khai", "sinh"]
    assert all(any(w.startswith(t) for w in fold(p.name).split()) for p in found for t in words)
    phrase = ["dang ky khai sinh" in fold(p.name) for p in found]
    assert phrase == sorted(phrase, reverse=True) and phrase.count(True) == 10  # the phrase matches first
    assert codes(found)[0] == KHAI_SINH  # and among them the plain procedure, before its special cases


def test_every_token_is_a_token_prefix() -> None:
    assert KHAI_SINH in codes(everything(index(), SearchQuery(text="khai sin")))
    assert KHAI_SINH in codes(everything(index(), SearchQuery(text="dan k kh s")))
    assert KHAI_SINH in codes(everything(index(), SearchQuery(text="khai sinh dang ky")))  # any order
    assert KHAI_SINH not in codes(everything(index(), SearchQuery(text="ang ky khai sinh")))  # not a prefix
    assert everything(index(), SearchQuery(text="dang ky khai sinhx")) == []
    assert everything(index(), SearchQuery(text="zzzqqq")) == []


def test_search_matches_the_reference_on_real_queries() -> None:
    for text in ["cap", "cấp giấy phép", "Thủ tục", "hải quan", "đất đai", "giay", "1.001193 x"]:
        q = SearchQuery(text=text)
        assert codes(everything(index(), q)) == reference(procedures(), q), text


def test_a_code_finds_its_procedure() -> None:
    page = index().search(SearchQuery(text=KHAI_SINH))
    assert codes(page.items) == [KHAI_SINH] and page.total == 1 and page.next_offset is None
    assert codes(index().search(SearchQuery(text=f"  {KHAI_SINH} ")).items) == [KHAI_SINH]
    assert index().search(SearchQuery(text="9.999999")).total == 0


def test_a_code_match_ranks_first_then_phrases_then_the_rest() -> None:
    idx = SearchIndex.build(
        [
            _procedure("1.000001", "Khai sinh, đăng ký lại"),  # every token, not the phrase
            _procedure("1.000002", "Đăng ký khai sinh"),
            _procedure("1.000003", "Thủ tục đăng ký khai sinh có yếu tố nước ngoài"),
            _procedure("1.000004", "Đăng ký kết hôn"),  # not every token
            _procedure("1.000009", "Đăng ký khai sinh theo mẫu 1.000005"),
            _procedure("1.000005", "Cấp bản sao trích lục hộ tịch"),
            _procedure("1.000006", "Thay đổi thông tin của thủ tục 1.000005"),
        ],
        generation=1,
    )
    # phrase matches shorter names first ("… theo mẫu 1.000005" is shorter than "… có yếu tố nước ngoài")
    assert codes(idx.search(SearchQuery(text="dang ky khai sinh")).items) == [
        "1.000002",
        "1.000009",
        "1.000003",
        "1.000001",
    ]
    # The code first, then the names holding it as a phrase (shorter names first).
    assert codes(idx.search(SearchQuery(text="1.000005")).items) == ["1.000005", "1.000009", "1.000006"]
    assert codes(idx.search(SearchQuery(text="KHAI SINH dang ky")).items) == [
        "1.000001",
        "1.000002",
        "1.000003",
        "1.000009",
    ]


def test_empty_text_lists_everything_in_code_order() -> None:
    found = everything(index(), SearchQuery())
    assert codes(found) == sorted(p.code for p in procedures())
    assert codes(everything(index(), SearchQuery(text="  ,. "))) == codes(found)


# ------------------------------------------------------------------------------------------------ filters


FILTERS: list[dict[str, Any]] = [
    {"field": "Hộ tịch"},
    {"field": "HO TICH"},
    {"field": "quản lý xuất nhập cảnh"},
    {"field": "no such field"},
    {"agency": WARD_AGENCY},
    {"agency": PROVINCE_AGENCY},
    {"agency": "H32.25"},  # from the execution shards
    {"agency": "H32.2"},  # exact, not a prefix
    {"level": "PROVINCE"},
    {"level": "WARD"},
    {"level": "MINISTRY"},
    {"online_level": "FULL"},
    {"online_level": "PARTIAL"},
    {"online_level": "NONE"},
    {"has_fees": True},
    {"has_fees": False},
    {"level": "WARD", "field": "ho tich", "has_fees": False},
    {"level": "PROVINCE", "online_level": "FULL", "agency": PROVINCE_AGENCY},
    {"agency": WARD_AGENCY, "has_fees": True, "online_level": "PARTIAL"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()))
@pytest.mark.parametrize("text", ["", "dang ky", "cap giay phep", KHAI_SINH])
def test_filters_alone_and_combined(filters: dict[str, Any], text: str) -> None:
    q = SearchQuery(text=text, **filters)
    found = everything(index(), q)
    assert codes(found) == reference(procedures(), q)
    assert all(_passes(p, q) for p in found)


def test_each_filter_selects_something_real() -> None:
    for filters in FILTERS:
        q = SearchQuery(**filters)
        expected = [p for p in procedures() if _passes(p, q)]
        assert index().search(q).total == len(expected)
        if filters not in ({"field": "no such field"}, {"agency": "H32.2"}):
            assert expected, filters


def test_a_code_match_obeys_the_filters() -> None:
    assert codes(index().search(SearchQuery(text=KHAI_SINH, level="WARD")).items) == [KHAI_SINH]
    assert index().search(SearchQuery(text=KHAI_SINH, level="PROVINCE")).total == 0
    assert index().search(SearchQuery(text=KHAI_SINH, agency=PROVINCE_AGENCY)).total == 0


def test_has_fees_counts_only_positive_amounts() -> None:
    idx = SearchIndex.build(
        [
            _procedure("1.000001", "A", fees=(Fee(type="FEE", amount=0, description="HĐND quy định"),)),
            _procedure("1.000002", "B", fees=(Fee(type="FEE", amount=0), Fee(type="CHARGE", amount=8000))),
            _procedure("1.000003", "C"),
        ],
        generation=1,
    )
    assert codes(idx.search(SearchQuery(has_fees=True)).items) == ["1.000002"]
    assert codes(idx.search(SearchQuery(has_fees=False)).items) == ["1.000001", "1.000003"]


# ------------------------------------------------------------------------------------------------ paging


@pytest.mark.parametrize(("text", "limit"), [("", 100), ("cap", 7), ("dang ky", 13), ("thu tuc hai quan", 1)])
def test_pages_do_not_overlap_and_end(text: str, limit: int) -> None:
    seen: list[str] = []
    offset: int | None = 0
    totals = set()
    while offset is not None:
        page = index().search(SearchQuery(text=text, offset=offset, limit=limit))
        totals.add(page.total)
        assert 1 <= len(page.items) <= limit
        seen.extend(codes(page.items))
        offset = page.next_offset
    (total,) = totals
    assert len(seen) == len(set(seen)) == total
    assert seen == reference(procedures(), SearchQuery(text=text))


def test_a_page_past_the_end_is_empty() -> None:
    total = index().search(SearchQuery(text="dang ky khai sinh")).total
    page = index().search(SearchQuery(text="dang ky khai sinh", offset=total, limit=5))
    assert page == SearchPage((), total, None)
    last = index().search(SearchQuery(text="dang ky khai sinh", offset=total - 1, limit=1))
    assert len(last.items) == 1 and last.next_offset is None
    exact = index().search(SearchQuery(text="dang ky khai sinh", offset=0, limit=total))
    assert len(exact.items) == total and exact.next_offset is None


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(limit=0),
        SearchQuery(limit=101),
        SearchQuery(limit=-1),
        SearchQuery(offset=-1),
        SearchQuery(level="COMMUNE"),
        SearchQuery(online_level="ALL"),
    ],
)
def test_invalid_queries_are_refused(query: SearchQuery) -> None:
    with pytest.raises(ValueError):
        index().search(query)


def test_limits_at_the_bounds_are_accepted() -> None:
    assert len(index().search(SearchQuery(limit=1)).items) == 1
    assert len(index().search(SearchQuery(limit=100)).items) == 100


# ------------------------------------------------------------------------------------------------ facets


def test_fields_are_counted_most_common_first() -> None:
    facets = index().fields()
    counts = [count for _, count in facets]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) == sum(1 for p in procedures() if p.field_name)
    assert len({fold(name) for name, _ in facets}) == len(facets)
    for name, count in facets:
        assert index().search(SearchQuery(field=name, limit=1)).total == count
    assert dict(facets)["Hộ tịch"] == sum(1 for p in procedures() if fold(p.field_name) == "ho tich")


def test_fields_group_spellings_and_skip_empty() -> None:
    idx = SearchIndex.build(
        [
            _procedure("1.000001", "A", field_name="Hộ tịch"),
            _procedure("1.000002", "B", field_name="Hộ tịch"),
            _procedure("1.000003", "C", field_name="HỘ TỊCH"),
            _procedure("1.000004", "D", field_name="Chứng thực"),
            _procedure("1.000005", "E"),
        ],
        generation=1,
    )
    assert idx.fields() == [("Hộ tịch", 3), ("Chứng thực", 1)]


def test_build_keeps_the_highest_version_of_a_code() -> None:
    idx = SearchIndex.build(
        [
            Procedure(code="1.000001", version=2, name="Mới"),
            Procedure(code="1.000001", version=1, name="Cũ"),
            Procedure(code="1.000002", version=1, name="Khác", online_level=OnlineLevel.FULL),
        ],
        generation=3,
    )
    assert len(idx) == 2
    assert [p.name for p in idx.search(SearchQuery()).items] == ["Mới", "Khác"]
    assert idx.search(SearchQuery(text="cu")).total == 0


# ------------------------------------------------------------------------------------------------ properties


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_full_name_finds_its_procedure_first_or_among_exact_phrases(data: st.DataObject) -> None:
    p = data.draw(st.sampled_from(procedures()))
    text = data.draw(
        st.sampled_from([p.name, p.name.upper(), fold(p.name), unicodedata.normalize("NFD", p.name)])
    )
    found = everything(index(), SearchQuery(text=text))
    position = codes(found).index(p.code)
    target = fold(p.name)
    assert all(f" {target}" in f" {folded_names()[q.code]} " for q in found[: position + 1])


@st.composite
def real_queries(draw: st.DrawFn) -> SearchQuery:
    p = draw(st.sampled_from(procedures()))
    words = p.name.split()
    start = draw(st.integers(0, max(0, len(words) - 1)))
    count = draw(st.integers(1, 4))
    text = " ".join(words[start : start + count])
    if draw(st.booleans()) and text:  # cut the last word: a token prefix
        text = text[: draw(st.integers(1, len(text)))]
    text = draw(st.sampled_from([text, text.upper(), text.lower(), fold(text), p.code, ""]))
    return SearchQuery(
        text=text,
        field=draw(st.none() | st.just(p.field_name)),
        agency=draw(st.none() | st.sampled_from([*p.agencies, WARD_AGENCY])),
        level=draw(st.none() | st.sampled_from(["PROVINCE", "WARD", "MINISTRY"])),
        online_level=draw(st.none() | st.sampled_from(["FULL", "PARTIAL", "NONE"])),
        has_fees=draw(st.none() | st.booleans()),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(real_queries())
def test_search_is_the_reference_on_random_real_queries(query: SearchQuery) -> None:
    assert codes(everything(index(), query)) == reference(procedures(), query)
