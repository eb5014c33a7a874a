"""Agencies and beneficiary accounts as plain data, over the real national list of Khánh Hòa's agencies.

The expected kinds below were counted by reading the 166 names of
tests/fixtures/national-catalogue/khanh-hoa-agencies.json: 16 "UBND phường …", 48 "UBND xã …", 11 "Sở …" /
"Ban Quản lý …", 15 "Chi nhánh Văn phòng Đăng ký đất đai …", 9 other sub-units (Văn phòng Đăng ký đất đai, 5
"Điểm giao dịch việc làm", a vocational school, the employment centre's one-stop desk and counselling room),
UBND tỉnh, and 66 vertical bodies: 65 "Ban CHQS <phường | xã | Đặc khu Trường Sa>" (G11.12.004.nnn) and
"NHNN Khu vực 10" (G19.110). The special zone appears only as "Ban CHQS Đặc khu Trường Sa": the list has no
"UBND đặc khu" record, so no agency is SPECIAL_ZONE in the real data.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from motcua.agencies.model import (
    Agency,
    AgencyKind,
    BeneficiaryAccount,
    Level,
    Unit,
    active_account_for,
    agencies_from_national,
    build_tree,
    classify,
    code_key,
    level_of,
    nest,
    overlapping_accounts,
    parent_of,
    periods_overlap,
    read_national,
    resolve_parent,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "national-catalogue" / "khanh-hoa-agencies.json"

EXPECTED_KINDS = {
    AgencyKind.VERTICAL: 66,
    AgencyKind.COMMUNE: 48,
    AgencyKind.WARD: 16,
    AgencyKind.BRANCH: 15,
    AgencyKind.DEPARTMENT: 11,
    AgencyKind.UNIT: 9,
    AgencyKind.PROVINCE: 1,
}


def _records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return records


@pytest.fixture(scope="module")
def agencies() -> list[Agency]:
    return agencies_from_national(_records(), "H32")


def _by_code(agencies: list[Agency]) -> dict[str, Agency]:
    return {a.code: a for a in agencies}


# --------------------------------------------------------------------------- the real list
def test_the_real_list_reads_whole(agencies: list[Agency]) -> None:
    national = read_national(_records(), "H32")
    assert national.skipped == ()
    assert len(agencies) == 166
    assert {a.province_code for a in agencies} == {"H32"}


def test_counts_per_kind(agencies: list[Agency]) -> None:
    assert Counter(a.kind for a in agencies) == EXPECTED_KINDS
    assert sum(EXPECTED_KINDS.values()) == 166
    assert not [a for a in agencies if a.kind is AgencyKind.OTHER]


def _kind_by_reading(code: str, name: str) -> AgencyKind:
    """The kind a person reads off the name, written independently of ``classify``."""
    n = name.casefold()
    if code.startswith("G"):
        return AgencyKind.VERTICAL
    if n.startswith("ubnd tỉnh"):
        return AgencyKind.PROVINCE
    if n.startswith("ubnd phường"):
        return AgencyKind.WARD
    if n.startswith("ubnd xã"):
        return AgencyKind.COMMUNE
    if n.startswith("ubnd đặc khu"):
        return AgencyKind.SPECIAL_ZONE
    if n.startswith("chi nhánh"):
        return AgencyKind.BRANCH
    if n.startswith(("sở ", "ban quản lý")):
        return AgencyKind.DEPARTMENT
    return AgencyKind.UNIT


@pytest.mark.parametrize("record", _records(), ids=lambda r: r["code"])
def test_each_real_record_classifies_as_its_name_says(record: dict[str, Any]) -> None:
    assert classify(record["code"], record["name"]) is _kind_by_reading(record["code"], record["name"])


def test_wards_communes_and_the_special_zone(agencies: list[Agency]) -> None:
    by_code = _by_code(agencies)
    assert by_code["H32.201"].kind is AgencyKind.WARD  # UBND phường Ba Ngòi
    assert by_code["H32.206"].kind is AgencyKind.WARD  # "UBND Phường Cam Ranh": capital P in the data
    assert by_code["H32.217"].kind is AgencyKind.COMMUNE  # UBND xã Anh Dũng
    commune_level = [a for a in agencies if a.code.startswith("H32.2") and len(a.code) == 7]
    assert len(commune_level) == 64
    assert {a.kind for a in commune_level} == {AgencyKind.WARD, AgencyKind.COMMUNE}
    assert {a.level for a in commune_level} == {Level.COMMUNE}
    zone = by_code["G11.12.004.041"]
    assert zone.name == "Ban CHQS Đặc khu Trường Sa"
    assert (zone.kind, zone.level) == (AgencyKind.VERTICAL, Level.COMMUNE)
    # The commune military commands are not wards, though their names say "Phường".
    assert by_code["G11.12.004.001"].kind is AgencyKind.VERTICAL
    assert by_code["G19.110"].level is Level.CENTRAL


def test_levels(agencies: list[Agency]) -> None:
    assert Counter(a.level for a in agencies) == {
        Level.COMMUNE: 16 + 48 + 65,
        Level.PROVINCE: 1 + 11 + 15 + 9,
        Level.CENTRAL: 1,
    }


@pytest.mark.parametrize(
    ("code", "name", "kind"),
    [
        ("H32.265", "UBND đặc khu Trường Sa", AgencyKind.SPECIAL_ZONE),
        ("H32.265", "Đặc khu Trường Sa", AgencyKind.SPECIAL_ZONE),
        ("H32.212", "Phường Nha Trang", AgencyKind.WARD),
        ("H32.229", "Ủy ban nhân dân xã Diên Khánh", AgencyKind.COMMUNE),
        ("H32.229", "Uỷ ban nhân dân xã Diên Khánh", AgencyKind.COMMUNE),  # old tone placement
        ("H32.212", unicodedata.normalize("NFD", "  UBND  phường Nha Trang "), AgencyKind.WARD),
        ("H32", "UBND tỉnh Khánh Hòa", AgencyKind.PROVINCE),
        ("H32.13", "Sở Tài chính - tỉnh Khánh Hòa", AgencyKind.DEPARTMENT),
        ("H32.90", "Ban Quản lý Khu kinh tế và Khu công nghiệp tỉnh Khánh Hòa", AgencyKind.DEPARTMENT),
        ("H32.01", "Văn phòng UBND tỉnh", AgencyKind.DEPARTMENT),
        ("H32.47", "Trung tâm Phục vụ hành chính công", AgencyKind.DEPARTMENT),  # two digits: a department
        ("H32.24.19.07", "Chi nhánh Văn phòng Đăng ký đất đai Nha Trang", AgencyKind.BRANCH),
        ("H32.24.19", "Văn phòng Đăng ký đất đai Khánh Hòa", AgencyKind.UNIT),
        ("H32.201.03", "Bộ phận một cửa", AgencyKind.UNIT),
        ("H32.299", "Trung tâm Y tế", AgencyKind.OTHER),  # three digits, but no ward/commune name
        ("G11.12.004.009", "Ban CHQS Xã Cam Hiệp", AgencyKind.VERTICAL),
        ("H32.70", "Bảo hiểm xã hội tỉnh Khánh Hòa", AgencyKind.VERTICAL),
        ("H32.71", "Công an tỉnh Khánh Hòa", AgencyKind.VERTICAL),
    ],
)
def test_classify(code: str, name: str, kind: AgencyKind) -> None:
    assert classify(code, name) is kind


@pytest.mark.parametrize(
    ("code", "name", "level"),
    [
        ("G11.12.004.009", "Ban CHQS Xã Cam Hiệp", Level.COMMUNE),
        ("G11.12", "Bộ CHQS tỉnh Khánh Hòa", Level.PROVINCE),
        ("G20.1", "Bảo hiểm xã hội khu vực XXV", Level.CENTRAL),  # "xã hội" is not a commune
        ("H32.201.03", "Bộ phận một cửa", Level.COMMUNE),
        ("H32.24.19.07", "Chi nhánh Văn phòng Đăng ký đất đai Nha Trang", Level.PROVINCE),
    ],
)
def test_level_of(code: str, name: str, level: Level) -> None:
    assert level_of(code, classify(code, name), name) is level


# --------------------------------------------------------------------------- parents and the tree
@pytest.mark.parametrize(
    ("code", "parent"),
    [
        ("H32", None),
        ("H32.201", "H32"),
        ("H32.11", "H32"),
        ("H32.11.13.1", "H32.11.13"),
        ("H32.24.19.01", "H32.24.19"),
        ("G19.110", "G19"),
    ],
)
def test_parent_of_is_structural(code: str, parent: str | None) -> None:
    assert parent_of(code) == parent


def test_stored_parent_is_the_nearest_listed_ancestor(agencies: list[Agency]) -> None:
    by_code = _by_code(agencies)
    assert "H32.11.13" not in by_code  # the employment-services centre itself is not listed
    assert {by_code[f"H32.11.13.{n}"].parent_code for n in (1, 2, 3, 4, 5, 6, 8, 9)} == {"H32.11"}
    assert {by_code[f"H32.24.19.{n:02d}"].parent_code for n in range(1, 16)} == {"H32.24.19"}
    assert by_code["H32.24.19"].parent_code == "H32.24"
    assert by_code["H32"].parent_code is None
    assert all(a.parent_code == "H32" for a in agencies if a.code.startswith("G"))
    assert resolve_parent("H32.11.13.1", {"H32", "H32.11", "H32.11.13"}, "H32") == "H32.11.13"
    assert resolve_parent("H32.11.13.1", set(), "H32") == "H32"


def test_every_commune_level_committee_hangs_under_the_province(agencies: list[Agency]) -> None:
    committees = [a for a in agencies if a.code.startswith("H32.2") and len(a.code) == 7]
    assert [a.code for a in committees] == [f"H32.{n}" for n in range(201, 265)]
    assert {a.parent_code for a in committees} == {"H32"}


def test_the_tree_has_one_root_and_no_cycle(agencies: list[Agency]) -> None:
    tree = build_tree(agencies)
    assert [a.code for a in tree[None]] == ["H32"]
    by_code = _by_code(agencies)
    for agency in agencies:
        seen: list[str] = [agency.code]
        current = agency
        while current.parent_code is not None:
            current = by_code[current.parent_code]
            assert current.code not in seen, f"cycle through {seen}"
            seen.append(current.code)
        assert seen[-1] == "H32"
        assert len(seen) <= 4
    assert sum(len(children) for children in tree.values()) == 166


def test_nest_and_child_order(agencies: list[Agency]) -> None:
    (root,) = nest(agencies)
    assert root.agency.code == "H32"

    def count(node: Any) -> int:
        return 1 + sum(count(child) for child in node.children)

    assert count(root) == 166
    codes = [child.agency.code for child in root.children]
    # The province's own tree in natural order, then the vertical bodies.
    assert codes[:12] == ["H32.03", "H32.05", "H32.08", "H32.11", "H32.13", "H32.16", "H32.18", "H32.19",
                          "H32.24", "H32.25", "H32.90", "H32.201"]  # fmt: skip
    assert codes[-1] == "G19.110"
    land = next(c for c in next(c for c in root.children if c.agency.code == "H32.24").children)
    assert [c.agency.code for c in land.children] == [f"H32.24.19.{n:02d}" for n in range(1, 16)]


def test_code_key_is_natural() -> None:
    codes = ["H32.201", "H32.24.19.10", "H32.24", "H32.24.19.2", "H32.03"]
    assert sorted(codes, key=code_key) == ["H32.03", "H32.24", "H32.24.19.2", "H32.24.19.10", "H32.201"]


def _agency(code: str, parent: str | None) -> Agency:
    return Agency(
        code=code,
        name=code,
        kind=AgencyKind.OTHER,
        parent_code=parent,
        province_code="H32",
        level=Level.PROVINCE,
    )


def test_build_tree_refuses_cycles_and_duplicates() -> None:
    with pytest.raises(ValueError, match="cycle"):
        build_tree([_agency("H32", None), _agency("H32.01", "H32.02"), _agency("H32.02", "H32.01")])
    with pytest.raises(ValueError, match="twice"):
        build_tree([_agency("H32", None), _agency("H32", None)])


def test_orphans_are_roots() -> None:
    tree = build_tree([_agency("H32.01", "H32"), _agency("H32.01.1", "H32.01")])
    assert [a.code for a in tree[None]] == ["H32.01"]


# --------------------------------------------------------------------------- reading the national list
def test_read_national_skips_and_normalises() -> None:
    records: list[Any] = [
        {"code": " H32 ", "name": unicodedata.normalize("NFD", " UBND tỉnh  Khánh Hòa\t")},
        {"code": "H30.201", "name": "UBND phường X"},  # another province
        {"code": "H32.201", "name": "UBND phường Ba Ngòi"},
        {"code": "H32.201", "name": "UBND phường Ba Ngòi (bản trùng)"},
        {"code": "h32.202", "name": "UBND phường Bảo An"},
        {"code": "H32.203", "name": "  "},
        {"code": "", "name": "Không mã"},
        "not an object",
        {"code": "G19.110", "name": "NHNN Khu vực 10"},
    ]
    national = read_national(records, "H32")
    assert [a.code for a in national.agencies] == ["H32", "H32.201", "G19.110"]
    assert national.agencies[0].name == "UBND tỉnh Khánh Hòa"
    assert unicodedata.is_normalized("NFC", national.agencies[0].name)
    assert [(s.code, s.reason) for s in national.skipped] == [
        ("H30.201", "another province (H30)"),
        ("H32.201", "duplicate code"),
        ("h32.202", "malformed code"),
        ("H32.203", "no name"),
        ("", "no code"),
        ("", "not an object"),
    ]
    with pytest.raises(ValueError):
        read_national([], "Khánh Hòa")


def test_another_province_keeps_only_the_bodies_outside_any_province_tree() -> None:
    national = read_national(_records(), "H30")
    assert len(national.skipped) == 100
    assert {s.reason for s in national.skipped} == {"another province (H32)"}
    assert len(national.agencies) == 66
    assert {(a.kind, a.parent_code, a.province_code) for a in national.agencies} == {
        (AgencyKind.VERTICAL, "H30", "H30")
    }


def test_agency_rules() -> None:
    with pytest.raises(ValidationError):
        _agency("H32", "H32")
    with pytest.raises(ValidationError):
        Agency.model_validate(
            _agency("H32.01", "H32").model_dump()
            | {"valid_from": date(2025, 7, 1), "valid_to": date(2025, 7, 1)}
        )
    with pytest.raises(ValidationError):
        _agency("32.01", "H32")
    old = Agency.model_validate(
        _agency("H32.01", "H32").model_dump()
        | {"valid_from": date(2020, 1, 1), "valid_to": date(2025, 7, 1), "succeeded_by": "H32.02"}
    )
    assert old.in_force_on(date(2025, 6, 30)) and not old.in_force_on(date(2025, 7, 1))
    assert not old.model_copy(update={"active": False}).in_force_on(date(2024, 1, 1))


def test_unit() -> None:
    unit = Unit(agency_code="H32.201", code=" MC ", name="Bộ phận một cửa")
    assert unit.code == "MC"
    with pytest.raises(ValidationError):
        Unit(agency_code="H32.201", code="", name="x")


# --------------------------------------------------------------------------- beneficiary accounts
def _account(**fields: Any) -> BeneficiaryAccount:
    values: dict[str, Any] = {
        "agency_code": "H32.201",
        "fee_codes": ("LP-KS",),
        "bank": "Kho bạc Nhà nước khu vực XIII",
        "account_no": "3511010000001",
        "account_name": "UBND phường Ba Ngòi",
        "treasury_code": "2111",
        "valid_from": date(2025, 7, 1),
        "valid_to": None,
    }
    return BeneficiaryAccount.model_validate(values | fields)


@pytest.mark.parametrize("account_no", ["", "0123 456", "12a4", "3511.0.1052345.00000", "-1", "١٢٣"])
def test_account_number_is_digits_only(account_no: str) -> None:
    with pytest.raises(ValidationError):
        _account(account_no=account_no)


@pytest.mark.parametrize("valid_to", [date(2025, 7, 1), date(2025, 6, 30)])
def test_account_ends_after_it_starts(valid_to: date) -> None:
    with pytest.raises(ValidationError):
        _account(valid_to=valid_to)
    assert _account(valid_to=date(2025, 7, 2)).covers(date(2025, 7, 1))


def test_account_fee_codes() -> None:
    assert _account(fee_codes=[" A ", "B", "A"]).fee_codes == ("A", "B")
    for bad in ([], ["A", " "]):
        with pytest.raises(ValidationError):
            _account(fee_codes=bad)
    with pytest.raises(ValidationError):
        _account(unknown="x")


def test_active_account_for_follows_half_open_periods() -> None:
    old = _account(account_no="111", valid_from=date(2025, 1, 1), valid_to=date(2025, 7, 1))
    new = _account(account_no="222", valid_from=date(2025, 7, 1))
    other_fee = _account(account_no="333", fee_codes=("PHI-DD",), valid_from=date(2020, 1, 1))
    accounts = [new, other_fee, old]
    assert active_account_for(accounts, "LP-KS", date(2024, 12, 31)) is None
    assert active_account_for(accounts, "LP-KS", date(2025, 6, 30)) == old
    assert active_account_for(accounts, "LP-KS", date(2025, 7, 1)) == new
    assert active_account_for(accounts, "PHI-DD", date(2025, 7, 1)) == other_fee
    assert active_account_for(accounts, "UNKNOWN", date(2025, 7, 1)) is None
    assert not old.overlaps(new)
    assert overlapping_accounts(accounts, _account(account_no="444", valid_from=date(2025, 6, 30))) == [
        new,
        old,
    ]


BASE = date(2025, 1, 1)
FEES = ("A", "B", "C")


@st.composite
def accounts_st(draw: st.DrawFn) -> BeneficiaryAccount:
    start = BASE + timedelta(days=draw(st.integers(0, 40)))
    length = draw(st.one_of(st.none(), st.integers(1, 30)))
    return _account(
        fee_codes=tuple(draw(st.sets(st.sampled_from(FEES), min_size=1))),
        account_no=str(draw(st.integers(0, 10**12))),
        valid_from=start,
        valid_to=None if length is None else start + timedelta(days=length),
    )


def _covers_by_definition(account: BeneficiaryAccount, day: date) -> bool:
    return account.valid_from <= day and (account.valid_to is None or day < account.valid_to)


@given(st.lists(accounts_st(), max_size=6), st.sampled_from(FEES), st.integers(-5, 80))
def test_active_account_for_matches_its_definition(
    accounts: list[BeneficiaryAccount], fee: str, offset: int
) -> None:
    day = BASE + timedelta(days=offset)
    chosen = active_account_for(accounts, fee, day)
    covering = [a for a in accounts if fee in a.fee_codes and _covers_by_definition(a, day)]
    if not covering:
        assert chosen is None
        return
    assert chosen in covering
    assert chosen is not None and chosen.valid_from == max(a.valid_from for a in covering)


@given(accounts_st(), accounts_st())
def test_overlap_means_a_shared_day_and_fee(a: BeneficiaryAccount, b: BeneficiaryAccount) -> None:
    days = [BASE + timedelta(days=n) for n in range(-1, 80)]
    shared_day = any(_covers_by_definition(a, d) and _covers_by_definition(b, d) for d in days)
    assert periods_overlap(a.valid_from, a.valid_to, b.valid_from, b.valid_to) is shared_day
    assert a.overlaps(b) is (shared_day and bool(set(a.fee_codes) & set(b.fee_codes)))
    assert a.overlaps(b) is b.overlaps(a)


@given(accounts_st(), st.integers(0, 80))
def test_non_overlapping_accounts_have_one_answer(a: BeneficiaryAccount, gap: int) -> None:
    """An account that takes over the day the previous one ends never overlaps it and wins from then on."""
    end = a.valid_to or a.valid_from + timedelta(days=1)
    first = a.model_copy(update={"valid_to": end})
    second = _account(fee_codes=first.fee_codes, account_no="9", valid_from=end)
    assert not first.overlaps(second)
    fee = first.fee_codes[0]
    day = first.valid_from + timedelta(days=gap)
    expected = first if day < end else second
    assert active_account_for([second, first], fee, day) == expected


def test_periods_overlap_with_open_bounds() -> None:
    assert periods_overlap(None, None, date(2025, 1, 1), date(2025, 1, 2))
    assert periods_overlap(None, date(2025, 1, 2), date(2025, 1, 1), None)
    assert not periods_overlap(None, date(2025, 1, 1), date(2025, 1, 1), None)
