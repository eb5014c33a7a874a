"""The dossier aggregate (hồ sơ) as plain data (DOMAIN §3.10). No I/O here."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from motcua.catalogue.model import Channel, Fee
from motcua.dossiers.lifecycle import NATIONAL_CODE, Status


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Applicant(_Model):
    """The applicant (chủ hồ sơ). Personal data: never logged, read only by the owner or a scoped officer."""

    name: str
    id_number: str | None = None  # số định danh cá nhân
    phone: str | None = None
    email: str | None = None
    address: str | None = None


class SuppliedComponent(_Model):
    code: str
    file_name: str = ""
    digitised: bool = False  # DuocSoHoa: digitised at the desk (feeds the QĐ 766 digitisation indicator)


class ProgressRecord(_Model):
    """One line of the timeline (quá trình xử lý); the national ``CapNhatTienDoHoSoMC`` payload."""

    seq: int
    status: Status
    title: str
    actor: str
    at: datetime
    content: str = ""

    @property
    def national_code(self) -> int:
        return NATIONAL_CODE[self.status]


class Failure(_Model):
    step: str
    error: str
    cause: str = ""
    at: datetime


class Dossier(_Model):
    code: str
    procedure_code: str
    procedure_version: int
    agency_code: str
    channel: Channel
    status: Status
    owner: str = Field(description="subject of the citizen account that owns the dossier")
    applicant: Applicant
    summary: str = ""
    components: tuple[SuppliedComponent, ...] = ()
    fees: tuple[Fee, ...] = Field(default=(), description="fee lines of the procedure version at receipt")
    submitted_at: datetime
    received_at: datetime = Field(description="when the legal clock starts: the next working moment")
    due_at: datetime
    original_due_at: datetime
    closed_at: datetime | None = None
    timeliness: str | None = Field(None, description="EARLY | ON_TIME | LATE, set when processing ends")
    processing_quantity: float = 0
    processing_unit: str = "WORKING_DAY"
    rejection_reasons: tuple[str, ...] = ()
    failure: Failure | None = None
    overdue: bool = False
    due_soon: bool = False
    version: int = 0
    progress_count: int = 0

    @property
    def national_code(self) -> int:
        return NATIONAL_CODE[self.status]


class TaskStatus(StrEnum):
    OPEN = "OPEN"
    DECIDED = "DECIDED"
    CLOSED = "CLOSED"  # the dossier ended another way (withdrawn): nobody decides it any more


class Outcome(StrEnum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"


class Decision(_Model):
    outcome: Outcome
    reasons: tuple[str, ...] = ()
    note: str = ""
    officer: str
    at: datetime


class Task(_Model):
    """An officer's task: one waiting step of a dossier's execution, holding its callback token."""

    task_id: str
    dossier_code: str
    procedure_code: str
    step: str
    role: str
    agency_code: str
    unit: str = ""
    status: TaskStatus = TaskStatus.OPEN
    created_at: datetime
    task_token: str = Field(repr=False)
    decision: Decision | None = None


def task_id_for(dossier_code: str, step: str) -> str:
    """Deterministic, so that a step handler run twice opens the same task (STYLE §6)."""
    return f"{dossier_code}~{step}"


def dossier_code_of(task_id: str) -> str:
    return task_id.split("~", 1)[0]
