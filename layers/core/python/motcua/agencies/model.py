"""Agencies of the province and their beneficiary accounts as plain data (DOMAIN §3.2, §4). No I/O here.

The national list names Khánh Hòa's agencies (cơ quan, đơn vị) with short dotted codes
(tests/fixtures/national-catalogue/khanh-hoa-agencies.json):

* ``H32``: UBND tỉnh (the province's people's committee), the root;
* ``H32.xx`` (two digits, ``H32.03``–``H32.90``): sở, ban, ngành cấp tỉnh (departments);
* ``H32.2xx`` (three digits, ``H32.201``–``H32.264``): UBND phường / xã / đặc khu, the commune level that
  replaced the districts on 1 July 2025 (Khánh Hòa merged with Ninh Thuận);
* ``H32.xx.yy[.z]``: units under a department: ``H32.24.19`` Văn phòng Đăng ký đất đai and its chi nhánh
  ``H32.24.19.01``–``.15``; ``H32.11.13.z`` units of the employment-services centre of Sở Nội vụ;
* ``G…``: bodies of central ministries on the province's territory (cơ quan ngành dọc): ``G11.12.004.nnn``
  Ban Chỉ huy quân sự of each commune (Bộ Quốc phòng), ``G19.110`` NHNN Khu vực 10 (Ngân hàng Nhà nước).

The parent rule. :func:`parent_of` is structural: drop the last dotted segment (``H32.11.13.1`` ->
``H32.11.13``, ``H32.24.19.01`` -> ``H32.24.19``, ``H32.201`` -> ``H32``, ``H32`` -> None). The data shows the
segments are real levels: the land-registration branches ``H32.24.19.nn`` belong to the land-registration
office ``H32.24.19``, not directly to the Sở. An agency's stored ``parent_code`` is the nearest ancestor that
is *listed* (:func:`resolve_parent`): ``H32.11.13`` (Trung tâm Dịch vụ việc làm) is not in the national list,
so ``H32.11.13.1`` hangs under ``H32.11`` (Sở Nội vụ) until the centre appears. Bodies outside the province's
code tree (``G…``) hang under the province root: they are on its territory and in its list, and their kind
VERTICAL says that they are not subordinate to it. So the tree has one root.

Periods are half-open: ``valid_from`` is the first day in force, ``valid_to`` the first day no longer in force
(None: open-ended). An account "until 30/6/2025 inclusive" has ``valid_to = 2025-07-01``; its successor from
1/7/2025 does not overlap it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "Agency",
    "AgencyKind",
    "AgencyNode",
    "BeneficiaryAccount",
    "Level",
    "NationalAgencies",
    "Skipped",
    "Unit",
    "active_account_for",
    "agencies_from_national",
    "build_tree",
    "classify",
    "clean_text",
    "code_key",
    "level_of",
    "nest",
    "overlapping_accounts",
    "parent_of",
    "periods_overlap",
    "read_national",
    "resolve_parent",
]

CODE_PATTERN = r"^[A-Z][0-9]{2}(?:\.[0-9A-Z]+)*$"
PROVINCE_PATTERN = r"^H[0-9]{2}$"
LONG_CODE_PATTERN = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.H[0-9]{2}$"  # DDD.CC.BB.Hnn, QĐ 20/2020/QĐ-TTg

_CODE = re.compile(CODE_PATTERN)
_PROVINCE = re.compile(PROVINCE_PATTERN)
_SPACES = re.compile(r"\s+")


class AgencyKind(StrEnum):
    """What an agency is, read from its name and the shape of its code (:func:`classify`)."""

    PROVINCE = "PROVINCE"  # UBND tỉnh
    DEPARTMENT = "DEPARTMENT"  # sở, ban, ngành cấp tỉnh
    WARD = "WARD"  # UBND phường
    COMMUNE = "COMMUNE"  # UBND xã
    SPECIAL_ZONE = "SPECIAL_ZONE"  # UBND đặc khu (Trường Sa)
    BRANCH = "BRANCH"  # chi nhánh (of a department's unit, e.g. Văn phòng Đăng ký đất đai)
    UNIT = "UNIT"  # đơn vị trực thuộc: trung tâm, điểm giao dịch, trường, phòng listed as an agency
    VERTICAL = "VERTICAL"  # cơ quan ngành dọc / trung ương đóng trên địa bàn (mã G…)
    OTHER = "OTHER"  # the name and code do not say


class Level(StrEnum):
    """Government level (cấp) at which the agency acts. There is no district level since 1 July 2025."""

    CENTRAL = "CENTRAL"  # cấp trung ương: bộ, ngành and their regional bodies
    PROVINCE = "PROVINCE"  # cấp tỉnh
    COMMUNE = "COMMUNE"  # cấp xã: phường, xã, đặc khu


COMMUNE_LEVEL_KINDS = frozenset({AgencyKind.WARD, AgencyKind.COMMUNE, AgencyKind.SPECIAL_ZONE})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


def clean_text(value: Any) -> str:
    """NFC, stripped, runs of whitespace collapsed to one space; ``None`` becomes ""."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def _covers(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_to is None or day < valid_to)


def periods_overlap(a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None) -> bool:
    """Whether two half-open periods ``[from, to)`` share a day (None: unbounded on that side)."""
    starts_before_b_ends = a_from is None or b_to is None or a_from < b_to
    starts_before_a_ends = b_from is None or a_to is None or b_from < a_to
    return starts_before_b_ends and starts_before_a_ends


class Agency(_Frozen):
    """An agency (cơ quan, đơn vị) that receives or decides dossiers, or collects fees."""

    code: str = Field(pattern=CODE_PATTERN, description="short national code: H32, H32.13, H32.201, G19.110")
    name: str = Field(min_length=1)
    kind: AgencyKind
    parent_code: str | None = Field(None, pattern=CODE_PATTERN)
    """The nearest listed ancestor (module docstring); None only for the province root."""
    province_code: str = Field(pattern=PROVINCE_PATTERN)
    level: Level
    long_code: str | None = Field(None, pattern=LONG_CODE_PATTERN)
    """Mã định danh điện tử ``DDD.CC.BB.Hnn`` when known; the national list does not give it."""
    active: bool = True
    valid_from: date | None = None
    valid_to: date | None = None
    """First day no longer in force (the 2025 merger ended the district-level agencies)."""
    succeeded_by: str | None = Field(None, pattern=CODE_PATTERN)
    """Code of the agency that took over its procedures and dossiers (cơ quan kế thừa)."""

    @field_validator("name", mode="before")
    @classmethod
    def _clean_name(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> Agency:
        if self.parent_code == self.code:
            raise ValueError("an agency cannot be its own parent")
        if self.succeeded_by == self.code:
            raise ValueError("an agency cannot succeed itself")
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValueError("valid_to must be after valid_from")
        return self

    def in_force_on(self, day: date) -> bool:
        return self.active and _covers(self.valid_from, self.valid_to, day)


class AgencyNode(_Frozen):
    """An agency with its children, for the nested (cây cơ quan) view."""

    agency: Agency
    children: tuple[AgencyNode, ...] = ()


class Unit(_Frozen):
    """A unit inside an agency: phòng chuyên môn, bộ phận một cửa (Bộ phận tiếp nhận và trả kết quả)."""

    agency_code: str = Field(pattern=CODE_PATTERN)
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)

    @field_validator("code", "name", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value


class BeneficiaryAccount(_Frozen):
    """A beneficiary account (tài khoản thụ hưởng) of an agency for some fees (phí, lệ phí), DOMAIN §4.

    Either a State Treasury account (tài khoản Kho bạc Nhà nước, with ``treasury_code``) or a bank account.
    VP UBND tỉnh configures it in CSDLQG về TTHC and in the System.
    """

    agency_code: str = Field(pattern=CODE_PATTERN)
    fee_codes: tuple[str, ...] = Field(min_length=1)
    bank: str = Field(min_length=1, description="ngân hàng, or Kho bạc Nhà nước …")
    account_no: str = Field(pattern=r"^[0-9]+$", max_length=34, description="digits only, no separators")
    account_name: str = Field(min_length=1, description="tên chủ tài khoản")
    treasury_code: str | None = Field(None, min_length=1, description="mã Kho bạc Nhà nước")
    valid_from: date
    valid_to: date | None = None

    @field_validator("bank", "account_name", "treasury_code", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("fee_codes", mode="before")
    @classmethod
    def _clean_fee_codes(cls, value: Any) -> Any:
        if isinstance(value, str) or not isinstance(value, Iterable):
            return value
        codes = [clean_text(code) if isinstance(code, str) else code for code in value]
        if any(code == "" for code in codes):
            raise ValueError("fee codes must not be blank")
        return tuple(dict.fromkeys(codes))  # listed once, in the order given

    @model_validator(mode="after")
    def _period(self) -> BeneficiaryAccount:
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise ValueError("valid_to must be after valid_from")
        return self

    def covers(self, day: date) -> bool:
        return _covers(self.valid_from, self.valid_to, day)

    def overlaps(self, other: BeneficiaryAccount) -> bool:
        """Same agency, a fee in common, and a day in common: two accounts would claim one payment."""
        return (
            self.agency_code == other.agency_code
            and not set(self.fee_codes).isdisjoint(other.fee_codes)
            and periods_overlap(self.valid_from, self.valid_to, other.valid_from, other.valid_to)
        )


def active_account_for(
    accounts: Iterable[BeneficiaryAccount], fee_code: str, on: date
) -> BeneficiaryAccount | None:
    """The account that receives ``fee_code`` on day ``on``; None when no account covers that day.

    Registration refuses overlaps, so at most one account matches; should stored data still hold two, the one
    configured last (latest ``valid_from``, then highest account number) wins, deterministically.
    """
    matching = [a for a in accounts if fee_code in a.fee_codes and a.covers(on)]
    return max(matching, key=lambda a: (a.valid_from, a.account_no), default=None)


def overlapping_accounts(
    accounts: Iterable[BeneficiaryAccount], candidate: BeneficiaryAccount
) -> list[BeneficiaryAccount]:
    return [a for a in accounts if a.overlaps(candidate)]


# --------------------------------------------------------------------------- codes and names
def _fold(name: str) -> str:
    """Lower-case comparison form; "Uỷ" (old tone placement) reads as "Ủy"."""
    return clean_text(name).casefold().replace("uỷ", "ủy")


_COMMITTEE = r"(?:ubnd|ủy ban nhân dân)"
_VERTICAL_NAME = re.compile(
    r"^(?:ban chqs|ban chỉ huy quân sự|bộ chỉ huy quân sự|bộ chqs|nhnn|ngân hàng nhà nước|công an"
    r"|kho bạc nhà nước|kho bạc|bảo hiểm xã hội|bhxh|cục thuế|chi cục thuế|thuế|chi cục hải quan|cục hải quan"
    r"|thống kê|chi cục thống kê|cục thống kê|viện kiểm sát|tòa án|thi hành án|chi cục thi hành án)\b"
)
_WARD = re.compile(rf"^(?:{_COMMITTEE} )?phường\b")
_COMMUNE = re.compile(rf"^(?:{_COMMITTEE} )?xã\b")
_SPECIAL_ZONE = re.compile(rf"^(?:{_COMMITTEE} )?đặc khu\b")
_BRANCH = re.compile(r"^chi nhánh\b")
_DEPARTMENT = re.compile(rf"^(?:sở|ban|thanh tra tỉnh|văn phòng {_COMMITTEE} tỉnh|văn phòng đoàn)\b")
_LOCALITY = re.compile(r"^(?:(phường|xã|đặc khu)|(tỉnh))\b")


def _segments(code: str) -> list[str]:
    return code.split(".")


def _in_province_tree(code: str) -> bool:
    return bool(_PROVINCE.fullmatch(_segments(code)[0]))


def classify(code: str, name: str) -> AgencyKind:
    """The kind of agency, from the real name prefixes and the code shape (module docstring).

    Order: a code outside any province tree (``G…``) or a vertical body's name -> VERTICAL (so "Ban CHQS
    Phường Ba Ngòi" is not a ward); the bare province code -> PROVINCE; "UBND phường / xã / đặc khu" (also
    without "UBND", any case) -> WARD / COMMUNE / SPECIAL_ZONE; three or more segments -> BRANCH ("Chi nhánh")
    or UNIT; two segments: "Chi nhánh" -> BRANCH, "Sở", "Ban", "Văn phòng UBND tỉnh", "Thanh tra tỉnh" or a
    two-digit segment -> DEPARTMENT; else OTHER.
    """
    segments = _segments(clean_text(code))
    folded = _fold(name)
    if not _PROVINCE.fullmatch(segments[0]) or _VERTICAL_NAME.match(folded):
        return AgencyKind.VERTICAL
    if len(segments) == 1:
        return AgencyKind.PROVINCE
    for pattern, kind in (
        (_WARD, AgencyKind.WARD),
        (_COMMUNE, AgencyKind.COMMUNE),
        (_SPECIAL_ZONE, AgencyKind.SPECIAL_ZONE),
        (_BRANCH, AgencyKind.BRANCH),
    ):
        if pattern.match(folded):
            return kind
    if len(segments) >= 3:
        return AgencyKind.UNIT
    if _DEPARTMENT.match(folded) or (len(segments[1]) == 2 and segments[1].isdigit()):
        return AgencyKind.DEPARTMENT
    return AgencyKind.OTHER


def level_of(code: str, kind: AgencyKind, name: str = "") -> Level:
    """The level: commune kinds and anything under a three-digit ``H32.2xx`` are COMMUNE; other codes of the
    province tree are PROVINCE; a vertical body is COMMUNE / PROVINCE when its name, after the body's own
    prefix, names a phường, xã, đặc khu / the tỉnh ("Ban CHQS Xã Cam An"), else CENTRAL."""
    if kind in COMMUNE_LEVEL_KINDS:
        return Level.COMMUNE
    segments = _segments(clean_text(code))
    if kind is AgencyKind.VERTICAL or not _PROVINCE.fullmatch(segments[0]):
        folded = _fold(name)
        prefix = _VERTICAL_NAME.match(folded)
        rest = folded[prefix.end() :].strip() if prefix else folded
        locality = _LOCALITY.match(rest)
        if locality is None:
            return Level.CENTRAL
        return Level.COMMUNE if locality.group(1) else Level.PROVINCE
    if len(segments) >= 2 and len(segments[1]) == 3:
        return Level.COMMUNE
    return Level.PROVINCE


def parent_of(code: str) -> str | None:
    """The structural parent: the code without its last segment; None for a one-segment code."""
    head, dot, _ = code.rpartition(".")
    return head if dot else None


def resolve_parent(code: str, known: Collection[str], province_code: str) -> str | None:
    """The nearest ancestor of ``code`` in ``known``; the province root when none is (module docstring)."""
    if code == province_code:
        return None
    parent = parent_of(code)
    while parent is not None:
        if parent in known:
            return parent
        parent = parent_of(parent)
    return province_code


def code_key(code: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key in natural order: H32.24 before H32.201, H32.24.19.2 before H32.24.19.10."""
    return tuple((0, int(s), s) if s.isdigit() else (1, 0, s) for s in _segments(code))


# --------------------------------------------------------------------------- the tree
def build_tree(agencies: Iterable[Agency]) -> dict[str | None, list[Agency]]:
    """Children per parent code, in natural code order (vertical ``G…`` bodies last). Roots (no parent, or a parent that is not among
    ``agencies``) are listed under None. Raises ValueError on a duplicate code or a cycle."""
    by_code: dict[str, Agency] = {}
    for agency in agencies:
        if agency.code in by_code:
            raise ValueError(f"agency {agency.code} is listed twice")
        by_code[agency.code] = agency
    tree: dict[str | None, list[Agency]] = {}
    for agency in by_code.values():
        parent = agency.parent_code if agency.parent_code in by_code else None
        tree.setdefault(parent, []).append(agency)
    for children in tree.values():  # the province's own tree first, then the vertical bodies
        children.sort(key=lambda a: (not _in_province_tree(a.code), code_key(a.code)))
    reached: set[str] = set()
    frontier = [a.code for a in tree.get(None, [])]
    while frontier:
        code = frontier.pop()
        reached.add(code)
        frontier.extend(child.code for child in tree.get(code, []))
    if len(reached) != len(by_code):
        cycle = sorted(set(by_code) - reached, key=code_key)
        raise ValueError(f"agencies in a parent cycle: {', '.join(cycle)}")
    return tree


def nest(agencies: Iterable[Agency]) -> list[AgencyNode]:
    """The nested view: one node per root of :func:`build_tree` (one, the province, for a full list)."""
    tree = build_tree(agencies)

    def node(agency: Agency) -> AgencyNode:
        return AgencyNode(agency=agency, children=tuple(node(child) for child in tree.get(agency.code, [])))

    return [node(root) for root in tree.get(None, [])]


# --------------------------------------------------------------------------- the national list
@dataclass(frozen=True)
class Skipped:
    """A national record left out, and why (for the sync report)."""

    code: str
    reason: str


@dataclass(frozen=True)
class NationalAgencies:
    agencies: tuple[Agency, ...]
    skipped: tuple[Skipped, ...]


def _skip_reason(code: str, name: str, province_code: str, seen: Collection[str]) -> str:
    """Why a national record is left out; "" when it is kept."""
    if not code:
        return "no code"
    if not _CODE.fullmatch(code):
        return "malformed code"
    if not name:
        return "no name"
    if _in_province_tree(code) and _segments(code)[0] != province_code:
        return f"another province ({_segments(code)[0]})"
    if code in seen:
        return "duplicate code"
    return ""


def read_national(records: Sequence[Any], province_code: str = "H32") -> NationalAgencies:
    """Agencies of ``province_code`` from national records ``{"code", "name"}``, in the records' order.

    Codes and names are NFC, trimmed, whitespace collapsed. Skipped (and reported): a record that is not an
    object, has no code or no name, has a malformed code, belongs to another province's tree (``H30.…``), or
    repeats a code already read (the first one is kept). Bodies outside any province tree (``G…``) are kept as
    VERTICAL: they are in this province's list.
    """
    if not _PROVINCE.fullmatch(province_code):
        raise ValueError(f"not a province code: {province_code!r}")
    kept: list[tuple[str, str]] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for record in records:
        if not isinstance(record, Mapping):
            skipped.append(Skipped("", "not an object"))
            continue
        code, name = clean_text(record.get("code")), clean_text(record.get("name"))
        reason = _skip_reason(code, name, province_code, seen)
        if reason:
            skipped.append(Skipped(code, reason))
            continue
        seen.add(code)
        kept.append((code, name))
    agencies: list[Agency] = []
    for code, name in kept:
        kind = classify(code, name)
        agencies.append(
            Agency(
                code=code,
                name=name,
                kind=kind,
                parent_code=resolve_parent(code, seen, province_code),
                province_code=province_code,
                level=level_of(code, kind, name),
            )
        )
    return NationalAgencies(tuple(agencies), tuple(skipped))


def agencies_from_national(records: Sequence[Any], province_code: str = "H32") -> list[Agency]:
    """:func:`read_national` without the report of skipped records."""
    return list(read_national(records, province_code).agencies)


class RegisterAccount(BaseModel):
    """The administrator's request to register a beneficiary account; the agency comes from the path."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    fee_codes: tuple[str, ...] = Field(min_length=1, max_length=100)
    bank: str = Field(min_length=1, max_length=200)
    account_no: str = Field(pattern=r"^[0-9]+$", max_length=34)
    account_name: str = Field(min_length=1, max_length=200)
    treasury_code: str | None = Field(None, min_length=1, max_length=20)
    valid_from: date
    valid_to: date | None = None

    def for_agency(self, agency_code: str) -> BeneficiaryAccount:
        return BeneficiaryAccount(agency_code=agency_code, **self.model_dump())
