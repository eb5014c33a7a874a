"""The procedure catalogue as plain data (DOMAIN §2.3). No I/O here.

A procedure (thủ tục hành chính) is versioned: a dossier keeps the version that applied at its receipt
(DOMAIN R0), so every field a dossier depends on lives in the version, not beside it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

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
    model_config = ConfigDict(frozen=True, extra="forbid")


class Component(_Frozen):
    """A document component (thành phần hồ sơ) the applicant supplies."""

    code: str
    name: str
    required: bool = False
    original_qty: int = 0
    copy_qty: int = 0


class ProcessingTime(_Frozen):
    """Legal processing time (thời hạn giải quyết) for one channel."""

    channel: Channel
    quantity: float = Field(ge=0)
    unit: TimeUnit
    description: str = ""


class Fee(_Frozen):
    """A fee or charge (phí, lệ phí)."""

    type: str
    amount: int = Field(ge=0, description="VND")
    description: str = ""


class InternalStep(_Frozen):
    """One step of the approved internal procedure (quy trình nội bộ)."""

    seq: int
    name: str
    role: str
    unit: str
    duration_value: float
    duration_unit: TimeUnit


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
