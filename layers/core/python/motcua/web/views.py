"""Response shapes of the API: what callers see, separate from domain and storage models."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from motcua.agencies.model import Agency, AgencyNode, BeneficiaryAccount
from motcua.catalogue.model import Fee, Procedure, QuarantinedRecord, SyncRun
from motcua.dossiers.lifecycle import NATIONAL_LABEL_VI, Status
from motcua.dossiers.model import (
    Apology,
    Dossier,
    ProgressRecord,
    Rating,
    SupplementRequest,
    Suspension,
    Task,
    TaskAlert,
    Transfer,
)
from motcua.files.model import StoredFile
from motcua.workdays.model import CalendarSettings


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class ErrorDetail(_View):
    code: str
    message: str
    details: dict[str, object] | None = None


class ErrorBody(_View):
    error: ErrorDetail


class ProcedureSummary(_View):
    code: str
    version: int
    name: str
    field_name: str
    level: str
    online_level: str
    agencies: tuple[str, ...]
    has_fees: bool
    derived: bool

    @classmethod
    def of(cls, p: Procedure) -> ProcedureSummary:
        return cls(
            code=p.code,
            version=p.version,
            name=p.name,
            field_name=p.field_name,
            level=p.level,
            online_level=p.online_level.value,
            agencies=p.agencies,
            has_fees=any(f.amount > 0 for f in p.fees),
            derived=p.derived,
        )


class ProcedurePage(_View):
    items: list[ProcedureSummary]
    total: int
    next_cursor: str | None = None


class StatusView(_View):
    status: Status
    national_code: int
    national_label: str

    @classmethod
    def of(cls, status: Status, national_code: int) -> StatusView:
        return cls(status=status, national_code=national_code, national_label=NATIONAL_LABEL_VI[status])


class DossierCreated(_View):
    code: str
    status: StatusView
    received_at: datetime
    due_at: datetime

    @classmethod
    def of(cls, d: Dossier) -> DossierCreated:
        return cls(
            code=d.code,
            status=StatusView.of(d.status, d.national_code),
            received_at=d.received_at,
            due_at=d.due_at,
        )


class TimelineEntry(_View):
    seq: int
    at: datetime
    title: str
    status: Status
    national_code: int
    content: str

    @classmethod
    def of(cls, r: ProgressRecord) -> TimelineEntry:
        return cls(
            seq=r.seq,
            at=r.at,
            title=r.title,
            status=r.status,
            national_code=r.national_code,
            content=r.content,
        )


class DossierView(_View):
    code: str
    procedure_code: str
    procedure_version: int
    agency_code: str
    channel: str
    status: StatusView
    submitted_at: datetime
    received_at: datetime
    due_at: datetime
    original_due_at: datetime
    closed_at: datetime | None
    timeliness: str | None
    applicant_name: str
    fees: tuple[Fee, ...]
    rejection_reasons: tuple[str, ...]
    flagged_failure: bool
    overdue: bool
    due_soon: bool
    appointment_at: datetime
    current_step: int
    supplement_requests: int
    supplement: SupplementRequest | None
    pauses: list[dict[str, datetime | None]]
    transfers: tuple[Transfer, ...]
    suspensions: tuple[Suspension, ...]
    apology: Apology | None
    rating: Rating | None
    result_file_id: str | None
    timeline: list[TimelineEntry]

    @classmethod
    def of(cls, d: Dossier, timeline: list[ProgressRecord]) -> DossierView:
        return cls(
            code=d.code,
            procedure_code=d.procedure_code,
            procedure_version=d.procedure_version,
            agency_code=d.agency_code,
            channel=d.channel.value,
            status=StatusView.of(d.status, d.national_code),
            submitted_at=d.submitted_at,
            received_at=d.received_at,
            due_at=d.due_at,
            original_due_at=d.original_due_at,
            closed_at=d.closed_at,
            timeliness=d.timeliness,
            applicant_name=d.applicant.name,
            fees=d.fees,
            rejection_reasons=d.rejection_reasons,
            flagged_failure=d.failure is not None,
            overdue=d.overdue,
            due_soon=d.due_soon,
            appointment_at=d.appointment_at,
            current_step=d.step_seq,
            supplement_requests=d.supplement_requests,
            supplement=d.supplement,
            pauses=[{"start": p.start, "end": p.end} for p in d.pauses],
            transfers=d.transfers,
            suspensions=d.suspensions,
            apology=d.apology,
            rating=d.rating,
            result_file_id=d.result_file_id,
            timeline=[TimelineEntry.of(r) for r in timeline],
        )


class TaskView(_View):
    task_id: str
    dossier_code: str
    procedure_code: str
    step: str
    step_name: str
    role: str
    unit: str
    status: str
    created_at: datetime
    due_at: datetime | None
    assignee: str | None
    alert: TaskAlert | None

    @classmethod
    def of(cls, t: Task) -> TaskView:
        return cls(
            task_id=t.task_id,
            dossier_code=t.dossier_code,
            procedure_code=t.procedure_code,
            step=t.step,
            step_name=t.step_name,
            role=t.role,
            unit=t.unit,
            status=t.status.value,
            created_at=t.created_at,
            due_at=t.due_at,
            assignee=t.assignee,
            alert=t.alert,
        )


class TaskPage(_View):
    items: list[TaskView]
    next_cursor: str | None = None


class DecisionAccepted(_View):
    task_id: str
    dossier_code: str
    outcome: str
    decided_at: datetime

    @classmethod
    def of(cls, t: Task) -> DecisionAccepted:
        assert t.decision is not None  # only decided tasks are answered with this
        return cls(
            task_id=t.task_id,
            dossier_code=t.dossier_code,
            outcome=t.decision.outcome.value,
            decided_at=t.decision.at,
        )


class AgencyView(_View):
    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None

    @classmethod
    def of(cls, a: Agency) -> AgencyView:
        return cls(
            code=a.code, name=a.name, kind=a.kind.value, level=a.level.value, parent_code=a.parent_code
        )


class AgencyTreeNode(_View):
    agency: AgencyView
    children: list[AgencyTreeNode]

    @classmethod
    def of(cls, node: AgencyNode) -> AgencyTreeNode:
        return cls(agency=AgencyView.of(node.agency), children=[cls.of(c) for c in node.children])


class AgencyTree(_View):
    items: list[AgencyTreeNode]


class AgencyDetail(_View):
    agency: AgencyView
    children: list[AgencyView]
    accounts: list[BeneficiaryAccount]


class SyncRunPage(_View):
    items: list[SyncRun]


class QuarantinePage(_View):
    items: list[QuarantinedRecord]


class OverrunPage(_View):
    items: list[ProcedureSummary]


class CalendarView(_View):
    settings: CalendarSettings
    next_working_days: list[date]


class DossierSummary(_View):
    code: str
    procedure_code: str
    agency_code: str
    status: StatusView
    received_at: datetime
    due_at: datetime

    @classmethod
    def of(cls, d: Dossier) -> DossierSummary:
        return cls(
            code=d.code,
            procedure_code=d.procedure_code,
            agency_code=d.agency_code,
            status=StatusView.of(d.status, d.national_code),
            received_at=d.received_at,
            due_at=d.due_at,
        )


class DossierSummaryPage(_View):
    items: list[DossierSummary]
    next_cursor: str | None = None


class SlipComponent(_View):
    code: str
    name: str
    original_qty: int
    copy_qty: int
    digitised: bool


class ReceiptSlip(_View):
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01, TT 03/2025) as data: what the desk prints."""

    form: str = "Mẫu 01"
    title: str = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    agency_code: str
    agency_name: str
    dossier_code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    channel: str
    received_at: datetime
    due_at: datetime
    components: list[SlipComponent]
    lookup_url: str
    qr_payload: str

    @classmethod
    def of(
        cls, d: Dossier, procedure: Procedure | None, agency_name: str | None, lookup_url: str
    ) -> ReceiptSlip:
        by_code = {c.code: c for c in (procedure.components if procedure else ())}

        def line(code: str, file_name: str, digitised: bool) -> SlipComponent:
            known = by_code.get(code)
            return SlipComponent(
                code=code,
                name=known.name if known else file_name,
                original_qty=known.original_qty if known else 0,
                copy_qty=known.copy_qty if known else 0,
                digitised=digitised,
            )

        return cls(
            agency_code=d.agency_code,
            agency_name=agency_name or d.agency_code,
            dossier_code=d.code,
            procedure_code=d.procedure_code,
            procedure_name=procedure.name if procedure else d.procedure_code,
            applicant_name=d.applicant.name,
            channel=d.channel.value,
            received_at=d.received_at,
            due_at=d.due_at,
            components=[line(c.code, c.file_name, c.digitised) for c in d.components],
            lookup_url=lookup_url,
            qr_payload=lookup_url,
        )


class FileView(_View):
    """A confirmed component file (the object key stays on the server)."""

    file_id: str
    component_code: str
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    status: str
    source: str
    reused_from: str | None
    uploaded_at: datetime

    @classmethod
    def of(cls, f: StoredFile) -> FileView:
        return cls(
            file_id=f.file_id,
            component_code=f.component_code,
            file_name=f.file_name,
            content_type=f.content_type,
            size_bytes=f.size_bytes,
            sha256=f.sha256,
            status=f.status.value,
            source=f.source.value,
            reused_from=f.reused_from,
            uploaded_at=f.uploaded_at,
        )


class ResultLink(_View):
    file: FileView
    url: str
    expires_in: int
