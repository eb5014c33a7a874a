"""The dossier aggregate (hồ sơ) as plain data (DOMAIN §3.10). No I/O here."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from motcua.catalogue.model import Channel, Fee
from motcua.dossiers.deadlines import Pause
from motcua.dossiers.lifecycle import NATIONAL_CODE, Status
from motcua.dossiers.routing import Outcome as Outcome  # re-exported: decisions carry it
from motcua.dossiers.routing import Position


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
    file_id: str | None = None  # the verified upload (motcua.files), if the component came as a file
    sha256: str | None = None
    source: str | None = Field(
        None, description="UPLOAD | REUSE: a reused earlier file feeds the 766 reuse indicator"
    )
    reused_from: str | None = Field(None, description="the earlier dossier whose file was reused")


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


class RequestedItem(_Model):
    """One thing the applicant must supply or correct (Mẫu 02 lists them all at once)."""

    name: str
    reason: str = ""
    component_code: str = ""


class SupplementRequest(_Model):
    """A processing-stage supplement request (yêu cầu bổ sung, hoàn thiện hồ sơ — Mẫu 02)."""

    items: tuple[RequestedItem, ...]
    note: str = ""
    requested_by: str
    requested_at: datetime
    provided_at: datetime | None = None
    provided_components: tuple[SuppliedComponent, ...] = ()


class Transfer(_Model):
    """A transfer to a partner agency (chuyển liên thông) and its reply. The legal clock keeps running."""

    partner_agency: str
    request: str
    requested_by: str
    requested_at: datetime
    reply: str | None = None
    replied_by: str | None = None
    replied_at: datetime | None = None


class Suspension(_Model):
    """A suspension (tạm dừng) of processing with its legal basis and supporting document (DOMAIN §3.5):
    the national status stays 4 and the legal clock keeps running."""

    reason: str
    legal_basis: str
    document: str
    suspended_by: str
    suspended_at: datetime
    resumed_by: str | None = None
    resumed_at: datetime | None = None


class Apology(_Model):
    """The apology and new appointment (Mẫu 04): at most once, ≥ 1 working day before the due date."""

    reason: str
    new_due_at: datetime
    sent_by: str
    sent_at: datetime


class Rating(_Model):
    """The applicant's satisfaction with how the dossier was handled (đánh giá mức độ hài lòng)."""

    score: int = Field(ge=1, le=5)
    comment: str = ""
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
    # Routing (motcua.dossiers.routing): the internal step being worked on and the arrival count.
    step_seq: int = 0
    visit: int = 0
    last_applied: str = Field("", description="task id of the last decision applied (replays are no-ops)")
    route: str = Field("", description="where the execution went next (routing.Action), for replays")
    # The deadline's history (motcua.dossiers.deadlines): supplement pauses, requests, the apology.
    pauses: tuple[Pause, ...] = ()
    supplement_requests: int = 0
    supplement: SupplementRequest | None = None
    transfers: tuple[Transfer, ...] = ()
    suspensions: tuple[Suspension, ...] = ()
    apology: Apology | None = None
    rating: Rating | None = None
    signed_result_file_id: str | None = Field(None, description="the approver's signed result, until issued")
    result_file_id: str | None = Field(None, description="the electronic result issued to the applicant")
    version: int = 0
    progress_count: int = 0

    @property
    def position(self) -> Position:
        pending = bool(self.transfers) and self.transfers[-1].replied_at is None
        suspended = bool(self.suspensions) and self.suspensions[-1].resumed_at is None
        return Position(self.status, self.step_seq, self.visit, transfer_pending=pending, suspended=suspended)

    @property
    def appointment_at(self) -> datetime:
        """The appointment the applicant holds: the apology's new date if any, else the lawful due."""
        if self.apology is not None and self.apology.new_due_at > self.due_at:
            return self.apology.new_due_at
        return self.due_at

    @property
    def national_code(self) -> int:
        return NATIONAL_CODE[self.status]


def owner_by_id(id_number: str) -> str:
    """The owner of a dossier received for an applicant known by their ID number (desk, post): the citizen
    whose verified account carries that number reads it and lists it among their dossiers."""
    return f"ID#{id_number}"


APPLICANT_ROLE = "APPLICANT"  # the supplement's task: decided by the applicant, never in an officer's inbox


class TaskStatus(StrEnum):
    OPEN = "OPEN"
    DECIDED = "DECIDED"
    CLOSED = "CLOSED"  # the dossier ended another way (withdrawn): nobody decides it any more


class Decision(_Model):
    outcome: Outcome
    reasons: tuple[str, ...] = ()
    note: str = ""
    officer: str
    at: datetime
    items: tuple[RequestedItem, ...] = ()  # REQUEST_SUPPLEMENT: everything missing, at once
    partner_agency: str | None = None  # TRANSFER
    legal_basis: str = ""  # SUSPEND
    document: str = ""  # SUSPEND: the supporting document (số, ký hiệu văn bản)
    result_file_id: str | None = None  # APPROVE: the signed electronic result (a confirmed upload)
    components: tuple[SuppliedComponent, ...] = ()  # SUPPLEMENTED: what the applicant sent


class TaskAlert(_Model):
    """What the deadline watch tells the task's assignees (cảnh báo): the dossier is due soon — send the
    apology by ``apology_by`` if the result cannot be ready — or already overdue."""

    kind: str = Field(description="DUE_SOON | OVERDUE")
    due_at: datetime
    apology_by: datetime | None = None
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
    step_name: str = ""
    status: TaskStatus = TaskStatus.OPEN
    created_at: datetime
    due_at: datetime | None = Field(None, description="the step's own due time (its internal duration)")
    assignee: str | None = Field(None, description="the officer who claimed it")
    task_token: str = Field(repr=False)
    decision: Decision | None = None
    alert: TaskAlert | None = None

    @property
    def in_inbox(self) -> bool:
        """Officers' tasks are listed in their agency's inbox; the applicant's supplement task is not."""
        return self.role != APPLICANT_ROLE


def task_id_for(dossier_code: str, step: str) -> str:
    """Deterministic, so that a step handler run twice opens the same task (STYLE §6)."""
    return f"{dossier_code}~{step}"


def dossier_code_of(task_id: str) -> str:
    return task_id.split("~", 1)[0]
