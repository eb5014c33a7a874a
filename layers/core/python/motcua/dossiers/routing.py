"""Routing a dossier through its procedure's internal steps (quy trình nội bộ, DOMAIN §3.6). Pure.

One generic state machine runs every procedure (ARCHITECTURE §2): the steps come from the procedure version
the dossier was received under. This module is the whole routing rule; the state machine only waits where
``next_action`` says and the services only persist what ``apply`` returns.

The dossier's position is two numbers:
- ``step_seq``: the internal step being worked on (0 once no step remains);
- ``visit``: how many times the dossier has arrived somewhere it waits (a step, the applicant's supplement,
  a partner agency's reply). Each arrival gets its own task id, so a step that is returned to opens a new task
  (``step2-1``, then ``step2-4``), and a replayed handler finds the task it opened the first time.

The reception step (the first step, at the one-stop desk) is done by receiving the dossier, so processing
starts at the step after it. A step whose role is ``APPROVER`` ends processing with ``APPROVE``: the result is
issued (status 9) and the steps after it return the result; the last step's ``FORWARD`` delivers it (10).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from motcua.catalogue.model import InternalStep, TimeUnit
from motcua.dossiers.lifecycle import Status
from motcua.errors import Conflict

APPROVER = "APPROVER"
RECEPTION_ROLE = "DESK_OFFICER"

# A procedure configured without internal steps still needs a decision: one review by the approver.
FALLBACK_STEPS: tuple[InternalStep, ...] = (
    InternalStep(
        seq=1,
        name="Xem xét, phê duyệt hồ sơ",
        role=APPROVER,
        unit="",
        duration_value=1,
        duration_unit=TimeUnit.WORKING_DAY,
    ),
)


class Outcome(StrEnum):
    """What an officer (or a partner agency) decides on a task."""

    FORWARD = "FORWARD"  # chuyển bước tiếp theo
    APPROVE = "APPROVE"  # phê duyệt: the result is issued
    RETURN = "RETURN"  # trả lại bước trước
    REQUEST_SUPPLEMENT = "REQUEST_SUPPLEMENT"  # yêu cầu bổ sung (Mẫu 02)
    REJECT = "REJECT"  # từ chối giải quyết, nêu rõ lý do
    TRANSFER = "TRANSFER"  # chuyển liên thông đến cơ quan phối hợp
    REPLY = "REPLY"  # the partner agency's reply (văn bản trả lời liên thông)
    SUSPEND = "SUSPEND"  # tạm dừng with a legal basis (a sub-state of 4: the national status stays 4)
    RESUME = "RESUME"  # the suspension ends
    SUPPLEMENTED = "SUPPLEMENTED"  # the applicant provided the supplement (not an officer's choice)


class Action(StrEnum):
    """Where the state machine goes next (the ``Route`` Choice state of dossier.asl.json)."""

    OFFICER = "OFFICER"  # WaitForOfficer: a task for the current step
    SUPPLEMENT = "SUPPLEMENT"  # WaitForSupplement: the applicant's supplement
    PARTNER = "PARTNER"  # WaitForPartner: the partner agency's reply
    ISSUE = "ISSUE"  # IssueResult
    DELIVER = "DELIVER"  # DeliverResult
    REJECT = "REJECT"  # CloseRejected
    DONE = "DONE"  # nothing more to do (a final status)


class Waiting(StrEnum):
    OFFICER = "step"
    SUPPLEMENT = "supplement"
    PARTNER = "partner"


OFFICER_OUTCOMES = frozenset(
    {
        Outcome.FORWARD,
        Outcome.APPROVE,
        Outcome.RETURN,
        Outcome.REQUEST_SUPPLEMENT,
        Outcome.REJECT,
        Outcome.TRANSFER,
        Outcome.SUSPEND,
    }
)


@dataclass(frozen=True)
class Position:
    """The routing-relevant part of a dossier."""

    status: Status
    step_seq: int
    visit: int
    transfer_pending: bool = False
    suspended: bool = False


def processing_steps(steps: Sequence[InternalStep]) -> tuple[InternalStep, ...]:
    """The steps an officer works on after receipt: all but a leading reception step."""
    ordered = tuple(sorted(steps, key=lambda s: s.seq))
    if len(ordered) > 1 and ordered[0].role == RECEPTION_ROLE:
        ordered = ordered[1:]
    return ordered or FALLBACK_STEPS


def step_by_seq(steps: Sequence[InternalStep], seq: int) -> InternalStep | None:
    return next((s for s in processing_steps(steps) if s.seq == seq), None)


def first_step(steps: Sequence[InternalStep]) -> int:
    return processing_steps(steps)[0].seq


def _after(steps: Sequence[InternalStep], seq: int) -> int:
    """The seq of the step after ``seq``, or 0 when it is the last."""
    ordered = processing_steps(steps)
    later = [s.seq for s in ordered if s.seq > seq]
    return later[0] if later else 0


def _before(steps: Sequence[InternalStep], seq: int) -> int:
    earlier = [s.seq for s in processing_steps(steps) if s.seq < seq]
    return earlier[-1] if earlier else 0


def waiting_for(position: Position) -> Waiting | None:
    """What the dossier waits for at its current position (None: it does not wait)."""
    if position.status is Status.SUPPLEMENT_REQUESTED:
        return Waiting.SUPPLEMENT
    if position.status is Status.IN_PROCESS and position.transfer_pending:
        return Waiting.PARTNER
    if position.status in {Status.IN_PROCESS, Status.RESULT_READY} and position.step_seq:
        return Waiting.OFFICER
    return None


def wait_key(position: Position) -> str:
    """The task's key within the dossier (``T#{key}``; task id ``{code}~{key}``)."""
    kind = waiting_for(position)
    if kind is None:
        raise Conflict("Hồ sơ không chờ xử lý ở bước nào.", code="NOT_WAITING")
    if kind is Waiting.OFFICER:
        return f"step{position.step_seq}-{position.visit}"
    return f"{kind.value}-{position.visit}"


def next_action(position: Position) -> Action:
    """Where the state machine goes from this position (a replayed step asks again and gets the same)."""
    kind = waiting_for(position)
    if kind is Waiting.SUPPLEMENT:
        return Action.SUPPLEMENT
    if kind is Waiting.PARTNER:
        return Action.PARTNER
    if kind is Waiting.OFFICER:
        return Action.OFFICER
    if position.status is Status.RESULT_READY:
        return Action.DELIVER  # no return step left: deliver
    return Action.DONE


def allowed_outcomes(position: Position, steps: Sequence[InternalStep]) -> frozenset[Outcome]:
    """The decisions the task at this position admits (anything else is a 409 that changes nothing)."""
    kind = waiting_for(position)
    if kind is Waiting.SUPPLEMENT:
        return frozenset({Outcome.SUPPLEMENTED})
    if kind is Waiting.PARTNER:
        return frozenset({Outcome.REPLY})
    if kind is None:
        return frozenset()
    if position.status is Status.RESULT_READY:
        return frozenset({Outcome.FORWARD})  # returning the result: only onwards
    if position.suspended:
        return frozenset({Outcome.RESUME, Outcome.REJECT})  # a suspended dossier resumes, or stops
    step = step_by_seq(steps, position.step_seq)
    allowed = set(OFFICER_OUTCOMES)
    if step is not None and step.role == APPROVER:
        allowed.discard(Outcome.FORWARD)  # the approver signs or sends back, never just passes on
    else:
        allowed.discard(Outcome.APPROVE)
    if not _before(steps, position.step_seq):
        allowed.discard(Outcome.RETURN)
    return frozenset(allowed)


def ensure_allowed(position: Position, steps: Sequence[InternalStep], outcome: Outcome) -> None:
    if outcome not in allowed_outcomes(position, steps):
        raise Conflict(
            "Quyết định này không hợp lệ ở bước xử lý hiện tại của hồ sơ.",
            code="DECISION_NOT_ALLOWED",
            outcome=outcome.value,
            allowed=sorted(o.value for o in allowed_outcomes(position, steps)),
        )


@dataclass(frozen=True)
class Move:
    """What a decision does: the new position fields, and the action that follows."""

    action: Action
    step_seq: int
    visit: int


def apply(position: Position, steps: Sequence[InternalStep], outcome: Outcome) -> Move:
    """The move a decision makes. Status changes that need more than routing (the supplement's clock, the
    rejection's reasons, the result) are made by the services for the action returned."""
    ensure_allowed(position, steps, outcome)
    here, visit = position.step_seq, position.visit
    if outcome is Outcome.FORWARD:
        following = _after(steps, here)
        if following:
            return Move(Action.OFFICER, following, visit + 1)
        # the last step: deliver an issued result, or (no approver step) issue then deliver
        action = Action.DELIVER if position.status is Status.RESULT_READY else Action.ISSUE
        return Move(action, 0, visit)
    if outcome is Outcome.APPROVE:
        return Move(Action.ISSUE, here, visit)  # IssueResult moves on to the return steps
    if outcome is Outcome.RETURN:
        return Move(Action.OFFICER, _before(steps, here), visit + 1)
    if outcome is Outcome.REQUEST_SUPPLEMENT:
        return Move(Action.SUPPLEMENT, here, visit + 1)
    if outcome is Outcome.TRANSFER:
        return Move(Action.PARTNER, here, visit + 1)
    if outcome in {Outcome.SUPPLEMENTED, Outcome.REPLY, Outcome.SUSPEND, Outcome.RESUME}:
        return Move(Action.OFFICER, here, visit + 1)  # back to (or on hold at) the step that asked
    return Move(Action.REJECT, here, visit)  # REJECT


def after_issue(steps: Sequence[InternalStep], approved_at: int, visit: int) -> Move:
    """Once the result is issued: the steps after the approving one return it; none left → deliver."""
    following = _after(steps, approved_at) if approved_at else 0
    if following:
        return Move(Action.OFFICER, following, visit + 1)
    return Move(Action.DELIVER, 0, visit)
