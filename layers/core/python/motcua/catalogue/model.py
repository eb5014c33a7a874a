"""The procedure catalogue as plain data (DOMAIN §2.3). No I/O here.

A procedure (thủ tục hành chính) is versioned: a dossier keeps the version that applied at its receipt
(DOMAIN R0), so every field a dossier depends on lives in the version, not beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Channel(StrEnum):
    """Submission channel (kênh thực hiện); values are the national ``KenhThucHien`` names (DOMAIN §3.1)."""

    DIRECT = "DIRECT"
    ONLINE = "ONLINE"
    POSTAL = "POSTAL"


class TimeUnit(StrEnum):
    WORKING_DAY = "WORKING_DAY"
    DAY = "DAY"
    HOUR = "HOUR"
    MONTH = "MONTH"


class ProcedureState(StrEnum):
    PUBLIC = "PUBLIC"
    WITHDRAWN = "WITHDRAWN"
    TESTING = "TESTING"


class OnlineLevel(StrEnum):
    FULL = "FULL"  # toàn trình
    PARTIAL = "PARTIAL"  # một phần
    NONE = "NONE"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class FormTemplate(_Frozen):
    """A form (mẫu đơn, tờ khai) attached to a component in the national database."""

    file_name: str
    path: str = ""  # the national store's object path (bucket/filePath), for the portal to link


class Component(_Frozen):
    """A document component (thành phần hồ sơ) the applicant supplies."""

    code: str
    name: str
    required: bool = False
    original_qty: int = 0
    copy_qty: int = 0
    has_electronic_form: bool = False
    is_processing_result: bool = False
    group: str = ""  # the national executionCases heading the component is listed under
    templates: tuple[FormTemplate, ...] = ()


class ProcessingTime(_Frozen):
    """Legal processing time (thời hạn giải quyết) for one channel."""

    channel: Channel
    quantity: float = Field(ge=0)
    unit: TimeUnit
    description: str = ""
    derived_from_text: bool = False
    """True when the national unit was OTHER: quantity/unit were derived, the rule is in ``description``."""


class Fee(_Frozen):
    """A fee or charge (phí, lệ phí)."""

    type: str
    amount: int = Field(ge=0, description="in ``currency`` (VND unless stated)")
    description: str = ""
    currency: str = "VND"  # "VND", "USD", or "" when the national record does not say


class InternalStep(_Frozen):
    """One step of the approved internal procedure (quy trình nội bộ)."""

    seq: int
    name: str
    role: str
    unit: str
    duration_value: float
    duration_unit: TimeUnit


class LegalBasis(_Frozen):
    """A legal document the procedure rests on (căn cứ pháp lý)."""

    code: str
    name: str = ""


class ResultType(_Frozen):
    """A processing result (kết quả) the procedure issues."""

    code: str
    name: str = ""


class ProcedureCase(_Frozen):
    """A case (trường hợp) of the procedure with its own legal processing time."""

    code: str
    name: str = ""
    quantity: float = Field(default=0, ge=0)
    unit: TimeUnit = TimeUnit.WORKING_DAY
    derived_from_text: bool = False


class Procedure(_Frozen):
    code: str = Field(pattern=r"^\d\.\d{6}$")
    version: int = Field(ge=1)
    name: str
    field_code: str = ""
    field_name: str = ""
    level: str = ""
    state: ProcedureState = ProcedureState.PUBLIC
    effective_from: date | None = None
    agencies: tuple[str, ...] = ()
    online_level: OnlineLevel = OnlineLevel.NONE
    components: tuple[Component, ...] = ()
    processing_times: tuple[ProcessingTime, ...] = ()
    fees: tuple[Fee, ...] = ()
    steps: tuple[InternalStep, ...] = ()
    derived: bool = False
    """True when built from the national index only (no detail record): times and components are defaults."""
    alternative_processing_times: tuple[ProcessingTime, ...] = ()
    """Further national entries for a channel already in ``processing_times`` (case-specific times)."""
    decision_number: str = ""
    legal_bases: tuple[LegalBasis, ...] = ()
    result_types: tuple[ResultType, ...] = ()
    cases: tuple[ProcedureCase, ...] = ()
    subject_types: tuple[str, ...] = ()
    non_territorial: bool = False
    steps_overrun: bool = False
    """The internal steps add up to more than the legal processing time: reported to the administrator."""

    @property
    def is_published(self) -> bool:
        return self.state is ProcedureState.PUBLIC

    def processing_time(self, channel: Channel) -> ProcessingTime | None:
        return next((t for t in self.processing_times if t.channel is channel), None)

    def offers(self, channel: Channel) -> bool:
        return self.processing_time(channel) is not None

    def missing_components(self, supplied_codes: set[str]) -> list[Component]:
        """Required components not supplied, in catalogue order (listed once and completely, Mẫu 02)."""
        return [c for c in self.components if c.required and c.code not in supplied_codes]


def steps_total(procedure: Procedure) -> float:
    """Sum of the internal steps' durations in working days (a working hour counts as 1/8 of a day)."""
    per_day = {TimeUnit.WORKING_DAY: 1.0, TimeUnit.HOUR: 1 / 8, TimeUnit.DAY: 1.0, TimeUnit.MONTH: 22.0}
    return sum(s.duration_value * per_day[s.duration_unit] for s in procedure.steps)


def steps_overrun(procedure: Procedure) -> bool:
    """True when the internal procedure needs more time than the law gives (DOMAIN §2.3 validation).

    Compared with the shortest legal time among the channels, in working days; calendar-day and month
    limits are compared as if they were working days, which errs on the side of not flagging.
    """
    per_day = {TimeUnit.WORKING_DAY: 1.0, TimeUnit.HOUR: 1 / 8, TimeUnit.DAY: 1.0, TimeUnit.MONTH: 22.0}
    limits = [t.quantity * per_day[t.unit] for t in procedure.processing_times if t.quantity > 0]
    return bool(procedure.steps) and bool(limits) and steps_total(procedure) > min(limits) + 1e-9


# ----------------------------------------------------------------------------- sync bookkeeping
class Mode(StrEnum):
    FULL = "FULL"
    INCREMENTAL = "INCREMENTAL"


class RunStatus(StrEnum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    INTERRUPTED = "INTERRUPTED"


class Counters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    quarantined: int = 0
    released: int = 0
    out_of_scope: int = 0
    overrun: int = 0
    write_units: int = 0

    @property
    def written(self) -> int:
        return self.created + self.updated + self.withdrawn


class SyncRun(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: str
    mode: Mode
    status: RunStatus = RunStatus.RUNNING
    started_at: datetime
    finished_at: datetime | None = None
    changed_since: datetime | None = None
    config_hash: str = ""
    next_page: int = 1
    total: int | None = None
    resumed: int = 0
    counters: Counters = Field(default_factory=Counters)
    error: str = ""

    @property
    def key(self) -> str:
        return f"{self.started_at.isoformat()}#{self.run_id}"


class QuarantinedRecord(BaseModel):
    code: str
    reason: str
    run_id: str
    at: datetime
    item: dict[str, Any] = Field(default_factory=dict, description="the national list entry, to retry it")


@dataclass(frozen=True)
class CurrentEntry:
    """What the sync compares for one procedure: its current version, content hash and state."""

    version: int
    content_hash: str
    state: ProcedureState
