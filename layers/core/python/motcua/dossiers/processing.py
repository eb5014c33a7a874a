"""Processing a received dossier: the state-machine steps, the officers' decisions, the applicant's supplement,
the partner agency's reply, the apology and the rating (DOMAIN §3.4–§3.8).

The routing rule is ``motcua.dossiers.routing`` (pure); the clock rules are ``motcua.dossiers.deadlines``
(pure). Here they meet the stores: the API validates a decision against the dossier and records it on the
task (one winner), the execution resumes, and the ``advance`` step applies it to the dossier. Every step
records what it applied (``last_applied``) and where the execution goes next (``route``), so a step run twice
leaves the same state as once and answers the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from motcua import clock
from motcua.calendar import WorkingCalendar
from motcua.catalogue.model import InternalStep, TimeUnit
from motcua.dossiers import codes, deadlines, routing
from motcua.dossiers.lifecycle import FINAL, Status
from motcua.dossiers.model import (
    APPLICANT_ROLE,
    Apology,
    Decision,
    Dossier,
    Outcome,
    ProgressRecord,
    Rating,
    RequestedItem,
    SupplementRequest,
    SuppliedComponent,
    Suspension,
    Task,
    TaskStatus,
    Transfer,
    dossier_code_of,
    task_id_for,
)
from motcua.dossiers.routing import Action, Waiting
from motcua.dossiers.service import (
    SYSTEM,
    UNIT_TO_CALENDAR,
    advance_status,
    deadline_state,
    record_progress,
    require_dossier,
    view,
)
from motcua.errors import Conflict, Forbidden, NotFound, Unavailable, Unprocessable
from motcua.web.auth import Principal, Realm

if TYPE_CHECKING:  # stores and ports arrive as arguments (cold-start budget, D21)
    from motcua.agencies.store import AgencyStore
    from motcua.catalogue.store import CatalogueStore
    from motcua.dossiers.store import DossierStore
    from motcua.files.store import FileStore
    from motcua.integrations.workflow import Workflow

RESULT_COMPONENT = "RESULT"  # the component code an approver uploads the signed result under
PARTNER_ROLE = "PROCESSOR"  # who answers a transfer at the partner agency
APOLOGY_ROLES = frozenset({"PROCESSOR", "APPROVER", "DESK_OFFICER"})


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class RequestedItemIn(_Request):
    name: str = Field(min_length=1, max_length=500)
    reason: str = Field("", max_length=1000)
    component_code: str = Field("", max_length=100)


class DecideTask(_Request):
    """An officer's decision on a task (xử lý hồ sơ)."""

    outcome: Outcome
    reasons: list[str] = Field(default_factory=list, max_length=20)
    note: str = Field("", max_length=2000)
    items: list[RequestedItemIn] = Field(
        default_factory=list, max_length=50, description="REQUEST_SUPPLEMENT: everything missing, at once"
    )
    partner_agency: str | None = Field(
        None, pattern=r"^[0-9A-Z.]{3,40}$", description="TRANSFER: the partner agency's code"
    )
    legal_basis: str = Field("", max_length=500, description="SUSPEND: the legal provision that allows it")
    document: str = Field("", max_length=500, description="SUSPEND: the supporting document")
    result_file_id: str | None = Field(
        None,
        pattern=r"^[0-9a-f]{32}$",
        description="APPROVE: the signed electronic result, uploaded by the approver (component_code RESULT)",
    )


class SupplementComponentIn(_Request):
    code: str = Field(min_length=1, max_length=100)
    file_name: str = Field("", max_length=255)


class ProvideSupplement(_Request):
    """The applicant's supplement (nộp bổ sung hồ sơ)."""

    components: list[SupplementComponentIn] = Field(min_length=1, max_length=100)
    note: str = Field("", max_length=2000)


class SendApology(_Request):
    """The apology and new appointment (Mẫu 04)."""

    reason: str = Field(min_length=1, max_length=2000)
    new_due_at: datetime


class RateDossier(_Request):
    score: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=1000)


# --------------------------------------------------------------------------- the procedure's steps
def steps_of(catalogue: CatalogueStore, dossier: Dossier) -> tuple[InternalStep, ...]:
    """The internal steps of the version the dossier was received under."""
    return catalogue.steps(dossier.procedure_code, dossier.procedure_version)


def _step_name(steps: tuple[InternalStep, ...], seq: int) -> str:
    step = routing.step_by_seq(steps, seq)
    return step.name if step else ""


# --------------------------------------------------------------------------- state-machine steps
def register(dossiers: DossierStore, catalogue: CatalogueStore, code: str) -> tuple[Dossier, Action]:
    """Received → in process, at the first processing step (2 → 4)."""
    dossier = require_dossier(dossiers, code)
    if dossier.status is not Status.RECEIVED:
        return dossier, _route_of(dossier)  # replayed
    steps = steps_of(catalogue, dossier)
    first = routing.first_step(steps)
    registered = advance_status(
        dossiers,
        dossier,
        Status.IN_PROCESS,
        "Chuyển hồ sơ đến bộ phận giải quyết",
        content=_step_name(steps, first),
        step_seq=first,
        visit=1,
        route=Action.OFFICER.value,
    )
    return registered, Action.OFFICER


def _route_of(dossier: Dossier) -> Action:
    return Action(dossier.route) if dossier.route else routing.next_action(dossier.position)


def open_task(
    dossiers: DossierStore,
    catalogue: CatalogueStore,
    calendar: WorkingCalendar,
    code: str,
    task_token: str,
) -> Task:
    """Open the task the dossier now waits on, holding the execution's callback token.

    The task's key comes from the dossier's position, so running this twice opens one task (the second run
    refreshes the token while the task is still open).
    """
    dossier = require_dossier(dossiers, code)
    position = dossier.position
    kind = routing.waiting_for(position)
    if kind is None:
        raise Conflict("Hồ sơ không chờ xử lý ở bước nào.", code="NOT_WAITING", status=dossier.status.value)
    key = routing.wait_key(position)
    now = clock.now()
    steps = steps_of(catalogue, dossier)
    common: dict[str, Any] = {
        "task_id": task_id_for(code, key),
        "dossier_code": code,
        "procedure_code": dossier.procedure_code,
        "step": key,
        "created_at": now,
        "task_token": task_token,
    }
    if kind is Waiting.SUPPLEMENT:
        task = Task(
            role=APPLICANT_ROLE, agency_code=dossier.agency_code, step_name="Chờ bổ sung hồ sơ", **common
        )
    elif kind is Waiting.PARTNER:
        transfer = dossier.transfers[-1]
        task = Task(
            role=PARTNER_ROLE,
            agency_code=transfer.partner_agency,
            step_name="Phối hợp giải quyết (liên thông)",
            **common,
        )
    else:
        step = routing.step_by_seq(steps, position.step_seq) or routing.FALLBACK_STEPS[0]
        due = calendar.due_date(
            calendar.next_working_moment(now),
            step.duration_value,
            UNIT_TO_CALENDAR[TimeUnit(step.duration_unit)],
        )
        task = Task(
            role=step.role,
            agency_code=dossier.agency_code,
            unit=step.unit,
            step_name=step.name,
            due_at=min(due, dossier.due_at) if dossier.status is not Status.RESULT_READY else due,
            **common,
        )
    dossiers.open_task(task)
    return task


def advance(
    dossiers: DossierStore,
    catalogue: CatalogueStore,
    calendar: WorkingCalendar,
    code: str,
    resumed: dict[str, Any],
    supplement_clock: deadlines.SupplementClock = deadlines.SupplementClock.RESTART,
) -> Action:
    """Apply what the waiting step was resumed with, and say where the execution goes next."""
    dossier = require_dossier(dossiers, code)
    task_id = str(resumed.get("task_id", ""))
    if task_id and dossier.last_applied == task_id:
        return _route_of(dossier)  # replayed: already applied
    decision = Decision.model_validate({k: v for k, v in resumed.items() if k != "task_id"})
    steps = steps_of(catalogue, dossier)
    move = routing.apply(dossier.position, steps, decision.outcome)
    bookkeeping: dict[str, Any] = {
        "step_seq": move.step_seq,
        "visit": move.visit,
        "last_applied": task_id,
        "route": move.action.value,
    }
    outcome, actor, now = decision.outcome, decision.officer, clock.now()
    # The legal clock runs from the receipt's next working moment: a request made before it (a dossier received
    # on a Saturday and handled at once) stops the clock where it starts.
    clock_moment = max(now, dossier.received_at)
    if outcome is Outcome.REQUEST_SUPPLEMENT:
        state = deadlines.request_supplement(deadline_state(dossier), clock_moment, calendar)
        request = SupplementRequest(
            items=decision.items, note=decision.note, requested_by=actor, requested_at=now
        )
        listed = "; ".join(item.name for item in decision.items)
        advance_status(
            dossiers,
            dossier,
            Status.SUPPLEMENT_REQUESTED,
            "Yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)",
            actor=actor,
            content=listed,
            at=now,
            pauses=state.pauses,
            supplement_requests=state.supplement_requests,
            supplement=request,
            **bookkeeping,
        )
    elif outcome is Outcome.SUPPLEMENTED:
        pending = dossier.pauses[-1].start if dossier.pauses else clock_moment
        state = deadlines.supplement_received(
            deadline_state(dossier), max(clock_moment, pending), calendar, supplement_clock
        )
        assert dossier.supplement is not None  # SUPPLEMENT_REQUESTED always carries its request
        provided = dossier.supplement.model_copy(
            update={"provided_at": now, "provided_components": decision.components}
        )
        advance_status(
            dossiers,
            dossier,
            Status.IN_PROCESS,
            "Nhận hồ sơ bổ sung",
            actor=actor,
            content=f"Hẹn trả kết quả mới: {state.current_due:%H:%M %d/%m/%Y}.",
            at=now,
            pauses=state.pauses,
            due_at=state.current_due,
            supplement=provided,
            components=_merge(dossier.components, decision.components),
            due_soon=False,
            overdue=False,
            **bookkeeping,
        )
    elif outcome is Outcome.TRANSFER:
        assert decision.partner_agency  # checked by the decision endpoint
        transfer = Transfer(
            partner_agency=decision.partner_agency,
            request=decision.note,
            requested_by=actor,
            requested_at=now,
        )
        record_progress(
            dossiers,
            dossier,
            f"Chuyển liên thông đến cơ quan {decision.partner_agency}",
            actor=actor,
            content=decision.note,
            at=now,
            transfers=(*dossier.transfers, transfer),
            **bookkeeping,
        )
    elif outcome is Outcome.REPLY:
        replied = dossier.transfers[-1].model_copy(
            update={"reply": decision.note, "replied_by": actor, "replied_at": now}
        )
        record_progress(
            dossiers,
            dossier,
            f"Nhận kết quả liên thông từ cơ quan {replied.partner_agency}",
            actor=actor,
            content=decision.note,
            at=now,
            transfers=(*dossier.transfers[:-1], replied),
            **bookkeeping,
        )
    elif outcome is Outcome.SUSPEND:
        suspension = Suspension(
            reason="; ".join(decision.reasons),
            legal_basis=decision.legal_basis,
            document=decision.document,
            suspended_by=actor,
            suspended_at=now,
        )
        record_progress(
            dossiers,
            dossier,
            "Tạm dừng giải quyết hồ sơ",
            actor=actor,
            content=f"{suspension.reason} (căn cứ: {suspension.legal_basis}; văn bản: {suspension.document})",
            at=now,
            suspensions=(*dossier.suspensions, suspension),
            **bookkeeping,
        )
    elif outcome is Outcome.RESUME:
        ended = dossier.suspensions[-1].model_copy(update={"resumed_by": actor, "resumed_at": now})
        record_progress(
            dossiers,
            dossier,
            "Tiếp tục giải quyết hồ sơ",
            actor=actor,
            content=decision.note,
            at=now,
            suspensions=(*dossier.suspensions[:-1], ended),
            **bookkeeping,
        )
    elif outcome in {Outcome.FORWARD, Outcome.RETURN} and move.action is Action.OFFICER:
        verb = "Chuyển" if outcome is Outcome.FORWARD else "Trả lại"
        record_progress(
            dossiers,
            dossier,
            f"{verb} bước «{_step_name(steps, move.step_seq)}»",
            actor=actor,
            content="; ".join((*decision.reasons, decision.note) if decision.note else decision.reasons),
            at=now,
            **bookkeeping,
        )
    else:
        # APPROVE, REJECT, FORWARD off the last step: the next step (IssueResult, DeliverResult,
        # CloseRejected) makes the status change; only the routing is recorded here.
        if outcome is Outcome.REJECT:
            bookkeeping["rejection_reasons"] = decision.reasons
        if outcome is Outcome.APPROVE and decision.result_file_id:
            bookkeeping["signed_result_file_id"] = decision.result_file_id
        dossiers.save_transition(dossier, dossier.model_copy(update=bookkeeping), None)
    return move.action


def _merge(
    had: tuple[SuppliedComponent, ...], new: tuple[SuppliedComponent, ...]
) -> tuple[SuppliedComponent, ...]:
    replaced = {c.code for c in new}
    return (*(c for c in had if c.code not in replaced), *new)


def issue_result(
    dossiers: DossierStore,
    catalogue: CatalogueStore,
    code: str,
    calendar: WorkingCalendar,
    files: Callable[[], FileStore] | None = None,
) -> tuple[Dossier, Action]:
    """The result is signed and issued (9); the steps after the approving one return it. A signed electronic
    result attached to the approval is filed for the applicant (their copy, which they can download and
    reuse in later dossiers)."""
    dossier = require_dossier(dossiers, code)
    if dossier.status is not Status.IN_PROCESS:
        return dossier, _route_of(dossier)  # replayed
    issued_file: dict[str, Any] = {}
    if dossier.signed_result_file_id and files is not None:
        from motcua.files.service import issue_result_file

        store = files()
        signed = store.get(dossier.signed_result_file_id)
        if signed is not None:
            issued_file["result_file_id"] = issue_result_file(code, dossier.owner, signed, store).file_id
    move = routing.after_issue(steps_of(catalogue, dossier), dossier.step_seq, dossier.visit)
    issued = advance_status(
        dossiers,
        dossier,
        Status.RESULT_READY,
        "Đã có kết quả giải quyết",
        content="Kết quả điện tử đã được cấp." if issued_file else "",
        calendar=calendar,
        step_seq=move.step_seq,
        visit=move.visit,
        route=move.action.value,
        **issued_file,
    )
    return issued, move.action


def deliver_result(dossiers: DossierStore, code: str) -> Dossier:
    dossier = require_dossier(dossiers, code)
    return advance_status(
        dossiers, dossier, Status.RETURNED, "Đã trả kết quả cho người nộp hồ sơ", route=Action.DONE.value
    )


def close_rejected(
    dossiers: DossierStore,
    code: str,
    reasons: tuple[str, ...] | list[str],
    officer: str,
    calendar: WorkingCalendar | None = None,
) -> Dossier:
    dossier = require_dossier(dossiers, code)
    return advance_status(
        dossiers,
        dossier,
        Status.REJECTED,
        "Dừng xử lý: hồ sơ không đủ điều kiện giải quyết",
        actor=officer or SYSTEM,
        content="; ".join(reasons),
        calendar=calendar,
        rejection_reasons=tuple(reasons),
        route=Action.DONE.value,
    )


# --------------------------------------------------------------------------- officers
def _task_of(principal: Principal, task_id: str, dossiers: DossierStore) -> tuple[Dossier, Task]:
    """The task and its dossier, for an officer of the task's agency (others: the same 404 as none)."""
    not_found = NotFound("Không tìm thấy nhiệm vụ.", code="TASK_NOT_FOUND")
    code = dossier_code_of(task_id)
    key = task_id.partition("~")[2]
    loaded = dossiers.load(code) if codes.is_dossier_code(code) and key else None  # one Query
    if loaded is None:
        raise not_found
    dossier, _timeline, tasks = loaded
    task = next((t for t in tasks if t.step == key), None)
    if task is None or task.agency_code != principal.agency or principal.realm is Realm.CITIZEN:
        raise not_found
    return dossier, task


def claim(principal: Principal, task_id: str, dossiers: DossierStore) -> Task:
    """Take a task for oneself (nhận xử lý): it leaves the other officers' personal inboxes."""
    _dossier, task = _task_of(principal, task_id, dossiers)
    if not principal.has_role(task.role):
        raise Forbidden("Tài khoản không có vai trò xử lý bước này.", code="ROLE_REQUIRED")
    return dossiers.claim_task(task, principal.subject)


def decide(
    principal: Principal,
    task_id: str,
    request: DecideTask,
    dossiers: DossierStore,
    workflow: Workflow,
    catalogue: CatalogueStore,
    agencies: AgencyStore | None = None,
    files: Callable[[], FileStore] | None = None,
) -> Task:
    """An officer decides the task the dossier waits on. Everything that would make the step refuse it is
    checked first (409/422, nothing changes); then the decision is recorded (one of two officers wins) and
    the execution resumes."""
    dossier, task = _task_of(principal, task_id, dossiers)
    if not principal.has_role(task.role):
        raise Forbidden("Tài khoản không có vai trò xử lý bước này.", code="ROLE_REQUIRED")
    if task.status is TaskStatus.CLOSED:
        raise Conflict("Hồ sơ đã dừng giải quyết; nhiệm vụ này đã đóng.", code="TASK_CLOSED")
    if task.status is not TaskStatus.OPEN:
        raise Conflict("Nhiệm vụ này đã được xử lý.", code="TASK_ALREADY_DECIDED")
    if task.assignee and task.assignee != principal.subject:
        raise Conflict("Nhiệm vụ đã được cán bộ khác nhận xử lý.", code="TASK_CLAIMED")
    if routing.waiting_for(dossier.position) is None:  # final, or between two steps
        raise Conflict("Hồ sơ không còn chờ xử lý.", code="TASK_NOT_WAITING")
    if routing.wait_key(dossier.position) != task.step:
        raise Conflict("Nhiệm vụ này không còn là bước hiện tại của hồ sơ.", code="TASK_STALE")
    routing.ensure_allowed(dossier.position, steps_of(catalogue, dossier), request.outcome)
    reasons = tuple(r.strip() for r in request.reasons if r.strip())
    _check_decision(dossier, request, reasons, agencies)
    if request.result_file_id:
        if request.outcome is not Outcome.APPROVE or files is None:
            raise Unprocessable("Chỉ đính kèm kết quả khi phê duyệt.", code="RESULT_ONLY_ON_APPROVE")
        from motcua.files.service import verified_files

        verified_files(principal.subject, {request.result_file_id: RESULT_COMPONENT}, files())
    decision = Decision(
        outcome=request.outcome,
        reasons=reasons,
        note=request.note,
        officer=principal.subject,
        at=clock.now(),
        items=tuple(RequestedItem(**item.model_dump()) for item in request.items),
        partner_agency=request.partner_agency,
        legal_basis=request.legal_basis,
        document=request.document,
        result_file_id=request.result_file_id,
    )
    return _record_and_resume(dossiers, workflow, task, decision)


def _check_decision(
    dossier: Dossier,
    request: DecideTask,
    reasons: tuple[str, ...],
    agencies: AgencyStore | None,
) -> None:
    outcome = request.outcome
    if outcome in {Outcome.REJECT, Outcome.RETURN} and not reasons:
        raise Unprocessable("Quyết định này phải nêu rõ lý do.", code="REASONS_REQUIRED")
    if outcome is Outcome.REQUEST_SUPPLEMENT:
        if not request.items:
            raise Unprocessable(
                "Yêu cầu bổ sung phải liệt kê đầy đủ các nội dung cần bổ sung.", code="ITEMS_REQUIRED"
            )
        deadlines.ensure_supplement_allowed(deadline_state(dossier))  # at most once during processing
    if outcome is Outcome.TRANSFER:
        partner = request.partner_agency
        if not partner or partner == dossier.agency_code:
            raise Unprocessable("Phải chọn cơ quan phối hợp khác.", code="PARTNER_REQUIRED")
        if agencies is not None and agencies.get(partner) is None:
            raise Unprocessable(f"Không tìm thấy cơ quan {partner}.", code="PARTNER_NOT_FOUND")
        if not request.note:
            raise Unprocessable("Phải nêu nội dung đề nghị phối hợp.", code="NOTE_REQUIRED")
    if outcome is Outcome.REPLY and not request.note:
        raise Unprocessable("Phải nêu nội dung trả lời.", code="NOTE_REQUIRED")
    if outcome is Outcome.SUSPEND and not (reasons and request.legal_basis and request.document):
        raise Unprocessable(
            "Tạm dừng giải quyết phải nêu lý do, căn cứ pháp lý và văn bản kèm theo.",
            code="LEGAL_BASIS_REQUIRED",
        )


def _record_and_resume(dossiers: DossierStore, workflow: Workflow, task: Task, decision: Decision) -> Task:
    decided = task.model_copy(update={"status": TaskStatus.DECIDED, "decision": decision})
    dossiers.decide_task(decided)  # the race between two deciders is settled here
    try:
        workflow.resume(
            task.task_token, {"task_id": task.task_id, **decision.model_dump(mode="json", exclude_none=True)}
        )
    except Conflict:
        raise  # the execution no longer waits (timed out, stopped): reopening would strand the task
    except Exception as error:
        dossiers.reopen_task(task)  # a transient failure: it can be decided again
        raise Unavailable(code="RESUME_FAILED") from error
    return decided


# --------------------------------------------------------------------------- the applicant
def provide_supplement(
    principal: Principal, code: str, request: ProvideSupplement, dossiers: DossierStore, workflow: Workflow
) -> Task:
    """The applicant sends what the supplement request (Mẫu 02) listed; the clock starts again per the
    configured rule when the execution applies it."""
    dossier, _timeline = view(principal, code, dossiers)
    if principal.realm is not Realm.CITIZEN:
        raise Forbidden("Chỉ người nộp hồ sơ được nộp bổ sung.", code="OWNER_ONLY")
    if dossier.status is not Status.SUPPLEMENT_REQUESTED:
        raise Conflict("Hồ sơ không có yêu cầu bổ sung nào đang chờ.", code="NO_SUPPLEMENT_PENDING")
    task = dossiers.get_task(code, routing.wait_key(dossier.position))
    if task is None:
        # the request is recorded and its task opens a moment later: ask again
        raise Conflict("Yêu cầu bổ sung đang được chuẩn bị, vui lòng thử lại.", code="SUPPLEMENT_NOT_READY")
    if task.status is not TaskStatus.OPEN:
        raise Conflict("Hồ sơ bổ sung đã được nộp.", code="TASK_ALREADY_DECIDED")
    decision = Decision(
        outcome=Outcome.SUPPLEMENTED,
        note=request.note,
        officer=principal.subject,
        at=clock.now(),
        components=tuple(SuppliedComponent(code=c.code, file_name=c.file_name) for c in request.components),
    )
    return _record_and_resume(dossiers, workflow, task, decision)


def apologise(
    principal: Principal, code: str, request: SendApology, dossiers: DossierStore, calendar: WorkingCalendar
) -> tuple[Dossier, list[ProgressRecord]]:
    """The processing agency's apology with a new appointment (Mẫu 04): once, at least one working day before
    the due date. The lawful due, and so the lateness, do not change (DOMAIN §3.7)."""
    dossier, _timeline = view(principal, code, dossiers)
    if principal.realm is Realm.CITIZEN or not principal.roles & APOLOGY_ROLES:
        raise Forbidden("Chỉ cán bộ giải quyết hồ sơ được gửi văn bản xin lỗi.", code="ROLE_REQUIRED")
    if dossier.status in FINAL or dossier.status is Status.RESULT_READY:
        raise Conflict("Hồ sơ đã giải quyết xong, không cần xin lỗi.", code="DOSSIER_CLOSED")
    now = clock.now()
    state = deadlines.apologise(deadline_state(dossier), now, request.new_due_at, calendar)
    assert state.extended_due is not None
    apology = Apology(
        reason=request.reason, new_due_at=state.extended_due, sent_by=principal.subject, sent_at=now
    )
    sent = record_progress(
        dossiers,
        dossier,
        "Văn bản xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)",
        actor=principal.subject,
        content=f"{request.reason} Hẹn trả kết quả mới: {state.extended_due:%H:%M %d/%m/%Y}.",
        at=now,
        apology=apology,
    )
    return sent, dossiers.timeline(code)


def rate(principal: Principal, code: str, request: RateDossier, dossiers: DossierStore) -> Dossier:
    """The applicant rates how the dossier was handled, once, after it ended (QĐ 766 satisfaction)."""
    dossier, _timeline = view(principal, code, dossiers)
    if principal.realm is not Realm.CITIZEN:
        raise Forbidden("Chỉ người nộp hồ sơ được đánh giá.", code="OWNER_ONLY")
    if dossier.status not in FINAL:
        raise Conflict("Chỉ đánh giá khi hồ sơ đã giải quyết xong.", code="DOSSIER_NOT_CLOSED")
    if dossier.rating is not None:
        raise Conflict("Hồ sơ đã được đánh giá.", code="ALREADY_RATED")
    rating = Rating(score=request.score, comment=request.comment, at=clock.now())
    return dossiers.save_transition(dossier, dossier.model_copy(update={"rating": rating}), None)
