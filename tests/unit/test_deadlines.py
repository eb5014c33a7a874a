"""Deadline rules of a dossier: supplements, apology, timeliness. Hand-computed Khánh Hòa cases, then properties.

The calendar is the default one (Monday–Friday, 07:30–11:30 and 13:30–17:00, 7.5 working hours a day) with
the VN holidays of ``holidays`` 0.108. Around the cases below, in 2026:

    Fri 24/4 working · Mon 27/4 off (Giỗ Tổ observed) · Tue 28/4, Wed 29/4 working ·
    Thu 30/4, Fri 1/5 off · weekend 2–3/5 · Mon 4/5 … Fri 8/5 working.

The base dossier is received on Friday 24/4 16:30 with 3 working days: the receipt day does not count, so
day 1 is Tue 28/4, day 2 Wed 29/4, day 3 Mon 4/5, due at 17:00 (as established in test_calendar.py).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from motcua.calendar import VN_TZ, DayCountMode, DurationUnit, WorkingCalendar
from motcua.dossiers.deadlines import (
    DeadlineState,
    Pause,
    SupplementClock,
    Timeliness,
    apologise,
    apology_deadline,
    classify_closed,
    classify_open,
    due_soon,
    end_time,
    pause_adjusted_due,
    request_supplement,
    start,
    supplement_received,
    working_moment_before,
)
from motcua.dossiers.lifecycle import Status
from motcua.errors import Conflict

CAL = WorkingCalendar()
DAY = CAL.office_hours.day_length
OPENINGS = frozenset(window_start for window_start, _ in CAL.office_hours.windows)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def base_dossier() -> DeadlineState:
    return start(vn(2026, 4, 24, 16, 30), 3, DurationUnit.WORKING_DAY, CAL)


def with_supplement(requested: datetime, received: datetime, rule: SupplementClock) -> DeadlineState:
    return supplement_received(request_supplement(base_dossier(), requested, CAL), received, CAL, rule)


def conflict_code(error: pytest.ExceptionInfo[Conflict]) -> str:
    return error.value.code


# --------------------------------------------------------------------------------------------- receipt


def test_given_friday_afternoon_receipt_when_clock_starts_then_due_monday_after_the_april_holidays() -> None:
    state = base_dossier()

    assert state.received_at == vn(2026, 4, 24, 16, 30)
    assert state.original_due == state.current_due == vn(2026, 5, 4, 17, 0)
    assert state.extended_due is None
    assert state.pauses == ()
    assert (state.supplement_requests, state.apologies) == (0, 0)
    assert state.appointment_due == vn(2026, 5, 4, 17, 0)


def test_given_saturday_receipt_when_clock_starts_then_receipt_is_normalised_to_tuesday_morning() -> None:
    # Sat 25/4 → Mon 27/4 off → Tue 28/4 07:30 is the receipt day; 1 working day → Wed 29/4 17:00.
    state = start(vn(2026, 4, 25, 9, 0), 1, DurationUnit.WORKING_DAY, CAL)

    assert state.received_at == vn(2026, 4, 28, 7, 30)
    assert state.current_due == vn(2026, 4, 29, 17, 0)


def test_given_naive_times_when_used_then_they_are_rejected() -> None:
    with pytest.raises(ValueError):
        request_supplement(base_dossier(), datetime(2026, 4, 28, 10, 0), CAL)
    with pytest.raises(ValueError):
        classify_open(base_dossier(), datetime(2026, 4, 28, 10, 0), CAL)


# ----------------------------------------------------------------------------------------- supplements


def test_given_supplement_requested_before_the_holidays_when_received_on_saturday_under_restart_then_counted_again_from_monday() -> (
    None
):
    # Requested Wed 29/4 15:00; the online supplement arrives Sat 2/5 09:00, normalised to Mon 4/5 07:30.
    # Counting again from zero: Mon 4/5 is the receipt day; Tue 5/5, Wed 6/5, Thu 7/5 → Thu 7/5 17:00.
    state = with_supplement(vn(2026, 4, 29, 15, 0), vn(2026, 5, 2, 9, 0), SupplementClock.RESTART)

    assert state.current_due == vn(2026, 5, 7, 17, 0)
    assert state.original_due == vn(2026, 5, 4, 17, 0)
    assert state.pauses == (Pause(start=vn(2026, 4, 29, 15, 0), end=vn(2026, 5, 2, 9, 0)),)
    assert state.pending_supplement is None
    assert state.supplement_requests == 1


def test_given_supplement_requested_before_the_holidays_when_received_on_saturday_under_pause_then_two_hours_are_added() -> (
    None
):
    # Waiting time in office hours: Wed 29/4 15:00–17:00 only (30/4, 1/5 off, then the weekend) = 2h.
    # Mon 4/5 17:00 + 2h → Tue 5/5 09:30.
    state = with_supplement(vn(2026, 4, 29, 15, 0), vn(2026, 5, 2, 9, 0), SupplementClock.PAUSE)

    assert state.current_due == vn(2026, 5, 5, 9, 30)
    assert state.original_due == vn(2026, 5, 4, 17, 0)


def test_given_a_week_long_wait_across_the_holidays_when_received_then_restart_and_pause_differ() -> None:
    # Requested Tue 28/4 16:00, received Mon 4/5 10:00.
    requested, received = vn(2026, 4, 28, 16, 0), vn(2026, 5, 4, 10, 0)

    # RESTART: Mon 4/5 is the receipt day → Tue 5/5, Wed 6/5, Thu 7/5 → Thu 7/5 17:00.
    restart = with_supplement(requested, received, SupplementClock.RESTART)
    assert restart.current_due == vn(2026, 5, 7, 17, 0)

    # PAUSE: Tue 16:00–17:00 (1h) + Wed 29/4 (7.5h) + Mon 07:30–10:00 (2.5h) = 11h.
    # Mon 4/5 17:00 + 11h: all of Tue 5/5 (7.5h), then 3.5h from Wed 6/5 07:30 → Wed 6/5 11:00.
    pause = with_supplement(requested, received, SupplementClock.PAUSE)
    assert pause.current_due == vn(2026, 5, 6, 11, 0)

    # The 766 KPI always counts the PAUSE way, from the first due date.
    assert pause_adjusted_due(restart, CAL) == pause_adjusted_due(pause, CAL) == vn(2026, 5, 6, 11, 0)


def test_given_hours_mode_when_restarted_then_the_due_is_recomputed_in_hours_mode() -> None:
    # HOURS mode: 3 × 7.5h = 22.5h. From Mon 4/5 10:00: Mon 5h, Tue 7.5h, Wed 7.5h, Thu 07:30 + 2.5h.
    state = start(vn(2026, 4, 24, 16, 30), 3, DurationUnit.WORKING_DAY, CAL, mode=DayCountMode.HOURS)
    assert state.current_due == vn(2026, 5, 4, 16, 30)

    state = request_supplement(state, vn(2026, 4, 29, 9, 0), CAL)
    state = supplement_received(state, vn(2026, 5, 4, 10, 0), CAL, SupplementClock.RESTART)

    assert state.current_due == vn(2026, 5, 7, 10, 0)


def test_given_a_pending_supplement_when_a_second_is_requested_then_refused_and_state_unchanged() -> None:
    pending = request_supplement(base_dossier(), vn(2026, 4, 28, 10, 0), CAL)
    snapshot = pending.model_dump()

    with pytest.raises(Conflict) as error:
        request_supplement(pending, vn(2026, 4, 29, 10, 0), CAL)

    assert conflict_code(error) == "SUPPLEMENT_ALREADY_REQUESTED"
    assert error.value.message_vi.startswith("Hồ sơ đã được yêu cầu bổ sung")
    assert pending.model_dump() == snapshot


def test_given_a_returned_supplement_when_a_second_is_requested_then_refused_and_state_unchanged() -> None:
    returned = with_supplement(vn(2026, 4, 28, 10, 0), vn(2026, 4, 29, 10, 0), SupplementClock.RESTART)
    snapshot = returned.model_dump()

    with pytest.raises(Conflict) as error:
        request_supplement(returned, vn(2026, 5, 5, 10, 0), CAL)

    assert conflict_code(error) == "SUPPLEMENT_ALREADY_REQUESTED"
    assert returned.model_dump() == snapshot


def test_given_no_pending_supplement_when_one_is_received_then_refused() -> None:
    with pytest.raises(Conflict) as error:
        supplement_received(base_dossier(), vn(2026, 4, 29, 10, 0), CAL, SupplementClock.RESTART)

    assert conflict_code(error) == "NO_SUPPLEMENT_PENDING"


def test_given_times_going_backwards_when_supplementing_then_value_error() -> None:
    with pytest.raises(ValueError):
        request_supplement(base_dossier(), vn(2026, 4, 24, 9, 0), CAL)  # before receipt
    pending = request_supplement(base_dossier(), vn(2026, 4, 29, 10, 0), CAL)
    with pytest.raises(ValueError):
        supplement_received(pending, vn(2026, 4, 28, 10, 0), CAL, SupplementClock.PAUSE)


def test_given_an_open_pause_that_is_not_the_last_when_building_a_state_then_rejected() -> None:
    due = vn(2026, 5, 4, 17, 0)
    with pytest.raises(ValueError):
        DeadlineState(
            received_at=vn(2026, 4, 24, 16, 30),
            quantity=3,
            unit=DurationUnit.WORKING_DAY,
            original_due=due,
            current_due=due,
            pauses=(Pause(start=vn(2026, 4, 28, 9, 0)), Pause(start=vn(2026, 4, 29, 9, 0))),
            supplement_requests=2,
        )
    with pytest.raises(ValueError):
        Pause(start=vn(2026, 4, 29, 9, 0), end=vn(2026, 4, 28, 9, 0))


# --------------------------------------------------------------------------------------------- apology


def test_given_due_monday_when_asking_for_the_apology_deadline_then_it_is_wednesday_before_the_holidays() -> (
    None
):
    # One working day before Mon 4/5 17:00 is the end of the previous working day, Wed 29/4 17:00.
    assert apology_deadline(base_dossier(), CAL) == vn(2026, 4, 29, 17, 0)


def test_given_an_apology_on_time_when_sent_then_only_the_extended_due_changes() -> None:
    state = base_dossier()

    apologised = apologise(state, vn(2026, 4, 29, 17, 0), vn(2026, 5, 8, 17, 0), CAL)

    assert apologised.extended_due == vn(2026, 5, 8, 17, 0)
    assert apologised.current_due == apologised.original_due == vn(2026, 5, 4, 17, 0)
    assert apologised.apologies == 1
    assert apologised.appointment_due == vn(2026, 5, 8, 17, 0)


def test_given_an_apology_already_sent_when_a_second_is_sent_then_refused() -> None:
    apologised = apologise(base_dossier(), vn(2026, 4, 28, 10, 0), vn(2026, 5, 8, 17, 0), CAL)

    with pytest.raises(Conflict) as error:
        apologise(apologised, vn(2026, 4, 28, 11, 0), vn(2026, 5, 11, 17, 0), CAL)

    assert conflict_code(error) == "APOLOGY_ALREADY_SENT"


@pytest.mark.parametrize(
    "sent_at",
    [
        vn(2026, 4, 29, 17, 1),  # after the office closes on the last allowed day
        vn(2026, 4, 30, 9, 0),  # holiday: the same working time remains, but it is no longer "the day before"
        vn(2026, 5, 4, 7, 30),  # the due day itself
        vn(2026, 5, 4, 16, 0),
        vn(2026, 5, 5, 9, 0),  # already overdue
    ],
)
def test_given_less_than_a_working_day_before_due_when_apologising_then_too_late(sent_at: datetime) -> None:
    with pytest.raises(Conflict) as error:
        apologise(base_dossier(), sent_at, vn(2026, 5, 8, 17, 0), CAL)

    assert conflict_code(error) == "APOLOGY_TOO_LATE"
    assert error.value.details["deadline"] == vn(2026, 4, 29, 17, 0).isoformat()


@pytest.mark.parametrize("sent_at", [vn(2026, 4, 29, 16, 59), vn(2026, 4, 29, 17, 0), vn(2026, 4, 28, 7, 30)])
def test_given_at_least_a_working_day_before_due_when_apologising_then_accepted(sent_at: datetime) -> None:
    assert apologise(base_dossier(), sent_at, vn(2026, 5, 8, 17, 0), CAL).apologies == 1


@pytest.mark.parametrize("new_due", [vn(2026, 5, 4, 17, 0), vn(2026, 5, 4, 9, 0)])
def test_given_a_new_date_not_after_the_due_when_apologising_then_refused(new_due: datetime) -> None:
    with pytest.raises(Conflict) as error:
        apologise(base_dossier(), vn(2026, 4, 28, 10, 0), new_due, CAL)

    assert conflict_code(error) == "APOLOGY_DATE_NOT_LATER"


def test_given_a_restarted_clock_when_apologising_then_the_deadline_follows_the_lawful_due() -> None:
    # RESTART moved the lawful due to Thu 7/5 17:00, so the apology may be sent until Wed 6/5 17:00.
    state = with_supplement(vn(2026, 4, 28, 16, 0), vn(2026, 5, 4, 10, 0), SupplementClock.RESTART)

    assert apology_deadline(state, CAL) == vn(2026, 5, 6, 17, 0)
    assert apologise(state, vn(2026, 5, 6, 17, 0), vn(2026, 5, 12, 17, 0), CAL).apologies == 1


# ------------------------------------------------------------------------------------------ timeliness


def test_given_a_late_dossier_with_an_apology_when_classified_then_still_late_against_the_lawful_due() -> (
    None
):
    apologised = apologise(base_dossier(), vn(2026, 4, 28, 10, 0), vn(2026, 5, 8, 17, 0), CAL)

    # Result ready Wed 6/5, before the new appointment (Fri 8/5) but after the lawful due (Mon 4/5 17:00).
    assert classify_closed(apologised, vn(2026, 5, 6, 10, 0), CAL) is Timeliness.LATE
    assert classify_open(apologised, vn(2026, 5, 5, 8, 0), CAL) is Timeliness.OVERDUE


@pytest.mark.parametrize(
    ("ended_at", "expected"),
    [
        (vn(2026, 4, 28, 10, 0), Timeliness.EARLY),
        (vn(2026, 4, 29, 16, 59), Timeliness.EARLY),
        (vn(2026, 4, 29, 17, 0), Timeliness.EARLY),  # exactly one working day before
        (vn(2026, 4, 29, 17, 1), Timeliness.ON_TIME),
        (vn(2026, 5, 4, 7, 30), Timeliness.ON_TIME),  # same working time left, but the due day itself
        (vn(2026, 5, 4, 17, 0), Timeliness.ON_TIME),  # at the due moment
        (vn(2026, 5, 4, 17, 1), Timeliness.LATE),
        (vn(2026, 5, 5, 8, 0), Timeliness.LATE),
    ],
)
def test_given_due_monday_when_ended_then_early_on_time_late_boundaries(
    ended_at: datetime, expected: Timeliness
) -> None:
    assert classify_closed(base_dossier(), ended_at, CAL) is expected


def test_given_a_half_day_early_threshold_when_classified_then_early_means_by_monday_11_15() -> None:
    # 0.5 × 7.5h = 3h45 before Mon 17:00: 13:30–17:00 is 3h30, then 15 minutes before 11:30.
    state = base_dossier()

    assert classify_closed(state, vn(2026, 5, 4, 11, 15), CAL, early_threshold_days=0.5) is Timeliness.EARLY
    assert classify_closed(state, vn(2026, 5, 4, 11, 16), CAL, early_threshold_days=0.5) is Timeliness.ON_TIME


def test_given_an_open_dossier_when_reported_then_in_time_until_the_due_moment() -> None:
    state = base_dossier()

    assert classify_open(state, vn(2026, 5, 4, 17, 0), CAL) is Timeliness.IN_TIME
    assert classify_open(state, vn(2026, 5, 4, 17, 1), CAL) is Timeliness.OVERDUE


def test_given_a_pending_supplement_when_classified_then_the_clock_stopped_at_the_request() -> None:
    pending = request_supplement(base_dossier(), vn(2026, 4, 29, 15, 0), CAL)

    # Weeks later the dossier still waits for the applicant: not overdue, and an end now counts as Wed 15:00.
    assert classify_open(pending, vn(2026, 6, 1, 9, 0), CAL) is Timeliness.IN_TIME
    assert classify_closed(pending, vn(2026, 6, 1, 9, 0), CAL) is Timeliness.EARLY
    assert not due_soon(pending, vn(2026, 5, 4, 16, 0), CAL)


def test_given_two_processing_stage_requests_in_imported_data_when_classified_then_late() -> None:
    due = vn(2026, 5, 4, 17, 0)
    imported = DeadlineState(
        received_at=vn(2026, 4, 24, 16, 30),
        quantity=3,
        unit=DurationUnit.WORKING_DAY,
        original_due=due,
        current_due=due,
        pauses=(
            Pause(start=vn(2026, 4, 28, 9, 0), end=vn(2026, 4, 28, 10, 0)),
            Pause(start=vn(2026, 4, 28, 11, 0), end=vn(2026, 4, 28, 11, 15)),
        ),
        supplement_requests=2,
    )

    assert classify_closed(imported, vn(2026, 4, 28, 15, 0), CAL) is Timeliness.LATE
    assert classify_open(imported, vn(2026, 4, 28, 15, 0), CAL) is Timeliness.OVERDUE


# ------------------------------------------------------------------------------------------- end time

T1, T2, T3, T4, T5 = (vn(2026, 4, 24, 16, 30) + timedelta(days=k) for k in range(5))


def test_given_result_ready_then_returned_when_ending_then_result_ready_counts() -> None:
    events = [
        (Status.RECEIVED, T1),
        (Status.IN_PROCESS, T2),
        (Status.RESULT_READY, T3),
        (Status.RETURNED, T4),
    ]
    assert end_time(events) == T3


def test_given_returned_recorded_before_result_ready_when_ending_then_result_ready_still_wins() -> None:
    events = [(Status.RECEIVED, T1), (Status.RETURNED, T2), (Status.RESULT_READY, T3)]
    assert end_time(events) == T3


@pytest.mark.parametrize("ending", [Status.REJECTED, "STOPPED", Status.WITHDRAWN, Status.RETURNED])
def test_given_a_final_status_when_ending_then_its_time_counts(ending: str) -> None:
    assert end_time([(Status.RECEIVED, T1), (Status.IN_PROCESS, T2), (ending, T3)]) == T3


def test_given_a_supplement_never_returned_when_ending_then_the_request_time_counts() -> None:
    waiting = [(Status.RECEIVED, T1), (Status.IN_PROCESS, T2), (Status.SUPPLEMENT_REQUESTED, T3)]
    assert end_time(waiting) == T3
    assert end_time([*waiting, (Status.WITHDRAWN, T5)]) == T3


def test_given_a_supplement_returned_when_ending_then_the_dossier_is_still_open() -> None:
    events = [
        (Status.RECEIVED, T1),
        (Status.IN_PROCESS, T2),
        (Status.SUPPLEMENT_REQUESTED, T3),
        (Status.IN_PROCESS, T4),
    ]
    assert end_time(events) is None
    assert end_time([*events, (Status.RESULT_READY, T5)]) == T5


def test_given_events_before_receipt_when_ending_then_they_do_not_count() -> None:
    assert end_time([(Status.SUBMITTED, T1), (Status.WITHDRAWN, T2)]) is None
    assert end_time([(Status.SUBMITTED, T1), (Status.SUPPLEMENT_REQUESTED, T2)]) is None
    intake_completed = [
        (Status.SUBMITTED, T1),
        (Status.SUPPLEMENT_REQUESTED, T2),
        (Status.RECEIVED, T3),
        (Status.IN_PROCESS, T4),
    ]
    assert end_time(intake_completed) is None


def test_given_unordered_events_when_ending_then_they_are_taken_in_time_order() -> None:
    assert end_time([(Status.WITHDRAWN, T4), (Status.IN_PROCESS, T2), (Status.RECEIVED, T1)]) == T4


# --------------------------------------------------------------------------------------- deadline watch


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (vn(2026, 4, 29, 16, 0), False),  # Wed 1h + Mon 7.5h = 8.5h left
        (vn(2026, 4, 29, 16, 30), True),  # exactly 8h left
        (vn(2026, 5, 4, 9, 0), True),
        (vn(2026, 5, 4, 17, 0), True),  # due now, not yet overdue
        (vn(2026, 5, 4, 17, 1), False),  # overdue: another report
    ],
)
def test_given_due_monday_when_watching_then_due_soon_within_eight_working_hours(
    as_of: datetime, expected: bool
) -> None:
    assert due_soon(base_dossier(), as_of, CAL) is expected


# -------------------------------------------------------------------------------------------- helpers


def test_given_a_due_moment_when_going_back_one_working_day_then_previous_window_end() -> None:
    assert working_moment_before(CAL, vn(2026, 5, 4, 17, 0), DAY) == vn(2026, 4, 29, 17, 0)
    assert working_moment_before(CAL, vn(2026, 5, 4, 17, 0), timedelta(0)) == vn(2026, 5, 4, 17, 0)
    # 3h inside the afternoon, then across the lunch break.
    assert working_moment_before(CAL, vn(2026, 5, 4, 17, 0), timedelta(hours=3)) == vn(2026, 5, 4, 14, 0)
    assert working_moment_before(CAL, vn(2026, 5, 4, 17, 0), timedelta(hours=4)) == vn(2026, 5, 4, 11, 0)
    with pytest.raises(ValueError):
        working_moment_before(CAL, vn(2026, 5, 4, 17, 0), timedelta(hours=-1))


# ------------------------------------------------------------------------------------------ properties

PROPS = settings(max_examples=150, deadline=None)

moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 6, 30), timezones=st.just(VN_TZ)
)
units = st.sampled_from(list(DurationUnit))
modes = st.sampled_from(list(DayCountMode))
quantities = st.integers(min_value=0, max_value=30)
rules = st.sampled_from(list(SupplementClock))
offsets = st.integers(min_value=0, max_value=40 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes))


@st.composite
def states(draw: st.DrawFn) -> DeadlineState:
    """A dossier after receipt, possibly with one supplement (pending or returned under either rule)."""
    state = start(draw(moments), draw(quantities), draw(units), CAL, mode=draw(modes))
    supplement = draw(st.sampled_from(["none", "pending", "returned"]))
    if supplement == "none":
        return state
    state = request_supplement(state, state.received_at + draw(offsets), CAL)
    if supplement == "pending":
        return state
    pending = state.pending_supplement
    assert pending is not None
    return supplement_received(state, pending.start + draw(offsets), CAL, draw(rules))


@PROPS
@given(received=moments, quantity=quantities, unit=units, mode=modes, wait_from=offsets, wait=offsets)
def test_pause_never_shortens_the_due_and_a_pause_without_working_time_changes_nothing(
    received: datetime,
    quantity: int,
    unit: DurationUnit,
    mode: DayCountMode,
    wait_from: timedelta,
    wait: timedelta,
) -> None:
    state = start(received, quantity, unit, CAL, mode=mode)
    requested = state.received_at + wait_from
    returned = supplement_received(
        request_supplement(state, requested, CAL), requested + wait, CAL, SupplementClock.PAUSE
    )

    assert returned.current_due >= state.current_due
    waited = CAL.working_time_between(requested, requested + wait)
    assert CAL.working_time_between(state.current_due, returned.current_due) == waited
    if not waited:
        assert returned.current_due == state.current_due
    assert pause_adjusted_due(returned, CAL) == returned.current_due


@PROPS
@given(received=moments, quantity=quantities, unit=units, mode=modes, later=offsets)
def test_a_pause_entirely_outside_office_hours_leaves_the_due_unchanged(
    received: datetime, quantity: int, unit: DurationUnit, mode: DayCountMode, later: timedelta
) -> None:
    state = start(received, quantity, unit, CAL, mode=mode)
    night = state.received_at + later
    assume(not CAL.is_working_moment(night))
    # Returned at the very next working moment: no working time was spent waiting.
    requested = request_supplement(state, night, CAL)
    returned = supplement_received(requested, CAL.next_working_moment(night), CAL, SupplementClock.PAUSE)

    assert returned.current_due == state.current_due


@PROPS
@given(received=moments, quantity=quantities, unit=units, mode=modes, wait_from=offsets, wait=offsets)
def test_restart_due_is_a_working_moment_counted_from_the_supplement(
    received: datetime,
    quantity: int,
    unit: DurationUnit,
    mode: DayCountMode,
    wait_from: timedelta,
    wait: timedelta,
) -> None:
    state = start(received, quantity, unit, CAL, mode=mode)
    supplemented_at = state.received_at + wait_from + wait
    returned = supplement_received(
        request_supplement(state, state.received_at + wait_from, CAL),
        supplemented_at,
        CAL,
        SupplementClock.RESTART,
    )

    assert CAL.is_working_moment(returned.current_due)
    assert returned.current_due >= supplemented_at
    assert returned.current_due == CAL.due_date(supplemented_at, quantity, unit, mode)
    assert returned.original_due == state.original_due
    if mode is DayCountMode.DAYS and unit is not DurationUnit.WORKING_HOUR:
        assert returned.current_due == CAL.end_of_office_day(returned.current_due.date())


@PROPS
@given(state=states(), before=offsets, threshold=st.sampled_from([0.5, 1.0, 2.0]))
def test_a_dossier_ended_at_or_before_the_lawful_due_is_never_late(
    state: DeadlineState, before: timedelta, threshold: float
) -> None:
    ended_at = state.current_due - before
    assert classify_closed(state, ended_at, CAL, early_threshold_days=threshold) is not Timeliness.LATE


@PROPS
@given(state=states(), moment=moments)
def test_open_and_closed_classifications_agree(state: DeadlineState, moment: datetime) -> None:
    closed = classify_closed(state, moment, CAL)
    opened = classify_open(state, moment, CAL)

    assert opened in (Timeliness.IN_TIME, Timeliness.OVERDUE)
    assert (closed is Timeliness.LATE) == (opened is Timeliness.OVERDUE)
    if state.pending_supplement is None:
        assert (closed is Timeliness.LATE) == (moment > state.current_due)


@PROPS
@given(state=states(), sent_after=offsets, extra=offsets, ended=moments)
def test_apologising_never_changes_the_classification(
    state: DeadlineState, sent_after: timedelta, extra: timedelta, ended: datetime
) -> None:
    # Any moment up to the apology deadline, and any date after the lawful due, is accepted.
    sent_at = min(state.received_at + sent_after, apology_deadline(state, CAL))
    apologised = apologise(state, sent_at, state.current_due + extra + timedelta(minutes=1), CAL)

    assert apologised.current_due == state.current_due
    assert apologised.original_due == state.original_due
    assert classify_closed(apologised, ended, CAL) is classify_closed(state, ended, CAL)
    assert classify_open(apologised, ended, CAL) is classify_open(state, ended, CAL)
    assert due_soon(apologised, ended, CAL) is due_soon(state, ended, CAL)


@PROPS
@given(moment=moments, amount=offsets)
def test_working_moment_before_is_the_earliest_inverse_of_adding_working_time(
    moment: datetime, amount: timedelta
) -> None:
    amount = min(amount, 40 * DAY)
    earlier = working_moment_before(CAL, moment, amount)

    assert earlier <= moment
    assert CAL.is_working_moment(earlier)
    assert CAL.working_time_between(earlier, moment) == amount
    # Earliest: any moment before it leaves more working time.
    assert CAL.working_time_between(earlier - timedelta(minutes=1), moment) > amount
    # Adding it back gives the moment again, unless the moment opens a window (its earlier twin comes back).
    if CAL.is_working_moment(moment) and moment.timetz().replace(tzinfo=None) not in OPENINGS:
        assert CAL.add_working_time(earlier, amount) == moment


def test_state_round_trips_through_json() -> None:
    state = with_supplement(vn(2026, 4, 29, 15, 0), vn(2026, 5, 2, 9, 0), SupplementClock.RESTART)
    state = apologise(state, vn(2026, 5, 5, 9, 0), vn(2026, 5, 12, 17, 0), CAL)

    assert DeadlineState.model_validate_json(state.model_dump_json()) == state


def test_given_a_same_day_procedure_after_the_cutoff_when_restarted_then_the_cutoff_still_applies() -> None:
    # Same-day procedure, cut-off 15:00: received Tue 28/4 15:30 → due Wed 29/4 17:00.
    state = start(vn(2026, 4, 28, 15, 30), 0, DurationUnit.WORKING_DAY, CAL, same_day_cutoff=time(15, 0))
    assert state.current_due == vn(2026, 4, 29, 17, 0)

    # Supplement received Wed 29/4 15:10, after the cut-off → next working day, Mon 4/5 17:00.
    state = request_supplement(state, vn(2026, 4, 29, 8, 0), CAL)
    state = supplement_received(state, vn(2026, 4, 29, 15, 10), CAL, SupplementClock.RESTART)
    assert state.current_due == vn(2026, 5, 4, 17, 0)
