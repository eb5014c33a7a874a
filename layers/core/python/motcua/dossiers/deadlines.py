"""Deadline rules of a dossier (thời hạn giải quyết hồ sơ): supplements, apology, timeliness. Pure.

DOMAIN §3.4, §3.5, §3.7, §3.8 and §12 items 7, 9, 10. Plain data (:class:`DeadlineState`) and functions
over it; the lifecycle calls them and stores the result. A refused operation raises
:class:`motcua.errors.Conflict` and changes nothing (the state is immutable). Times going backwards or
naive datetimes are caller bugs and raise ``ValueError``.

The three due dates a dossier carries, and which one each rule uses:

======================  =====================================================================================
``original_due``        The first due date, computed at receipt and printed on the receipt and appointment
                        slip (Mẫu 01). Never changes; kept for the record and for the 766 KPI
                        (:func:`pause_adjusted_due`).
``current_due``         The lawful due date (hạn giải quyết theo quy định): ``original_due`` adjusted only by
                        a lawful supplement clock event (RESTART recomputes it, PAUSE extends it). This is
                        what DOMAIN §3.7 calls "originalDue, adjusted only by lawful supplement restarts":
                        every timeliness rule (:func:`classify_closed`, :func:`classify_open`,
                        :func:`due_soon`) and the apology deadline measure against it, and nothing else.
``extended_due``        The new appointment of the apology (Mẫu 04), ``None`` until one is sent. Shown to the
                        applicant (:attr:`DeadlineState.appointment_due`), never used to measure lateness:
                        an apology does not cure lateness.
======================  =====================================================================================

"One working day" is the calendar's office-day length (7.5 working hours by default). A moment "N working
days before" a due date is taken as early as possible (:func:`working_moment_before`): one working day
before Monday 17:00 is the previous working day's 17:00, not Monday 07:30, which is the same point in
working time but already the due day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from motcua.calendar import DayCountMode, DurationUnit, WorkingCalendar
from motcua.errors import Conflict

__all__ = [
    "DeadlineState",
    "Pause",
    "SupplementClock",
    "Timeliness",
    "apologise",
    "apology_deadline",
    "classify_closed",
    "classify_open",
    "due_soon",
    "end_time",
    "pause_adjusted_due",
    "request_supplement",
    "start",
    "supplement_received",
    "working_moment_before",
]

# Status names as in ``motcua.dossiers.lifecycle.Status`` (a StrEnum, so its members compare equal to these
# strings); repeated here so this module depends on nothing but the calendar. "STOPPED" is DOMAIN §3.5's
# other name for status 8.
_RECEIVED = "RECEIVED"
_SUPPLEMENT_REQUESTED = "SUPPLEMENT_REQUESTED"
_RESULT_READY = "RESULT_READY"
_ENDINGS = frozenset({"RETURNED", "REJECTED", "STOPPED", "WITHDRAWN"})

# Same guard as the calendar's day-stepping loops: a calendar without working days is broken.
_MAX_SEARCH_DAYS = 3660


class SupplementClock(StrEnum):
    """What a processing-stage supplement request (yêu cầu bổ sung hồ sơ) does to the deadline (CONFIG).

    ``RESTART`` (legal default, ND 61 Đ19.3.a): the processing time is counted again from zero once the
    complete supplement is received ("thời hạn giải quyết được tính lại từ đầu").
    ``PAUSE``: the working time spent waiting for the supplement is added to the due date, as the national
    766 KPI does (trừ thời gian chờ bổ sung).
    """

    RESTART = "RESTART"
    PAUSE = "PAUSE"


class Timeliness(StrEnum):
    """Timeliness of a dossier (tình trạng giải quyết so với thời hạn), DOMAIN §3.8.

    Closed dossiers: ``EARLY`` (trước hạn), ``ON_TIME`` (đúng hạn), ``LATE`` (quá hạn, trễ hạn).
    Open dossiers: ``IN_TIME`` (đang giải quyết trong hạn), ``OVERDUE`` (đang giải quyết quá hạn).
    """

    EARLY = "EARLY"
    ON_TIME = "ON_TIME"
    LATE = "LATE"
    IN_TIME = "IN_TIME"
    OVERDUE = "OVERDUE"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Pause(_Model):
    """Time spent waiting for a supplement (thời gian chờ bổ sung hồ sơ): from the request to the receipt
    of the complete supplement; ``end`` is ``None`` while the supplement is still awaited."""

    start: AwareDatetime
    end: AwareDatetime | None = None

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Self:
        if self.end is not None and self.end < self.start:
            raise ValueError("a pause cannot end before it starts")
        return self


class DeadlineState(_Model):
    """The deadline of one received dossier (thời hạn giải quyết); see the module docstring for the dues.

    ``received_at`` is the normalised receipt moment (thời điểm tiếp nhận) the clock starts from.
    ``quantity``/``unit``/``mode``/``same_day_cutoff`` are the procedure's processing time as applied at
    receipt, kept so that a RESTART recomputes the due date the same way.
    ``supplement_requests`` counts processing-stage requests only (intake-stage requests, before receipt,
    have no clock). The functions here never let it exceed 1; a larger value can only come from imported
    data, and classifies the dossier as late (766 KPI).
    ``apologies`` counts apology letters with a new appointment (Mẫu 04); at most one.
    """

    received_at: AwareDatetime
    quantity: float = Field(ge=0, allow_inf_nan=False)
    unit: DurationUnit
    mode: DayCountMode = DayCountMode.DAYS
    same_day_cutoff: time | None = None
    original_due: AwareDatetime
    current_due: AwareDatetime
    extended_due: AwareDatetime | None = None
    pauses: tuple[Pause, ...] = ()
    supplement_requests: int = Field(default=0, ge=0)
    apologies: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _pauses_are_chronological(self) -> Self:
        for earlier, later in zip(self.pauses, self.pauses[1:], strict=False):
            if earlier.end is None:
                raise ValueError("only the last pause may still be open")
            if later.start < earlier.end:
                raise ValueError("pauses must be chronological and must not overlap")
        return self

    @property
    def pending_supplement(self) -> Pause | None:
        """The pause of a supplement still awaited (chờ bổ sung), if any: the clock is stopped."""
        if self.pauses and self.pauses[-1].end is None:
            return self.pauses[-1]
        return None

    @property
    def appointment_due(self) -> datetime:
        """The appointment the applicant currently holds (ngày hẹn trả kết quả): the apology's new date
        if there is one and it is later, else the lawful due. For display only, never for lateness."""
        if self.extended_due is not None and self.extended_due > self.current_due:
            return self.extended_due
        return self.current_due


# ------------------------------------------------------------------------------------------------ clock


def start(
    received_at: datetime,
    quantity: float,
    unit: DurationUnit,
    calendar: WorkingCalendar,
    *,
    mode: DayCountMode = DayCountMode.DAYS,
    same_day_cutoff: time | None = None,
) -> DeadlineState:
    """Start the clock at receipt (tiếp nhận hồ sơ): the due date of the receipt and appointment slip.

    ``received_at`` is normalised to the next working moment (DOMAIN §3.3, off-hours rollover).
    """
    received = calendar.next_working_moment(received_at)
    due = calendar.due_date(received, quantity, unit, mode, same_day_cutoff)
    return DeadlineState(
        received_at=received,
        quantity=quantity,
        unit=unit,
        mode=mode,
        same_day_cutoff=same_day_cutoff,
        original_due=due,
        current_due=due,
    )


def ensure_supplement_allowed(state: DeadlineState) -> None:
    """Refused with ``SUPPLEMENT_ALREADY_REQUESTED`` once the dossier had its processing-stage request."""
    if state.supplement_requests >= 1:
        raise Conflict(
            "Hồ sơ đã được yêu cầu bổ sung một lần trong quá trình giải quyết; "
            "không được yêu cầu bổ sung lần thứ hai.",
            code="SUPPLEMENT_ALREADY_REQUESTED",
        )


def request_supplement(state: DeadlineState, at: datetime, calendar: WorkingCalendar) -> DeadlineState:
    """Request a supplement during processing (yêu cầu bổ sung, hoàn thiện hồ sơ — Mẫu 02): stop the clock.

    Refused with ``SUPPLEMENT_ALREADY_REQUESTED`` when the dossier already had one: ND 61 Đ19.3.a allows a
    processing-stage request "không quá một lần" (DOMAIN §3.5).
    """
    at = _local(calendar, at)
    ensure_supplement_allowed(state)
    if at < state.received_at:
        raise ValueError("a processing-stage supplement request cannot precede receipt")
    return state.model_copy(
        update={
            "pauses": (*state.pauses, Pause(start=at)),
            "supplement_requests": state.supplement_requests + 1,
        }
    )


def supplement_received(
    state: DeadlineState, at: datetime, calendar: WorkingCalendar, rule: SupplementClock
) -> DeadlineState:
    """The complete supplement is received (nhận đủ hồ sơ bổ sung): close the pause and move the due date.

    ``RESTART``: the lawful due becomes the full processing time counted from ``at`` (normalised to the
    next working moment; in ``DAYS`` mode the day of receipt of the supplement does not count).
    ``PAUSE``: the lawful due is pushed back by the working time of the pause.
    ``original_due`` and ``extended_due`` are left as they are. Refused with ``NO_SUPPLEMENT_PENDING``
    when no supplement is awaited.
    """
    at = _local(calendar, at)
    pending = state.pending_supplement
    if pending is None:
        raise Conflict("Hồ sơ không có yêu cầu bổ sung nào đang chờ.", code="NO_SUPPLEMENT_PENDING")
    if at < pending.start:
        raise ValueError("a supplement cannot be received before it was requested")
    rule = SupplementClock(rule)
    if rule is SupplementClock.RESTART:
        due = calendar.due_date(at, state.quantity, state.unit, state.mode, state.same_day_cutoff)
    else:
        due = calendar.add_working_time(state.current_due, calendar.working_time_between(pending.start, at))
    closed = pending.model_copy(update={"end": at})
    return state.model_copy(update={"pauses": (*state.pauses[:-1], closed), "current_due": due})


def pause_adjusted_due(state: DeadlineState, calendar: WorkingCalendar) -> datetime:
    """The due date by the national 766 KPI's accounting (DOMAIN §12.7): ``original_due`` plus the working
    time of every closed pause, whatever clock the province applies. Equals ``current_due`` under PAUSE."""
    waited = sum(
        (calendar.working_time_between(p.start, p.end) for p in state.pauses if p.end is not None),
        timedelta(),
    )
    return calendar.add_working_time(state.original_due, waited)


# ------------------------------------------------------------------------------------------------ apology


def apology_deadline(
    state: DeadlineState, calendar: WorkingCalendar, notice_working_days: float = 1.0
) -> datetime:
    """The latest moment to send the apology (Mẫu 04): ``notice_working_days`` (CONFIG, default 1) working
    days before the lawful due, taken as early as possible (17:00 of the previous working day in DAYS
    mode)."""
    return working_moment_before(
        calendar, state.current_due, _working_days(calendar, notice_working_days, "notice_working_days")
    )


def apologise(
    state: DeadlineState,
    at: datetime,
    new_due: datetime,
    calendar: WorkingCalendar,
    notice_working_days: float = 1.0,
) -> DeadlineState:
    """Send the apology and new appointment (văn bản xin lỗi và đề nghị gia hạn — Mẫu 04 TT 03/2025).

    Refused with ``APOLOGY_ALREADY_SENT`` (the appointment may be set again at most once),
    ``APOLOGY_TOO_LATE`` (after :func:`apology_deadline`: it must be sent no later than one working day
    before the due date) or ``APOLOGY_DATE_NOT_LATER`` (``new_due`` is not after the lawful due), checked in
    that order. Sets ``extended_due`` only: the lawful due, and so the lateness, do not change.
    """
    at = _local(calendar, at)
    new_due = _local(calendar, new_due)
    if state.apologies >= 1:
        raise Conflict(
            "Hồ sơ đã có văn bản xin lỗi và hẹn lại ngày trả kết quả; chỉ được hẹn lại một lần.",
            code="APOLOGY_ALREADY_SENT",
        )
    deadline = apology_deadline(state, calendar, notice_working_days)
    if at > deadline:
        raise Conflict(
            "Văn bản xin lỗi phải được gửi chậm nhất 01 ngày làm việc trước ngày hẹn trả kết quả "
            f"(hạn gửi: {deadline:%H:%M %d/%m/%Y}).",
            code="APOLOGY_TOO_LATE",
            deadline=deadline.isoformat(),
        )
    if new_due <= state.current_due:
        raise Conflict(
            "Ngày hẹn trả kết quả mới phải sau ngày hẹn trả kết quả hiện tại "
            f"({state.current_due:%H:%M %d/%m/%Y}).",
            code="APOLOGY_DATE_NOT_LATER",
            current_due=state.current_due.isoformat(),
        )
    return state.model_copy(update={"extended_due": new_due, "apologies": state.apologies + 1})


# --------------------------------------------------------------------------------------------- timeliness


def end_time(events: Iterable[tuple[str, datetime]]) -> datetime | None:
    """End of processing (NgayKetThucXuLy) from a dossier's timeline of ``(status, time)``; ``None`` if open.

    DOMAIN §3.8 (766 KPI): the first of RESULT_READY (9), RETURNED (10), REJECTED/STOPPED (8) and
    WITHDRAWN (7); if there is a RESULT_READY it wins (with both 9 and 10, take 9). A processing-stage
    supplement request that was never returned ends processing at the request time, so a withdrawal while
    waiting for the supplement ends at the request. Events before the first RECEIVED (intake-stage
    completion requests, withdrawal before receipt) do not count: such a dossier has no deadline.
    ``status`` may be a ``lifecycle.Status`` or its string value; events are taken in time order.
    """
    received = False
    result_ready: datetime | None = None
    ending: datetime | None = None
    pending_request: datetime | None = None
    for status, at in sorted(events, key=lambda event: event[1]):
        if status == _RECEIVED:
            received = True
        if not received:
            continue
        if status == _SUPPLEMENT_REQUESTED:
            pending_request = pending_request or at
        elif status == _RESULT_READY:
            result_ready = result_ready or at
        elif status in _ENDINGS:
            ending = ending or at
        else:  # back in processing (4, or 2 after completion): the supplement came back
            pending_request = None
    if result_ready is not None:
        return result_ready
    candidates = [moment for moment in (ending, pending_request) if moment is not None]
    return min(candidates) if candidates else None


def classify_closed(
    state: DeadlineState, ended_at: datetime, calendar: WorkingCalendar, early_threshold_days: float = 1.0
) -> Timeliness:
    """Timeliness of a closed dossier that ended at ``ended_at`` (see :func:`end_time`), DOMAIN §3.8.

    ``LATE`` if it ended after the lawful due, or had more than one processing-stage supplement request;
    ``EARLY`` if it ended at least ``early_threshold_days`` (CONFIG, default 1) working days before the
    lawful due (:func:`working_moment_before`); otherwise ``ON_TIME``. While a supplement is pending the
    clock is stopped, so the end is never later than the request time.
    """
    threshold = _working_days(calendar, early_threshold_days, "early_threshold_days")
    end = _clock_stop(state, _local(calendar, ended_at))
    if state.supplement_requests > 1 or end > state.current_due:
        return Timeliness.LATE
    if end <= working_moment_before(calendar, state.current_due, threshold):
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def classify_open(state: DeadlineState, as_of: datetime, calendar: WorkingCalendar) -> Timeliness:
    """Timeliness of an open dossier on the report date ``as_of``: ``IN_TIME`` or ``OVERDUE``.

    ``OVERDUE`` once ``as_of`` is after the lawful due (an apology does not change that), or when the
    dossier had more than one processing-stage supplement request (it can only end ``LATE``). A pending
    supplement stops the clock at the request time.
    """
    if state.supplement_requests > 1:
        return Timeliness.OVERDUE
    if _clock_stop(state, _local(calendar, as_of)) > state.current_due:
        return Timeliness.OVERDUE
    return Timeliness.IN_TIME


def due_soon(
    state: DeadlineState, as_of: datetime, calendar: WorkingCalendar, within_working_hours: float = 8
) -> bool:
    """Deadline watch (cảnh báo sắp đến hạn): the lawful due is not passed yet and at most
    ``within_working_hours`` working hours away. ``False`` while a supplement is pending (the clock is
    stopped and the due will move) and once overdue (see :func:`classify_open`)."""
    if not math.isfinite(within_working_hours) or within_working_hours < 0:
        raise ValueError("within_working_hours must be a finite, non-negative number")
    as_of = _local(calendar, as_of)
    if state.pending_supplement is not None or as_of > state.current_due:
        return False
    return calendar.working_time_between(as_of, state.current_due) <= timedelta(hours=within_working_hours)


# ---------------------------------------------------------------------------------------------- helpers


def working_moment_before(calendar: WorkingCalendar, moment: datetime, amount: timedelta) -> datetime:
    """The earliest moment from which exactly ``amount`` of working time remains until ``moment``.

    The inverse of ``calendar.add_working_time`` taken as early as possible: when the count ends on an
    office window's start, the answer is the previous window's end (one working day before Monday 17:00 is
    Friday 17:00, not Monday 07:30). Used for the apology deadline and the EARLY threshold.
    """
    if amount < timedelta():
        raise ValueError("amount must not be negative")
    cursor = _local(calendar, moment)
    remaining = amount
    day = cursor.date()
    for _ in range(_MAX_SEARCH_DAYS):
        if calendar.is_working_day(day):
            for window_start, window_end in reversed(_windows(calendar, day)):
                if window_start >= cursor:
                    continue
                segment_end = min(window_end, cursor)
                available = segment_end - window_start
                # Exactly exhausting a window moves on to the previous window's end: the earlier twin.
                if not remaining or remaining < available:
                    return segment_end - remaining
                remaining -= available
        day -= timedelta(days=1)
    raise ValueError(f"no working time within {_MAX_SEARCH_DAYS} days before {moment}; check the calendar")


def _windows(calendar: WorkingCalendar, day: date) -> list[tuple[datetime, datetime]]:
    return [
        (datetime.combine(day, start, tzinfo=calendar.tz), datetime.combine(day, end, tzinfo=calendar.tz))
        for start, end in calendar.office_hours.windows
    ]


def _working_days(calendar: WorkingCalendar, days: float, name: str) -> timedelta:
    if not math.isfinite(days) or days < 0:
        raise ValueError(f"{name} must be a finite, non-negative number")
    return calendar.office_hours.day_length * days


def _clock_stop(state: DeadlineState, moment: datetime) -> datetime:
    """``moment``, or the request time of a pending supplement if earlier: the clock stops at the request."""
    pending = state.pending_supplement
    return min(moment, pending.start) if pending is not None else moment


def _local(calendar: WorkingCalendar, moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: deadlines need timezone-aware datetimes")
    return moment.astimezone(calendar.tz)
