"""Dossier use cases: intake, status, the officer's inbox and decisions, and the state-machine steps.

Services decide; handlers translate. Stores and the workflow arrive as arguments, so unit tests pass fakes.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from motcua import clock
from motcua.calendar import DurationUnit, WorkingCalendar
from motcua.catalogue.model import Channel, Procedure, ProcedureState, TimeUnit
from motcua.dossiers import codes, deadlines
from motcua.dossiers.lifecycle import FINAL, Status, ensure_transition
from motcua.dossiers.model import (
    Applicant,
    Dossier,
    Failure,
    ProgressRecord,
    SuppliedComponent,
    Task,
    TaskAlert,
    TaskStatus,
    owner_by_id,
)
from motcua.errors import BadRequest, Forbidden, NotFound, Unavailable, Unprocessable
from motcua.paging import InvalidCursor
from motcua.web.auth import Principal, Realm

if TYPE_CHECKING:  # stores and ports arrive as arguments; importing them here would only slow cold starts
    from motcua.agencies.store import AgencyStore
    from motcua.catalogue.store import CatalogueStore
    from motcua.dossiers.store import DossierStore
    from motcua.files.store import FileStore
    from motcua.integrations.workflow import Workflow

# Roles that may read a dossier within their scope.
OFFICER_READ_ROLES = frozenset({"DESK_OFFICER", "PROCESSOR", "APPROVER", "CLERK", "AGENCY_ADMIN", "AUDITOR"})
SYSTEM = "system"

CHANNEL_VI = {Channel.ONLINE: "trực tuyến", Channel.DIRECT: "trực tiếp", Channel.POSTAL: "bưu chính"}

UNIT_TO_CALENDAR = {
    TimeUnit.WORKING_DAY: DurationUnit.WORKING_DAY,
    TimeUnit.HOUR: DurationUnit.WORKING_HOUR,
    TimeUnit.DAY: DurationUnit.DAY,
    TimeUnit.MONTH: DurationUnit.MONTH,
}


# --------------------------------------------------------------------------- requests
class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class ComponentIn(_Request):
    code: str = Field(min_length=1, max_length=100)
    file_name: str = Field("", max_length=255)
    file_id: str | None = Field(
        None, pattern=r"^[0-9a-f]{32}$", description="a confirmed upload (POST /v1/uploads) or reused file"
    )


class ContactIn(_Request):
    phone: str | None = Field(None, pattern=r"^\+?\d{9,15}$")
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    address: str | None = Field(None, max_length=500)


class SubmitDossier(_Request):
    """A citizen's online submission (nộp hồ sơ trực tuyến)."""

    procedure_code: str = Field(pattern=r"^\d\.\d{6}$")
    agency_code: str = Field(min_length=3, max_length=40, pattern=r"^[0-9A-Z.]+$")
    summary: str = Field("", max_length=1000)
    contact: ContactIn = ContactIn()
    components: list[ComponentIn] = Field(default_factory=list, max_length=100)


# --------------------------------------------------------------------------- intake
def submit(
    principal: Principal,
    request: SubmitDossier,
    catalogue: CatalogueStore,
    dossiers: DossierStore,
    calendar: WorkingCalendar,
    files: Callable[[], FileStore] | None = None,
) -> Dossier:
    """A citizen's online submission: the applicant is the authenticated account (VNeID / portal SSO)."""
    applicant = Applicant(
        name=principal.name or "",
        id_number=principal.id_number,
        phone=request.contact.phone,
        email=request.contact.email,
        address=request.contact.address,
    )
    linked = _linked_files(request, principal.subject, files)
    return _receive(
        Channel.ONLINE, request, applicant, principal.subject, SYSTEM, catalogue, dossiers, calendar, linked
    )


def _linked_files(
    request: SubmitDossier, uploader: str, files: Callable[[], FileStore] | None
) -> dict[str, Any]:
    """The verified files the request links to its components (none: no file store is touched)."""
    links = {c.file_id: c.code for c in request.components if c.file_id}
    if not links:
        return {}
    if files is None:
        raise Unprocessable("Không nhận tệp đính kèm ở kênh này.", code="FILES_NOT_ACCEPTED")
    from motcua.files.service import verified_files

    return verified_files(uploader, links, files())


class ApplicantIn(_Request):
    name: str = Field(min_length=1, max_length=200)
    id_number: str = Field(pattern=r"^[0-9]{12}$", description="số định danh cá nhân")
    phone: str | None = Field(None, pattern=r"^\+?\d{9,15}$")
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    address: str | None = Field(None, max_length=500)


class DeskComponentIn(ComponentIn):
    digitised: bool = Field(False, description="scanned or certified into an electronic copy at the desk")


class ReceiveAtDesk(SubmitDossier):
    """A dossier received at the one-stop desk (bộ phận một cửa) or by post, for an applicant."""

    channel: Channel = Channel.DIRECT
    applicant: ApplicantIn
    components: list[DeskComponentIn] = Field(default_factory=list, max_length=100)  # type: ignore[assignment]


DESK_ROLES = ("DESK_OFFICER", "POSTAL_AGENT")


def receive_at_desk(
    principal: Principal,
    request: ReceiveAtDesk,
    catalogue: CatalogueStore,
    dossiers: DossierStore,
    calendar: WorkingCalendar,
    files: Callable[[], FileStore] | None = None,
) -> Dossier:
    """The desk officer receives for an applicant (DOMAIN §3.1, §3.3): only at their own agency, on the
    direct or postal channel; the components they digitised are recorded as such."""
    if request.channel is Channel.ONLINE:
        raise Unprocessable("Hồ sơ trực tuyến do người nộp gửi qua Cổng.", code="CHANNEL_NOT_DESK")
    if request.agency_code != principal.agency:
        raise Forbidden("Chỉ tiếp nhận hồ sơ tại cơ quan của mình.", code="OTHER_AGENCY")
    applicant = Applicant(**request.applicant.model_dump())
    # Owned by the applicant's ID number: a citizen whose verified account carries it can follow it online.
    return _receive(
        request.channel,
        request,
        applicant,
        owner_by_id(applicant.id_number or ""),
        principal.subject,
        catalogue,
        dossiers,
        calendar,
        _linked_files(request, principal.subject, files),  # the desk officer digitised and uploaded them
    )


def _receive(
    channel: Channel,
    request: SubmitDossier,
    applicant: Applicant,
    owner: str,
    actor: str,
    catalogue: CatalogueStore,
    dossiers: DossierStore,
    calendar: WorkingCalendar,
    linked: dict[str, Any] | None = None,
) -> Dossier:
    """Receipt on any channel: check against the procedure version in force, issue the code, set the due
    date, and write the dossier with its first progress record."""
    procedure = catalogue.current(request.procedure_code)
    if procedure is None or procedure.state is ProcedureState.TESTING:
        raise NotFound(
            f"Không tìm thấy thủ tục hành chính {request.procedure_code}.", code="PROCEDURE_NOT_FOUND"
        )
    if procedure.state is ProcedureState.WITHDRAWN:
        # Dossiers already received under it go on (they keep their version); new ones are refused.
        raise Unprocessable(
            f"Thủ tục {request.procedure_code} đã bị bãi bỏ, không tiếp nhận hồ sơ mới.",
            code="PROCEDURE_WITHDRAWN",
        )
    processing_time = procedure.processing_time(channel)
    if processing_time is None:
        raise Unprocessable(
            f"Thủ tục này không tiếp nhận hồ sơ qua kênh {CHANNEL_VI[channel]}.", code="CHANNEL_NOT_OFFERED"
        )
    if request.agency_code not in procedure.agencies:
        raise Unprocessable(
            f"Cơ quan {request.agency_code} không giải quyết thủ tục này.", code="AGENCY_NOT_COMPETENT"
        )
    supplied = {c.code for c in request.components}
    missing = procedure.missing_components(supplied)
    if missing:
        raise Unprocessable(
            "Hồ sơ còn thiếu thành phần bắt buộc: " + "; ".join(c.name for c in missing) + ".",
            code="MISSING_COMPONENTS",
            missing=[{"code": c.code, "name": c.name} for c in missing],
        )

    submitted_at = clock.now()
    # Off-hours receipts count from the next working moment (DOMAIN §3.3, offHoursRollover); the code is
    # still issued now, dated the day it was issued.
    received_at = calendar.next_working_moment(submitted_at)
    due_at = calendar.due_date(received_at, processing_time.quantity, UNIT_TO_CALENDAR[processing_time.unit])

    def build(sequence: int) -> tuple[Dossier, ProgressRecord]:
        code = codes.format_code(request.agency_code, submitted_at.date(), sequence)
        dossier = Dossier(
            code=code,
            procedure_code=procedure.code,
            procedure_version=procedure.version,
            agency_code=request.agency_code,
            channel=channel,
            status=Status.RECEIVED,
            owner=owner,
            applicant=applicant,
            summary=request.summary,
            submitted_at=submitted_at,
            components=tuple(_supplied(c, (linked or {}).get(c.file_id or "")) for c in request.components),
            fees=procedure.fees,  # the fee lines of the version in force at receipt (DOMAIN R0)
            received_at=received_at,
            due_at=due_at,
            original_due_at=due_at,
            processing_quantity=processing_time.quantity,
            processing_unit=processing_time.unit.value,
            progress_count=1,
        )
        first = ProgressRecord(
            seq=1,
            status=Status.RECEIVED,
            title="Tiếp nhận hồ sơ",
            actor=actor,
            at=submitted_at,
            content=f"Hồ sơ được tiếp nhận ({CHANNEL_VI[channel]}); hẹn trả kết quả {due_at:%H:%M %d/%m/%Y}.",
        )
        return dossier, first

    return dossiers.create(codes.sequence_scope(request.agency_code, submitted_at.date()), build)


def _supplied(component: ComponentIn, stored: Any) -> SuppliedComponent:
    """A component as received; a linked file brings its checksum and whether it was reused."""
    digitised = bool(getattr(component, "digitised", False))
    if stored is None:
        return SuppliedComponent(code=component.code, file_name=component.file_name, digitised=digitised)
    return SuppliedComponent(
        code=component.code,
        file_name=component.file_name or stored.file_name,
        digitised=digitised,
        file_id=stored.file_id,
        sha256=stored.sha256,
        source=stored.source.value,
        reused_from=stored.reused_from,
    )


def start_processing(dossiers: DossierStore, workflow: Workflow, code: str, replayed: bool = True) -> None:
    """Start the dossier's execution (named by its code, so starting twice starts once).

    Kept apart from ``submit`` so that a retry with the same Idempotency-Key, which replays the stored
    intake result, starts the same dossier's execution instead of receiving a second dossier. If the
    workflow cannot be reached the dossier stays visible, flagged for an operator, and the caller gets a
    503 it may retry. ``replayed=False`` (the dossier was created by this very request) skips looking for
    a flag an earlier attempt left: a fresh dossier has none, and intake stays one transaction plus one
    StartExecution (ARCHITECTURE §7).
    """
    try:
        workflow.start(code, {"code": code})
    except Exception as error:
        record_failure(dossiers, code, "start_processing", type(error).__name__, "StartExecution failed")
        raise Unavailable(
            "Hồ sơ đã được lưu nhưng chưa chuyển xử lý được; vui lòng gửi lại yêu cầu.",
            code="PROCESSING_NOT_STARTED",
            dossier_code=code,
        ) from error
    if not replayed:
        return
    dossier = dossiers.get(code)
    if dossier is not None and dossier.failure is not None and dossier.failure.step == "start_processing":
        dossiers.save_transition(dossier, dossier.model_copy(update={"failure": None}), None)


# --------------------------------------------------------------------------- reads
def view(principal: Principal, code: str, dossiers: DossierStore) -> tuple[Dossier, list[ProgressRecord]]:
    """A dossier and its timeline, for its owner or an officer whose scope covers it.

    Anyone else gets the same 404 as for a code that does not exist: existence is not revealed.
    """
    not_found = NotFound(f"Không tìm thấy hồ sơ {code}.", code="DOSSIER_NOT_FOUND")
    if not codes.is_dossier_code(code):
        raise not_found
    loaded = dossiers.load(code)  # one Query: dossier, timeline and tasks
    if loaded is None:
        raise not_found
    dossier, timeline, tasks = loaded
    if not _may_read(principal, dossier, timeline, tasks):
        raise not_found
    return dossier, timeline


def _may_read(
    principal: Principal, dossier: Dossier, timeline: Sequence[ProgressRecord], tasks: Sequence[Task]
) -> bool:
    if principal.realm is Realm.CITIZEN:
        # a desk-received dossier is owned by the applicant's ID number; the account carrying it may read it
        by_id = bool(principal.id_number) and dossier.owner == owner_by_id(principal.id_number or "")
        return dossier.owner == principal.subject or by_id
    if not principal.roles & OFFICER_READ_ROLES:
        return False
    if principal.agency != dossier.agency_code:
        # a partner agency reads the dossier it was asked to help with (liên thông)
        return any(t.agency_code == principal.agency and t.agency_code != dossier.agency_code for t in tasks)
    if principal.scope == "AGENCY":
        return True
    # UNIT and PERSONAL scopes (DOMAIN §1.3): the dossiers waiting on them, and those they have handled — a
    # step they recorded or a task they decided.
    if any(t.status is TaskStatus.OPEN and in_scope(principal, t) for t in tasks):
        return True
    handled = any(record.actor == principal.subject for record in timeline)
    return handled or any(t.decision is not None and t.decision.officer == principal.subject for t in tasks)


def in_scope(principal: Principal, task: Task) -> bool:
    """Whether a task of the officer's agency is theirs to see (DOMAIN §1.3): the whole agency for AGENCY scope;
    for UNIT, their unit's tasks and those of a role they hold; for PERSONAL, the tasks of a role they hold that
    nobody else has claimed. (A step names its unit by kind — one-stop, specialist, leadership — while an
    officer's unit is an organisational code, so the role is what ties an officer to a step.)"""
    if principal.scope == "AGENCY":
        return True
    if principal.scope == "UNIT":
        return principal.has_role(task.role) or (bool(task.unit) and task.unit == principal.unit)
    return principal.has_role(task.role) and task.assignee in {None, principal.subject}


def my_dossiers(
    principal: Principal, dossiers: DossierStore, limit: int, cursor: str | None
) -> tuple[list[Dossier], str | None]:
    try:
        # keyed like ``store.owner_key``: by the verified ID number, so desk-received dossiers are listed too
        owner = owner_by_id(principal.id_number) if principal.id_number else principal.subject
        return dossiers.owned_by(owner, limit=limit, cursor=cursor)
    except InvalidCursor as error:
        raise BadRequest("Tham số phân trang không hợp lệ.", code="INVALID_CURSOR") from error


def public_lookup(dossiers: DossierStore, code: str, id_number: str) -> Dossier:
    """The lookup behind the QR code of the receipt slip: the code and the applicant's ID number together
    reveal the status and due date, nothing personal; any mismatch is the same 404 (DOMAIN §3.2)."""
    not_found = NotFound("Không tìm thấy hồ sơ với mã và số giấy tờ này.", code="DOSSIER_NOT_FOUND")
    if not codes.is_dossier_code(code) or not id_number.isdigit():
        raise not_found
    dossier = dossiers.get(code)
    if (
        dossier is None
        or not dossier.applicant.id_number
        or not hmac.compare_digest(dossier.applicant.id_number, id_number)
    ):
        raise not_found
    return dossier


def inbox(
    principal: Principal, dossiers: DossierStore, limit: int, cursor: str | None
) -> tuple[list[Task], str | None]:
    if not principal.agency:
        raise Forbidden("Tài khoản chưa được gán cơ quan.", code="NO_AGENCY")
    try:
        tasks, next_cursor = dossiers.inbox(principal.agency, limit=limit, cursor=cursor)
    except InvalidCursor as error:
        raise BadRequest("Tham số phân trang không hợp lệ.", code="INVALID_CURSOR") from error
    return [t for t in tasks if in_scope(principal, t)], next_cursor


class WithdrawDossier(_Request):
    """The applicant's request to stop (yêu cầu dừng giải quyết, ND 118 Đ21)."""

    reason: str = Field(min_length=1, max_length=1000)


def withdraw(
    principal: Principal,
    code: str,
    request: WithdrawDossier,
    dossiers: DossierStore,
    workflow: Workflow,
    calendar: WorkingCalendar | None = None,
) -> tuple[Dossier, list[ProgressRecord]]:
    """The owner withdraws a dossier not yet final: the desk's notice (Mẫu 05) is the progress record, the
    open tasks leave the inboxes and the execution is stopped. A final dossier answers 409 and changes
    nothing; someone else's answers the same 404 as a missing one."""
    dossier, _timeline = view(principal, code, dossiers)
    if principal.realm is not Realm.CITIZEN:
        raise Forbidden("Chỉ người nộp hồ sơ được yêu cầu rút hồ sơ.", code="OWNER_ONLY")
    ensure_transition(dossier.status, Status.WITHDRAWN)  # a request, not a replayed step: twice is a 409
    withdrawn = advance_status(
        dossiers,
        dossier,
        Status.WITHDRAWN,
        "Thông báo dừng giải quyết hồ sơ theo yêu cầu của người nộp (Mẫu 05)",
        actor=principal.subject,
        content=request.reason,
        calendar=calendar,
    )
    dossiers.close_tasks(code)
    try:
        workflow.stop(code, "withdrawn by the applicant")
    except Exception as error:  # the dossier is withdrawn either way; an orphan execution is flagged for ops
        withdrawn = (
            record_failure(dossiers, code, "stop_execution", type(error).__name__, "StopExecution failed")
            or withdrawn
        )
    return withdrawn, dossiers.timeline(code)


# --------------------------------------------------------------------------- state-machine steps
def require_dossier(dossiers: DossierStore, code: str) -> Dossier:
    dossier = dossiers.get(code)
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ {code}.", code="DOSSIER_NOT_FOUND")
    return dossier


# Processing ends at the first of these (DOMAIN §3.8): timeliness is fixed then, against the lawful due.
END_OF_PROCESSING = frozenset({Status.RESULT_READY, Status.REJECTED, Status.WITHDRAWN})


def timeliness_at(dossier: Dossier, ended_at: datetime, calendar: WorkingCalendar) -> str:
    return deadlines.classify_closed(deadline_state(dossier), ended_at, calendar).value


def advance_status(
    dossiers: DossierStore,
    dossier: Dossier,
    target: Status,
    title: str,
    actor: str = SYSTEM,
    content: str = "",
    at: datetime | None = None,
    calendar: WorkingCalendar | None = None,
    **changes: object,
) -> Dossier:
    """Apply a transition with its progress record; replaying a step that already ran changes nothing."""
    if dossier.status is target:
        return dossier
    ensure_transition(dossier.status, target)
    moment = at or clock.now()
    updates: dict[str, object] = {"status": target, **changes}
    if target in FINAL:
        updates["closed_at"] = moment
    if target in END_OF_PROCESSING and dossier.timeliness is None and calendar is not None:
        updates["timeliness"] = timeliness_at(dossier, moment, calendar)
    return record_progress(dossiers, dossier, title, actor, content, moment, **updates)


def record_progress(
    dossiers: DossierStore,
    dossier: Dossier,
    title: str,
    actor: str = SYSTEM,
    content: str = "",
    at: datetime | None = None,
    **changes: object,
) -> Dossier:
    """Save a change of the dossier with its progress record (the timeline line the national portal gets)."""
    moment = at or clock.now()
    seq = dossier.progress_count + 1
    after = dossier.model_copy(update={"progress_count": seq, **changes})
    record = ProgressRecord(
        seq=seq, status=after.status, title=title, actor=actor, at=moment, content=content
    )
    return dossiers.save_transition(dossier, after, record)


def record_failure(dossiers: DossierStore, code: str, step: str, error: str, cause: str) -> Dossier | None:
    """Flag the dossier so that it shows up for an operator; its status is left as it was (recoverable)."""
    dossier = dossiers.get(code)
    if dossier is None:
        return None
    failure = Failure(step=step, error=error[:200], cause=cause[:1000], at=clock.now())
    after = dossier.model_copy(update={"failure": failure})
    return dossiers.save_transition(dossier, after, None)


def deadline_state(dossier: Dossier) -> deadlines.DeadlineState:
    """The dossier's deadline as the pure rules see it (``motcua.dossiers.deadlines.DeadlineState``)."""
    return deadlines.DeadlineState(
        received_at=dossier.received_at,
        quantity=dossier.processing_quantity,
        unit=UNIT_TO_CALENDAR[TimeUnit(dossier.processing_unit)],
        original_due=dossier.original_due_at,
        current_due=dossier.due_at,
        extended_due=dossier.apology.new_due_at if dossier.apology else None,
        pauses=dossier.pauses,
        supplement_requests=dossier.supplement_requests,
        apologies=1 if dossier.apology else 0,
    )


class WatchReport(BaseModel):
    """What one deadline-watch run found (cảnh báo hạn giải quyết)."""

    overdue: list[str] = Field(default_factory=list, description="newly past their due date")
    due_soon: list[str] = Field(default_factory=list, description="newly within the warning window")
    apology_by: dict[str, datetime] = Field(
        default_factory=dict,
        description="for due-soon dossiers: the latest moment to send the apology (Mẫu 04)",
    )
    notified: dict[str, list[str]] = Field(
        default_factory=dict, description="per dossier, the open tasks whose assignees were alerted"
    )


def watch_deadlines(
    dossiers: DossierStore, calendar: WorkingCalendar, warn_working_hours: float = 8
) -> WatchReport:
    """Flag open dossiers past their due date, and those whose due date is within ``warn_working_hours``
    (CONFIG), and alert the assignees of their open tasks — for a due-soon dossier, with the latest moment
    for the apology (DOMAIN §3.7). Each dossier is flagged once; the flags are what the inbox and reports
    show."""
    now = clock.now()
    report = WatchReport()
    # Open dossiers due before a horizon that covers the warning window (two days of office hours is ample).
    horizon = calendar.add_working_hours(calendar.next_working_moment(now), warn_working_hours + 16)
    for dossier in dossiers.overdue(horizon.isoformat()):
        if dossier.due_at < now:
            if not dossier.overdue:
                dossiers.save_transition(dossier, dossier.model_copy(update={"overdue": True}), None)
                report.overdue.append(dossier.code)
                alert = TaskAlert(kind="OVERDUE", due_at=dossier.due_at, at=now)
                report.notified[dossier.code] = [
                    t.task_id for t in dossiers.alert_open_tasks(dossier.code, alert)
                ]
            continue
        state = deadline_state(dossier)
        if not dossier.due_soon and deadlines.due_soon(state, now, calendar, warn_working_hours):
            dossiers.save_transition(dossier, dossier.model_copy(update={"due_soon": True}), None)
            report.due_soon.append(dossier.code)
            apology_by = deadlines.apology_deadline(state, calendar)
            report.apology_by[dossier.code] = apology_by
            alert = TaskAlert(kind="DUE_SOON", due_at=dossier.due_at, apology_by=apology_by, at=now)
            report.notified[dossier.code] = [
                t.task_id for t in dossiers.alert_open_tasks(dossier.code, alert)
            ]
    return report


def receipt_slip_data(
    principal: Principal, code: str, dossiers: DossierStore, catalogue: CatalogueStore, agencies: AgencyStore
) -> tuple[Dossier, Procedure | None, str | None]:
    """What Mẫu 01 prints: the dossier, the procedure version it was received under, the agency's name."""
    dossier, _timeline = view(principal, code, dossiers)
    agency = agencies.get(dossier.agency_code)
    procedure = catalogue.version(dossier.procedure_code, dossier.procedure_version)
    return dossier, procedure, agency.name if agency else None


def form_document(
    principal: Principal,
    code: str,
    form: str,
    dossiers: DossierStore,
    catalogue: CatalogueStore,
    agencies: AgencyStore,
    lookup_url: str,
) -> dict[str, Any]:
    """The data of one of the dossier's printed forms, for whoever may read the dossier."""
    from motcua.dossiers import documents
    from motcua.web.views import ReceiptSlip

    if form not in documents.FORMS:
        raise NotFound(f"Không có biểu mẫu {form}.", code="FORM_NOT_FOUND", forms=list(documents.FORMS))
    dossier, procedure, agency_name = receipt_slip_data(principal, code, dossiers, catalogue, agencies)
    if form == "mau-01":
        return ReceiptSlip.of(dossier, procedure, agency_name, lookup_url).model_dump(mode="json")
    procedure_name = procedure.name if procedure else dossier.procedure_code
    build = documents.completion_request if form == "mau-02" else documents.apology
    return build(dossier, procedure_name, agency_name or dossier.agency_code)


class RefuseReceipt(_Request):
    """The desk refuses to receive a dossier (từ chối tiếp nhận, Mẫu 03), with its reasons."""

    procedure_code: str = Field(pattern=r"^\d\.\d{6}$")
    agency_code: str = Field(min_length=3, max_length=40, pattern=r"^[0-9A-Z.]+$")
    applicant_name: str = Field(min_length=1, max_length=200)
    reasons: list[str] = Field(min_length=1, max_length=20)


def refuse_receipt(
    principal: Principal, request: RefuseReceipt, catalogue: CatalogueStore, agencies: AgencyStore
) -> dict[str, Any]:
    """Mẫu 03's data. Nothing is stored: no dossier exists; the refusal is an audit event of the handler."""
    from motcua.dossiers import documents

    if not principal.roles & set(DESK_ROLES):
        raise Forbidden("Chỉ cán bộ tiếp nhận được lập phiếu từ chối.", code="ROLE_REQUIRED")
    if request.agency_code != principal.agency:
        raise Forbidden("Chỉ tiếp nhận hồ sơ tại cơ quan của mình.", code="OTHER_AGENCY")
    reasons = [r.strip() for r in request.reasons if r.strip()]
    if not reasons:
        raise Unprocessable("Phiếu từ chối phải nêu rõ lý do.", code="REASONS_REQUIRED")
    procedure = catalogue.current(request.procedure_code)
    if procedure is None:
        raise NotFound(
            f"Không tìm thấy thủ tục hành chính {request.procedure_code}.", code="PROCEDURE_NOT_FOUND"
        )
    agency = agencies.get(request.agency_code)
    return documents.refusal(
        agency.name if agency else request.agency_code,
        request.applicant_name,
        procedure.name,
        reasons,
        clock.now(),
        principal.subject,
    )
