"""The national procedure database (CSDLQG về TTHC) port, its HTTP adapter, and the mapping to motcua's model.

The mapping functions are pure: national JSON in, :class:`motcua.catalogue.model.Procedure` out. They tolerate
the quirks of the real records (tests/fixtures/national-catalogue, README there):

* every text is NFC-normalised and stripped; names lose stray leading numbering/bullets ("1.\\tSáp nhập…",
  ". Cấp giấy phép…", "- Giấy đề nghị…") and runs of whitespace/tabs collapse to one space;
* document-component codes lose a trailing dot ("000.00.00.G01-KQ0427." -> "000.00.00.G01-KQ0427"); a code
  listed twice is kept once (first occurrence);
* ``required`` is copied as is (the national records mark none as required: the mandatory set is configuration);
* units DAY / WORKING_DAY / HOUR / MONTH map 1:1. OTHER (or an unknown unit) keeps the free text in
  ``description`` and is mapped with ``derived_from_text=True``: the first "<n> ngày làm việc | ngày | giờ |
  tháng" found in the text; else the national number as WORKING_DAY when it is > 0; else 0 WORKING_DAY
  (same-day, trả trong ngày);
* several entries for one channel (case-specific times): the FIRST entry per channel, in national order, is
  the channel's legal time; the others are kept in ``alternative_processing_times`` for the sync/configuration;
* empty ``decisionNo`` falls back to ``procedureProposal.decisionNumber``, else "";
* fees: value 0 with the rule in the description is kept as amount 0 + description (the province's levels are
  configuration); the currency id maps to VND/USD ("" when the record does not say and the amount is not 0);
  identical fees repeated per channel are listed once.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError

from motcua.catalogue.model import (
    Channel,
    Component,
    Fee,
    FormTemplate,
    InternalStep,
    LegalBasis,
    OnlineLevel,
    Procedure,
    ProcedureCase,
    ProcedureState,
    ProcessingTime,
    ResultType,
    TimeUnit,
)

__all__ = [
    "CURRENCY_IDS",
    "DEFAULT_INDEX_PROCESSING_TIME",
    "HttpNationalCatalogue",
    "MalformedRecord",
    "NationalCatalogue",
    "NationalCatalogueError",
    "Page",
    "ProcedureNotFound",
    "TransientUpstreamError",
    "content_hash",
    "default_internal_steps",
    "procedure_from_index",
    "procedure_from_national",
]


class NationalCatalogueError(Exception):
    """The national catalogue answered, but not with what we asked for (permanent: do not retry)."""


class TransientUpstreamError(NationalCatalogueError):
    """5xx, 429 or timeouts, still failing after the bounded retries; the caller may retry later."""


class MalformedRecord(NationalCatalogueError, ValueError):
    """A response or record that is not valid JSON or not in the national shape."""


class ProcedureNotFound(NationalCatalogueError, LookupError):
    """The national catalogue has no detail record for this code (HTTP 404)."""


# -- text --------------------------------------------------------------------------------------------------

_LEADING_NOISE = re.compile(r"^(?:\s*(?:\d{1,3}\s*[.)]|[.\-+*•–—·:;,]))+\s*")
_SPACES = re.compile(r"\s+")


def _text(value: Any) -> str:
    """NFC, stripped; ``None`` becomes ""."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    return unicodedata.normalize("NFC", value).strip()


def clean_name(value: Any) -> str:
    """A display name: NFC, whitespace collapsed, stray leading numbering/bullets removed."""
    text = _SPACES.sub(" ", _text(value))
    cleaned = _LEADING_NOISE.sub("", text).strip()
    return cleaned or text


def _component_code(value: Any) -> str:
    return _text(value).rstrip(".").strip()


# -- units -------------------------------------------------------------------------------------------------

_UNITS = {u.value: u for u in TimeUnit}
_TEXT_DURATION = re.compile(r"(\d+(?:[.,]\d+)?)\s*(ngày làm việc|ngày|giờ|tháng)", re.IGNORECASE)
_TEXT_UNITS = {
    "ngày làm việc": TimeUnit.WORKING_DAY,
    "ngày": TimeUnit.DAY,
    "giờ": TimeUnit.HOUR,
    "tháng": TimeUnit.MONTH,
}


def _quantity(value: Any) -> float:
    if isinstance(value, bool):
        raise MalformedRecord(f"processing time is not a number: {value!r}")
    if value is None or value == "":
        return 0.0
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise MalformedRecord(f"processing time is not a number: {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise MalformedRecord(f"processing time out of range: {value!r}")
    return number


def _duration(quantity: Any, unit: Any, text: str) -> tuple[float, TimeUnit, bool]:
    """(quantity, unit, derived_from_text) for a national quantity/unit pair; see the module notes on OTHER."""
    qty = _quantity(quantity)
    known = _UNITS.get(_text(unit).upper())
    if known is not None:
        return qty, known, False
    match = _TEXT_DURATION.search(unicodedata.normalize("NFC", text))
    if match:
        return float(match.group(1).replace(",", ".")), _TEXT_UNITS[match.group(2).lower()], True
    if qty > 0:
        return qty, TimeUnit.WORKING_DAY, True
    return 0.0, TimeUnit.WORKING_DAY, True  # same-day (trả trong ngày)


# -- fees --------------------------------------------------------------------------------------------------

CURRENCY_IDS: Mapping[str, str] = {
    "019b3fb2-b5b8-70ac-85e2-9409ec1eaffa": "VND",
    "019b3fb2-dee2-76ab-aa53-22d4d903a2bb": "USD",
}


def _fee(raw: Mapping[str, Any]) -> Fee:
    amount = raw.get("value") or 0
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
        raise MalformedRecord(f"fee value is not a non-negative number: {amount!r}")
    amount = int(amount)
    currency_id = _text(raw.get("currencyId"))
    currency = CURRENCY_IDS.get(currency_id, currency_id.upper() if len(currency_id) == 3 else "")
    if not currency and amount == 0:
        currency = "VND"
    return Fee(
        type=_text(raw.get("type")) or "FEE",
        amount=amount,
        description=_text(raw.get("description")),
        currency=currency,
    )


# -- mapping -----------------------------------------------------------------------------------------------

_PUBLIC_STATES = frozenset({"ACTIVE", "UPDATED", "PUBLISHED", "PUBLIC"})
_TESTING_STATES = frozenset({"TESTING", "DRAFT"})


def _state(value: Any) -> ProcedureState:
    state = _text(value).upper()
    if state in _PUBLIC_STATES or not state:
        return ProcedureState.PUBLIC
    if state in _TESTING_STATES:
        return ProcedureState.TESTING
    return ProcedureState.WITHDRAWN


def _level(detail: Mapping[str, Any]) -> str:
    flags = (("isMinistry", "MINISTRY"), ("isProvince", "PROVINCE"), ("isWard", "WARD"))
    return ",".join(name for key, name in flags if detail.get(key) is True)


def _list(detail: Mapping[str, Any], key: str) -> list[Any]:
    value = detail.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedRecord(f"{key} is not a list")
    return value


def _dict_items(detail: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = _list(detail, key)
    if not all(isinstance(item, Mapping) for item in items):
        raise MalformedRecord(f"{key} holds non-objects")
    return items


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def procedure_from_national(
    detail: Mapping[str, Any], *, agencies: Iterable[str] = (), version: int = 1
) -> Procedure:
    """Map a national detail record (``details/<code>.json`` shape) to a Procedure. Raises MalformedRecord."""
    if not isinstance(detail, Mapping):
        raise MalformedRecord("a national record must be a JSON object")
    try:
        return _from_national(detail, agencies, version)
    except MalformedRecord:
        raise
    except (ValidationError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise MalformedRecord(f"national record {detail.get('code')!r}: {exc}") from exc


def _from_national(detail: Mapping[str, Any], agencies: Iterable[str], version: int) -> Procedure:
    times: list[ProcessingTime] = []
    alternatives: list[ProcessingTime] = []
    fees: dict[tuple[str, int, str, str], Fee] = {}
    for method in _dict_items(detail, "executionMethods"):
        description = _text(method.get("description"))
        qty, unit, derived = _duration(
            method.get("processingTime"), method.get("processingTimeUnit"), description
        )
        entry = ProcessingTime(
            channel=Channel(_text(method["submissionMethod"]).upper()),
            quantity=qty,
            unit=unit,
            description=description,
            derived_from_text=derived,
        )
        (alternatives if any(t.channel is entry.channel for t in times) else times).append(entry)
        for raw_fee in _dict_items(method, "fees"):
            fee = _fee(raw_fee)
            fees.setdefault((fee.type, fee.amount, fee.currency, fee.description), fee)
    for raw_fee in _dict_items(detail, "fees"):
        fee = _fee(raw_fee)
        fees.setdefault((fee.type, fee.amount, fee.currency, fee.description), fee)

    components: dict[str, Component] = {}
    for group in _dict_items(detail, "executionCases"):
        group_name = clean_name(group.get("name"))
        for raw in _dict_items(group, "profileComponents"):
            code = _component_code(raw.get("code")) or _text(raw.get("profileComponentId"))
            if not code or code in components:
                continue
            components[code] = Component(
                code=code,
                name=clean_name(raw.get("name")),
                required=raw.get("required") is True,
                original_qty=int(raw.get("originalQty") or 0),
                copy_qty=int(raw.get("copyQty") or 0),
                has_electronic_form=raw.get("hasElectronicForm") is True,
                is_processing_result=raw.get("isProcessingResult") is True,
                group=group_name,
                templates=tuple(
                    FormTemplate(
                        file_name=_text(a.get("fileName")),
                        path="/".join(p for p in (_text(a.get("bucketName")), _text(a.get("filePath"))) if p),
                    )
                    for a in raw.get("attachments") or []
                    if isinstance(a, Mapping) and _text(a.get("fileName"))
                ),
            )

    cases = []
    for raw_case in _dict_items(detail, "cases"):
        day = raw_case.get("processingDay") or {}
        name = clean_name(raw_case.get("name"))
        qty, unit, derived = _duration(day.get("qty"), day.get("type"), name)
        cases.append(
            ProcedureCase(
                code=_text(raw_case.get("code")),
                name=name,
                quantity=qty,
                unit=unit,
                derived_from_text=derived,
            )
        )

    categories = _dict_items(detail, "categoriesDetails")
    proposal = detail.get("procedureProposal") or {}
    has_online = any(t.channel is Channel.ONLINE for t in times)
    if detail.get("isFullProcess") is True:
        online_level = OnlineLevel.FULL
    elif has_online and detail.get("isOfflineOnly") is not True:
        online_level = OnlineLevel.PARTIAL
    else:
        online_level = OnlineLevel.NONE

    return Procedure(
        code=_text(detail["code"]),
        version=version,
        name=clean_name(detail["name"]),
        field_code=_text(categories[0].get("code")) if categories else "",
        field_name=_text(categories[0].get("name")) if categories else "",
        level=_level(detail),
        state=_state(detail.get("state")),
        agencies=_unique(_text(a) for a in agencies),
        online_level=online_level,
        components=tuple(components.values()),
        processing_times=tuple(times),
        alternative_processing_times=tuple(alternatives),
        fees=tuple(fees.values()),
        decision_number=_text(detail.get("decisionNo")) or _text(proposal.get("decisionNumber")),
        legal_bases=tuple(
            LegalBasis(code=_text(b.get("code")), name=clean_name(b.get("name")))
            for b in _dict_items(detail, "legalBasisesDetails")
        ),
        result_types=tuple(
            ResultType(code=_text(r.get("code")), name=clean_name(r.get("name")))
            for r in _dict_items(detail, "resultsDetails")
        ),
        cases=tuple(cases),
        subject_types=_unique(_text(s.get("code")) for s in _dict_items(detail, "subjectTypesDetails")),
        non_territorial=detail.get("isNonTerritorial") is True,
    )


DEFAULT_INDEX_PROCESSING_TIME = (5.0, TimeUnit.WORKING_DAY)
"""Legal time given to an index-only (derived) procedure until its detail record arrives: 5 working days.

It is a placeholder, not law: the procedure is ``derived=True`` and its times say so in ``description``; the
sync must replace it from the detail record (or configuration) before relying on it for due dates."""

_INDEX_LEVELS = {"cấp tỉnh": "PROVINCE", "cấp xã": "WARD", "cấp bộ": "MINISTRY", "cấp huyện": "DISTRICT"}
_ONLINE_LEVELS = {"toàn trình": OnlineLevel.FULL, "một phần": OnlineLevel.PARTIAL}


def procedure_from_index(
    item: Mapping[str, Any],
    *,
    agencies: Iterable[str] | None = None,
    services: Iterable[Mapping[str, Any]] = (),
    version: int = 1,
) -> Procedure:
    """A derived Procedure from an index entry (``khanh-hoa-catalog.json`` item) without a detail record.

    ``services`` are the procedure's entries from the execution shards (``dvc[]`` with ``r[]`` runs): they give
    the online level (best of ``m``) and, unless ``agencies`` is given, the agencies (``r[].c``). Processing
    times are :data:`DEFAULT_INDEX_PROCESSING_TIME` for DIRECT, and for ONLINE when an online service exists.
    """
    if not isinstance(item, Mapping):
        raise MalformedRecord("an index entry must be a JSON object")
    try:
        runs = [run for service in services for run in service.get("r") or []]
        levels = {_ONLINE_LEVELS.get(_text(run.get("m")).lower(), OnlineLevel.NONE) for run in runs}
        online = (
            OnlineLevel.FULL
            if OnlineLevel.FULL in levels
            else OnlineLevel.PARTIAL
            if OnlineLevel.PARTIAL in levels
            else OnlineLevel.NONE
        )
        if agencies is None:
            agencies = (_text(run.get("c")) for run in runs)
        qty, unit = DEFAULT_INDEX_PROCESSING_TIME
        note = "Mặc định: chưa có bản ghi chi tiết từ CSDLQG về TTHC"
        channels = [Channel.DIRECT] + ([Channel.ONLINE] if online is not OnlineLevel.NONE else [])
        cap = [part.strip().lower() for part in _text(item.get("cap")).split(",")]
        level_names = [_INDEX_LEVELS[p] for p in cap if p in _INDEX_LEVELS]
        order = ["MINISTRY", "PROVINCE", "DISTRICT", "WARD"]
        return Procedure(
            code=_text(item["ma"]),
            version=version,
            name=clean_name(item["ten"]),
            field_name=_text(item.get("lv")),
            level=",".join(sorted(set(level_names), key=order.index)),
            state=_state(item.get("state")),
            agencies=_unique(_text(a) for a in agencies),
            online_level=online,
            processing_times=tuple(
                ProcessingTime(channel=c, quantity=qty, unit=unit, description=note) for c in channels
            ),
            derived=True,
        )
    except (ValidationError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise MalformedRecord(f"index entry {item.get('ma')!r}: {exc}") from exc


# -- default internal procedure ----------------------------------------------------------------------------

_DEFAULT_STEPS = (
    ("Tiếp nhận hồ sơ", "DESK_OFFICER", "ONE_STOP"),
    ("Thẩm định, xử lý hồ sơ", "PROCESSOR", "SPECIALIST"),
    ("Phê duyệt kết quả", "APPROVER", "LEADERSHIP"),
    ("Trả kết quả", "DESK_OFFICER", "ONE_STOP"),
)
_TICKS = 8  # eighths of the legal unit: one working hour when the unit is WORKING_DAY


def default_internal_steps(procedure: Procedure) -> tuple[InternalStep, ...]:
    """Receive -> process -> approve -> return, summing exactly to the legal time of the ONLINE channel (else
    the first channel), never more. Durations are in the legal time's own unit, in eighths of it (one eighth of
    a working day is a working hour): receive and return get 1/8 each and approval 1/10 of the total (at least
    1/8) when the total is at least 4/8; processing gets the rest. Below 4/8 (or same-day, 0) processing gets
    everything. No channel: no steps."""
    legal = procedure.processing_time(Channel.ONLINE) or next(iter(procedure.processing_times), None)
    if legal is None:
        return ()
    total = legal.quantity
    ticks = math.floor(total * _TICKS)
    if ticks >= 4:
        receive = give_back = 1
        approve = max(1, ticks // 10)
    else:
        receive = give_back = approve = 0
    fixed = (receive + approve + give_back) / _TICKS  # dyadic: exact
    process = total - fixed
    while math.fsum((fixed, process)) > total:  # rounding must never push the sum over the legal time
        process = math.nextafter(process, -math.inf)
    durations = (receive / _TICKS, max(process, 0.0), approve / _TICKS, give_back / _TICKS)
    return tuple(
        InternalStep(
            seq=seq,
            name=name,
            role=role,
            unit=unit,
            duration_value=value,
            duration_unit=legal.unit,
        )
        for seq, ((name, role, unit), value) in enumerate(zip(_DEFAULT_STEPS, durations, strict=True), 1)
    )


# -- content hash ------------------------------------------------------------------------------------------


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(v) for v in value]
    return value


def content_hash(procedure: Procedure) -> str:
    """sha256 (hex) of the canonical JSON of the procedure's content, version excluded, all text NFC."""
    content = _nfc(procedure.model_dump(mode="json", exclude={"version"}))
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- the port and the HTTP adapter -------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of the national list: index-shaped items (``ma``, ``ten``, … plus ``updatedAt``)."""

    items: tuple[dict[str, Any], ...]
    page: int
    page_size: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total


class NationalCatalogue(Protocol):
    def list_procedures(self, changed_since: datetime | None, page: int, page_size: int) -> Page: ...

    def get_procedure(self, code: str) -> dict[str, Any]: ...


_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class HttpNationalCatalogue:
    """The national catalogue over HTTP (urllib). Pages are 1-based; ``changedSince`` is sent as epoch ms.

    5xx/429 answers, timeouts and connection errors are retried up to ``max_attempts`` in all, sleeping
    ``backoff * 2**n`` (capped at ``max_backoff``) between attempts, then TransientUpstreamError. Invalid JSON
    or a wrong shape raises MalformedRecord at once; 404 on a detail raises ProcedureNotFound."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 10.0,
        *,
        max_attempts: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._sleep = sleep

    def list_procedures(self, changed_since: datetime | None, page: int = 1, page_size: int = 100) -> Page:
        if page < 1 or page_size < 1:
            raise ValueError("page and page_size start at 1")
        query: dict[str, str] = {"page": str(page), "pageSize": str(page_size)}
        if changed_since is not None:
            if changed_since.tzinfo is None:
                raise ValueError("changed_since must be timezone-aware")
            query["changedSince"] = str(int(changed_since.timestamp() * 1000))
        body = self._get_json("/api/procedures?" + urllib.parse.urlencode(query))
        if not isinstance(body, dict):
            raise MalformedRecord("the list response is not a JSON object")
        items, total = body.get("items"), body.get("total")
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise MalformedRecord("the list response has no items[] of objects")
        if isinstance(total, bool) or not isinstance(total, int):
            raise MalformedRecord("the list response has no integer total")
        return Page(items=tuple(items), page=int(body.get("page", page)), page_size=page_size, total=total)

    def get_procedure(self, code: str) -> dict[str, Any]:
        body = self._get_json("/api/procedures/" + urllib.parse.quote(code, safe=""), code=code)
        if not isinstance(body, dict):
            raise MalformedRecord(f"the record for {code} is not a JSON object")
        if _text(body.get("code")) != code:
            raise MalformedRecord(f"asked for {code}, got {body.get('code')!r}")
        return body

    def _get_json(self, path: str, *, code: str | None = None) -> Any:
        url = self._base_url + path
        last: str = ""
        for attempt in range(self._max_attempts):
            if attempt:
                self._sleep(min(self._max_backoff, self._backoff * 2 ** (attempt - 1)))
            request = urllib.request.Request(url, headers={"Accept": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=self._timeout) as response:
                    raw = response.read()
            except urllib.error.HTTPError as exc:
                exc.close()
                if exc.code in _RETRYABLE_STATUS:
                    last = f"HTTP {exc.code}"
                    continue
                if exc.code == 404 and code is not None:
                    raise ProcedureNotFound(f"no national record for {code}") from None
                raise NationalCatalogueError(f"GET {path}: HTTP {exc.code}") from None
            except (TimeoutError, ConnectionError, urllib.error.URLError) as exc:
                last = f"{type(exc).__name__}: {exc}"
                continue
            try:
                return json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise MalformedRecord(f"GET {path}: not valid JSON ({exc})") from None
        raise TransientUpstreamError(f"GET {path}: gave up after {self._max_attempts} attempts ({last})")
