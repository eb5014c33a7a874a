"""The working-day clock: concrete Khánh Hòa cases worked out by hand, and properties checked by hypothesis.

Expected values were computed by hand from the VN data in ``holidays`` 0.108, which for the years
used here is:

* 2026: 1/1; Tết 16–20/2; Giỗ Tổ 26/4 (Sun) observed Mon 27/4; 30/4 (Thu); 1/5 (Fri); 31/8 (swapped
  with Saturday 22/8, a make-up working day); Quốc khánh 1–2/9; Ngày Văn hóa Việt Nam 24/11.
* 2027: 1/1; Tết Thu 4/2 – Wed 10/2; Giỗ Tổ 16/4; 30/4 (Fri); 1/5 (Sat) observed Mon 3/5;
  Quốc khánh 2–3/9; 24/11.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.calendar import (
    DEFAULT_OFFICE_HOURS,
    NO_OVERRIDES,
    VN_TZ,
    CalendarOverrides,
    DayCountMode,
    DurationUnit,
    OfficeHours,
    WorkingCalendar,
    _national_year,
)

CAL = WorkingCalendar()
# Many provinces work 07:00–11:30 / 13:30–17:00: an 8-hour office day.
EIGHT_HOURS = OfficeHours(windows=((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0))))
CAL_8H = WorkingCalendar(office_hours=EIGHT_HOURS)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


# ---------------------------------------------------------------------------------------- configuration


def test_default_office_hours_are_seven_and_a_half_hours() -> None:
    # 07:30–11:30 (4h) + 13:30–17:00 (3.5h); an 8-hour day needs 07:00 or 17:30 in the configuration.
    assert DEFAULT_OFFICE_HOURS.day_length_hours == 7.5
    assert EIGHT_HOURS.day_length_hours == 8.0
    assert DEFAULT_OFFICE_HOURS.closing == time(17, 0)


@pytest.mark.parametrize(
    "windows",
    [
        (),
        ((time(11, 0), time(8, 0)),),
        ((time(8, 0), time(12, 0)), (time(11, 0), time(17, 0))),
        ((time(8, 0, tzinfo=UTC), time(12, 0)),),
    ],
)
def test_office_hours_reject_bad_windows(windows: tuple[tuple[time, time], ...]) -> None:
    with pytest.raises(ValueError):
        OfficeHours(windows=windows)


def test_overrides_reject_a_day_both_off_and_working() -> None:
    with pytest.raises(ValueError):
        CalendarOverrides(
            days_off=frozenset({date(2026, 3, 14)}), working_days=frozenset({date(2026, 3, 14)})
        )


def test_overrides_reject_datetimes() -> None:
    with pytest.raises(ValueError):
        CalendarOverrides(days_off=frozenset({vn(2026, 3, 16)}))


@pytest.mark.parametrize("workdays", [frozenset(), frozenset({7})])
def test_calendar_rejects_bad_workdays(workdays: frozenset[int]) -> None:
    with pytest.raises(ValueError):
        WorkingCalendar(workdays=workdays)


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2026, 4, 24, 9, 0)
    with pytest.raises(ValueError):
        CAL.next_working_moment(naive)
    with pytest.raises(ValueError):
        CAL.due_date(naive, 3, DurationUnit.WORKING_DAY)
    with pytest.raises(ValueError):
        CAL.working_hours_between(vn(2026, 4, 24, 9), naive)


def test_other_time_zones_are_converted_to_vietnam_time() -> None:
    # 02:00 UTC is 09:00 in Hanoi/Nha Trang.
    result = CAL.next_working_moment(datetime(2026, 4, 24, 2, 0, tzinfo=UTC))
    assert result == vn(2026, 4, 24, 9)
    assert result.tzinfo == VN_TZ


def test_hour_is_an_alias_of_working_hour() -> None:
    assert DurationUnit.HOUR is DurationUnit.WORKING_HOUR
    assert DurationUnit("HOUR") is DurationUnit.WORKING_HOUR
    assert DurationUnit("working_day") is DurationUnit.WORKING_DAY
    assert [unit.value for unit in DurationUnit] == ["WORKING_DAY", "WORKING_HOUR", "DAY", "MONTH"]


@pytest.mark.parametrize("quantity", [-1, float("nan"), float("inf")])
def test_due_date_rejects_bad_quantities(quantity: float) -> None:
    with pytest.raises(ValueError):
        CAL.due_date(vn(2026, 4, 24, 9), quantity, DurationUnit.WORKING_DAY)


def test_calendar_units_need_whole_numbers() -> None:
    with pytest.raises(ValueError):
        CAL.due_date(vn(2026, 4, 24, 9), 1.5, DurationUnit.DAY)


# ---------------------------------------------------------------------------------------- working days


@pytest.mark.parametrize("day", [date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)])
def test_national_day_2026_is_off(day: date) -> None:
    assert not CAL.is_working_day(day)


def test_days_around_national_day_2026_are_working() -> None:
    assert CAL.is_working_day(date(2026, 8, 28))
    assert CAL.is_working_day(date(2026, 9, 3))


def test_make_up_saturday_published_by_holidays_is_a_working_day() -> None:
    # holidays 0.108 swaps Saturday 22/8/2026 with Monday 31/8/2026 (weekend_workdays).
    assert date(2026, 8, 22).weekday() == 5
    assert CAL.is_working_day(date(2026, 8, 22))
    assert not CAL.is_working_day(date(2026, 8, 23))


@pytest.mark.parametrize("day", [date(2027, 2, d) for d in (4, 5, 6, 7, 8, 9, 10)])
def test_tet_2027_is_off(day: date) -> None:
    assert not CAL.is_working_day(day)


def test_days_around_tet_2027_are_working() -> None:
    assert CAL.is_working_day(date(2027, 2, 3))
    assert CAL.is_working_day(date(2027, 2, 11))


def test_other_2026_holidays() -> None:
    for day in (date(2026, 1, 1), date(2026, 2, 17), date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1)):
        assert not CAL.is_working_day(day), day
    # Vietnam Cultural Day (Ngày Văn hóa Việt Nam), a public holiday from 2026.
    assert not CAL.is_working_day(date(2026, 11, 24))


def test_weekends_are_off_by_default_and_configurable() -> None:
    saturday = date(2026, 3, 7)
    assert not CAL.is_working_day(saturday)
    assert WorkingCalendar(workdays=frozenset(range(6))).is_working_day(saturday)
    # A holiday stays off even when its weekday is a working weekday.
    assert not WorkingCalendar(workdays=frozenset(range(6))).is_working_day(date(2026, 5, 1))


def test_override_make_up_saturday_is_a_working_day() -> None:
    saturday = date(2026, 3, 14)
    cal = WorkingCalendar(overrides=CalendarOverrides(working_days=frozenset({saturday})))
    assert cal.is_working_day(saturday)
    # Friday evening now rolls to Saturday morning, not Monday.
    assert cal.next_working_moment(vn(2026, 3, 13, 18)) == vn(2026, 3, 14, 7, 30)
    assert cal.add_working_days(vn(2026, 3, 13, 9), 1) == vn(2026, 3, 14, 17)


def test_override_working_day_beats_a_public_holiday() -> None:
    cal = WorkingCalendar(overrides=CalendarOverrides(working_days=frozenset({date(2026, 11, 24)})))
    assert cal.is_working_day(date(2026, 11, 24))


def test_override_day_off_is_not_a_working_day() -> None:
    monday = date(2026, 3, 16)
    cal = WorkingCalendar(overrides=CalendarOverrides(days_off=frozenset({monday})))
    assert not cal.is_working_day(monday)
    assert CAL.is_working_day(monday)
    # Friday + 1 working day skips the Monday off.
    assert cal.add_working_days(vn(2026, 3, 13, 9), 1) == vn(2026, 3, 17, 17)
    # An override day off can also cancel a make-up Saturday from the holidays package.
    cancelled = WorkingCalendar(overrides=CalendarOverrides(days_off=frozenset({date(2026, 8, 22)})))
    assert not cancelled.is_working_day(date(2026, 8, 22))


def test_is_working_day_accepts_aware_datetimes_as_local_dates() -> None:
    # 20:00 UTC on 1/9 is 03:00 on 2/9 in Vietnam.
    assert not CAL.is_working_day(datetime(2026, 9, 1, 20, 0, tzinfo=UTC))
    assert CAL.is_working_day(datetime(2026, 9, 2, 20, 0, tzinfo=UTC))  # 3/9 locally


def test_holiday_lookups_are_cached_per_year() -> None:
    cal = WorkingCalendar()
    cal.is_working_day(date(2030, 1, 2))
    before = _national_year.cache_info()
    for offset in range(365):
        cal.is_working_day(date(2030, 1, 1) + timedelta(days=offset))
    after = _national_year.cache_info()
    # The per-instance memo answers without even touching the shared cache.
    assert after.misses == before.misses
    assert after.hits == before.hits


# ---------------------------------------------------------------------------------------- moments


def test_working_moments_include_window_ends() -> None:
    assert CAL.is_working_moment(vn(2026, 4, 24, 7, 30))
    assert CAL.is_working_moment(vn(2026, 4, 24, 11, 30))
    assert not CAL.is_working_moment(vn(2026, 4, 24, 12, 0))
    assert CAL.is_working_moment(vn(2026, 4, 24, 17, 0))
    assert not CAL.is_working_moment(vn(2026, 4, 24, 17, 1))
    assert not CAL.is_working_moment(vn(2026, 4, 25, 9, 0))  # Saturday


def test_receipt_in_lunch_break_rolls_to_13_30() -> None:
    assert CAL.next_working_moment(vn(2026, 4, 24, 12, 0)) == vn(2026, 4, 24, 13, 30)


def test_receipt_on_saturday_rolls_to_monday_morning() -> None:
    assert CAL.next_working_moment(vn(2026, 3, 7, 10, 0)) == vn(2026, 3, 9, 7, 30)


def test_receipt_in_the_evening_and_before_a_holiday_rolls_past_it() -> None:
    # Wednesday 29/4/2026 evening: 30/4, 1/5 and the weekend are off.
    assert CAL.next_working_moment(vn(2026, 4, 29, 19, 0)) == vn(2026, 5, 4, 7, 30)
    assert CAL.next_working_moment(vn(2026, 4, 24, 6, 0)) == vn(2026, 4, 24, 7, 30)


def test_receipt_during_office_hours_is_unchanged() -> None:
    assert CAL.next_working_moment(vn(2026, 4, 24, 16, 30)) == vn(2026, 4, 24, 16, 30)


def test_end_of_office_day() -> None:
    assert CAL.end_of_office_day(date(2026, 4, 24)) == vn(2026, 4, 24, 17, 0)


# ---------------------------------------------------------------------------------------- due dates


def test_friday_afternoon_three_working_days_over_the_april_holidays() -> None:
    # Received Fri 24/4/2026 16:30 (inside office hours, so Friday is the receipt day and does not count).
    # Mon 27/4 off (Giỗ Tổ observed); Tue 28/4 = day 1; Wed 29/4 = day 2; Thu 30/4, Fri 1/5 off; weekend;
    # Mon 4/5 = day 3. Due at the end of office hours on Monday 4/5.
    received = vn(2026, 4, 24, 16, 30)
    assert CAL.due_date(received, 3, DurationUnit.WORKING_DAY) == vn(2026, 5, 4, 17, 0)
    # HOURS mode: 3 × 7.5h = 22.5h. Fri 16:30–17:00 0.5h, Tue 7.5h, Wed 7.5h, then 7h on Mon 4/5:
    # 07:30–11:30 (4h) and 13:30–16:30 (3h).
    assert CAL.due_date(received, 3, DurationUnit.WORKING_DAY, DayCountMode.HOURS) == vn(2026, 5, 4, 16, 30)


def test_friday_evening_counts_from_the_next_working_day() -> None:
    # Received Fri 24/4 18:00 → normalised to Tue 28/4 07:30 (Mon 27/4 is off); Tuesday is the receipt day.
    received = vn(2026, 4, 24, 18, 0)
    assert CAL.due_date(received, 1, DurationUnit.WORKING_DAY) == vn(2026, 4, 29, 17, 0)
    assert CAL.due_date(received, 2, DurationUnit.WORKING_DAY) == vn(2026, 5, 4, 17, 0)


def test_zero_working_days_without_cutoff_is_due_at_end_of_receipt_day() -> None:
    assert CAL.due_date(vn(2026, 4, 28, 16, 0), 0, DurationUnit.WORKING_DAY) == vn(2026, 4, 28, 17, 0)
    assert CAL.due_date(vn(2026, 4, 25, 9, 0), 0, DurationUnit.WORKING_DAY) == vn(2026, 4, 28, 17, 0)


def test_same_day_rule_before_and_after_cutoff() -> None:
    cutoff = time(15, 0)
    # Tuesday 28/4/2026.
    assert CAL.same_day_due(vn(2026, 4, 28, 14, 59), cutoff) == vn(2026, 4, 28, 17, 0)
    assert CAL.same_day_due(vn(2026, 4, 28, 15, 0), cutoff) == vn(2026, 4, 29, 17, 0)
    assert CAL.same_day_due(vn(2026, 4, 28, 16, 45), cutoff) == vn(2026, 4, 29, 17, 0)
    # Lunch-break receipt counts from 13:30, before the cut-off.
    assert CAL.same_day_due(vn(2026, 4, 28, 12, 15), cutoff) == vn(2026, 4, 28, 17, 0)
    # Wed 29/4 after the cut-off: next working day is Mon 4/5.
    assert CAL.same_day_due(vn(2026, 4, 29, 15, 30), cutoff) == vn(2026, 5, 4, 17, 0)
    # Saturday receipt counts from Monday 07:30, before the cut-off.
    assert CAL.same_day_due(vn(2026, 3, 7, 16, 0), cutoff) == vn(2026, 3, 9, 17, 0)
    # Evening receipt counts from next morning, before the cut-off.
    assert CAL.same_day_due(vn(2026, 3, 9, 18, 0), cutoff) == vn(2026, 3, 10, 17, 0)


def test_due_date_uses_the_same_day_rule_for_quantity_zero() -> None:
    cutoff = time(15, 0)
    due = CAL.due_date(vn(2026, 4, 28, 15, 30), 0, DurationUnit.WORKING_DAY, same_day_cutoff=cutoff)
    assert due == vn(2026, 4, 29, 17, 0)
    due = CAL.due_date(vn(2026, 4, 28, 10, 0), 0, DurationUnit.WORKING_DAY, same_day_cutoff=cutoff)
    assert due == vn(2026, 4, 28, 17, 0)
    # The cut-off only matters for same-day procedures.
    due = CAL.due_date(vn(2026, 4, 28, 15, 30), 1, DurationUnit.WORKING_DAY, same_day_cutoff=cutoff)
    assert due == vn(2026, 4, 29, 17, 0)


def test_hours_mode_crosses_the_lunch_break() -> None:
    # 8-hour office day: one working day from Tue 10:00 is Wed 10:00 (10:00–11:30, 13:30–17:00, 07:00–10:00).
    assert CAL_8H.add_working_days(vn(2026, 3, 10, 10), 1, DayCountMode.HOURS) == vn(2026, 3, 11, 10)
    # From opening it is exactly the closing time of the same day.
    assert CAL_8H.add_working_days(vn(2026, 3, 10, 7), 1, DayCountMode.HOURS) == vn(2026, 3, 10, 17)
    # Default 7.5-hour day: from 07:30 one day ends at 17:00, two days at 17:00 the next day.
    assert CAL.add_working_days(vn(2026, 3, 10, 7, 30), 1, DayCountMode.HOURS) == vn(2026, 3, 10, 17)
    assert CAL.add_working_days(vn(2026, 3, 10, 7, 30), 2, DayCountMode.HOURS) == vn(2026, 3, 11, 17)
    # Plain working hours: 3h from 10:00 is 1.5h before lunch and 1.5h after it.
    assert CAL.add_working_hours(vn(2026, 3, 10, 10), 3) == vn(2026, 3, 10, 15)
    assert CAL.add_working_hours(vn(2026, 3, 10, 10), 1.5) == vn(2026, 3, 10, 11, 30)


def test_working_hours_unit() -> None:
    # Fri 24/4 16:30 + 3h: 0.5h Friday, Mon 27/4 off, 2.5h on Tue 28/4 from 07:30.
    assert CAL.due_date(vn(2026, 4, 24, 16, 30), 3, DurationUnit.HOUR) == vn(2026, 4, 28, 10, 0)


def test_fractional_working_days_become_working_hours() -> None:
    # 0.5 day = 3.75h from Tue 10:00: 1.5h to 11:30 then 2.25h from 13:30 → 15:45.
    assert CAL.due_date(vn(2026, 3, 10, 10), 0.5, DurationUnit.WORKING_DAY) == vn(2026, 3, 10, 15, 45)


def test_calendar_day_unit() -> None:
    # Mon 2/3/2026 + 10 days = Thu 12/3, a working day.
    assert CAL.due_date(vn(2026, 3, 2, 9), 10, DurationUnit.DAY) == vn(2026, 3, 12, 17)
    # Tue 21/4 + 10 days = Fri 1/5 (holiday) → weekend → Mon 4/5.
    assert CAL.due_date(vn(2026, 4, 21, 9), 10, DurationUnit.DAY) == vn(2026, 5, 4, 17)
    # Saturday receipt counts from Monday 9/3: + 2 days = Wed 11/3.
    assert CAL.due_date(vn(2026, 3, 7, 9), 2, DurationUnit.DAY) == vn(2026, 3, 11, 17)
    # Calendar days ignore the day-count mode.
    assert CAL.due_date(vn(2026, 3, 2, 9), 10, DurationUnit.DAY, DayCountMode.HOURS) == vn(2026, 3, 12, 17)


def test_calendar_month_unit() -> None:
    # Fri 31/12/2027 + 2 months: 31/2 does not exist → 29/2/2028 (leap year), a Tuesday.
    assert CAL.due_date(vn(2027, 12, 31, 10), 2, DurationUnit.MONTH) == vn(2028, 2, 29, 17)
    # Mon 16/3/2026 + 1 month = Thu 16/4/2026.
    assert CAL.due_date(vn(2026, 3, 16, 10), 1, DurationUnit.MONTH) == vn(2026, 4, 16, 17)
    # Fri 16/1/2026 + 1 month = Mon 16/2/2026, Tết → first working day after Tết is Mon 23/2.
    assert CAL.due_date(vn(2026, 1, 16, 10), 1, DurationUnit.MONTH) == vn(2026, 2, 23, 17)


def test_working_hours_between_is_signed_and_skips_breaks() -> None:
    start, end = vn(2026, 4, 24, 16, 30), vn(2026, 4, 28, 10, 0)
    assert CAL.working_hours_between(start, end) == 3.0
    assert CAL.working_hours_between(end, start) == -3.0
    assert CAL.working_days_between(start, end) == pytest.approx(3 / 7.5)
    # A whole week of office days, Mon 9/3 07:30 to Fri 13/3 17:00.
    assert CAL.working_days_between(vn(2026, 3, 9, 7, 30), vn(2026, 3, 13, 17)) == 5.0
    assert CAL.working_hours_between(vn(2026, 3, 7, 8), vn(2026, 3, 8, 20)) == 0.0


def test_negative_amounts_are_rejected() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_hours(vn(2026, 3, 9, 8), -1)
    with pytest.raises(ValueError):
        CAL.add_working_days(vn(2026, 3, 9, 8), -1)


def test_default_overrides_are_empty() -> None:
    assert CalendarOverrides(frozenset(), frozenset()) == NO_OVERRIDES


# ---------------------------------------------------------------------------------------- properties

PROPS = settings(max_examples=200, deadline=None)

moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(VN_TZ)
)
day_counts = st.integers(min_value=0, max_value=40)
work_hours = st.integers(min_value=0, max_value=400 * 60).map(lambda minutes: minutes / 60)


@PROPS
@given(received=moments, n=day_counts)
def test_days_mode_due_is_end_of_a_working_day(received: datetime, n: int) -> None:
    due = CAL.due_date(received, n, DurationUnit.WORKING_DAY)
    assert CAL.is_working_moment(due)
    assert CAL.is_working_day(due.date())
    assert due == CAL.end_of_office_day(due.date())
    assert due >= received
    # Exactly n working days strictly after the receipt working day and up to the due day.
    receipt_day = CAL.next_working_moment(received).date()
    between = [
        receipt_day + timedelta(days=k)
        for k in range(1, (due.date() - receipt_day).days + 1)
        if CAL.is_working_day(receipt_day + timedelta(days=k))
    ]
    assert len(between) == n


@PROPS
@given(
    received=moments,
    quantity=st.integers(min_value=0, max_value=60),
    unit=st.sampled_from(list(DurationUnit)),
    mode=st.sampled_from(list(DayCountMode)),
)
def test_due_is_a_working_moment_never_before_receipt(
    received: datetime, quantity: int, unit: DurationUnit, mode: DayCountMode
) -> None:
    due = CAL.due_date(received, quantity, unit, mode)
    assert CAL.is_working_moment(due)
    assert due >= received
    assert due.tzinfo == VN_TZ


@PROPS
@given(received=moments, n=day_counts, m=day_counts)
def test_hours_mode_is_additive(received: datetime, n: int, m: int) -> None:
    stepwise = CAL.add_working_days(
        CAL.add_working_days(received, n, DayCountMode.HOURS), m, DayCountMode.HOURS
    )
    assert stepwise == CAL.add_working_days(received, n + m, DayCountMode.HOURS)


@PROPS
@given(
    first=moments,
    second=moments,
    n=day_counts,
    mode=st.sampled_from(list(DayCountMode)),
    unit=st.sampled_from(list(DurationUnit)),
)
def test_due_is_monotonic_in_receipt_time(
    first: datetime, second: datetime, n: int, mode: DayCountMode, unit: DurationUnit
) -> None:
    early, late = sorted((first, second))
    assert CAL.due_date(early, n, unit, mode) <= CAL.due_date(late, n, unit, mode)


@PROPS
@given(received=moments, n=day_counts, extra=day_counts, mode=st.sampled_from(list(DayCountMode)))
def test_due_is_monotonic_in_quantity(received: datetime, n: int, extra: int, mode: DayCountMode) -> None:
    shorter = CAL.due_date(received, n, DurationUnit.WORKING_DAY, mode)
    longer = CAL.due_date(received, n + extra, DurationUnit.WORKING_DAY, mode)
    assert shorter <= longer
    if extra:
        assert shorter < longer


@PROPS
@given(received=moments, hours=work_hours)
def test_working_hours_round_trip(received: datetime, hours: float) -> None:
    start = CAL.next_working_moment(received)
    end = CAL.add_working_hours(start, hours)
    assert CAL.is_working_moment(end)
    assert end >= start
    assert CAL.working_hours_between(start, end) == pytest.approx(hours, abs=1e-6)
    assert CAL.working_hours_between(end, start) == pytest.approx(-hours, abs=1e-6)


@PROPS
@given(received=moments, minutes=st.integers(min_value=0, max_value=10_000))
def test_working_hours_round_trip_is_exact_for_timedeltas(received: datetime, minutes: int) -> None:
    start = CAL_8H.next_working_moment(received)
    amount = timedelta(minutes=minutes)
    assert CAL_8H.working_time_between(start, CAL_8H.add_working_time(start, amount)) == amount


@PROPS
@given(moment=moments)
def test_next_working_moment_is_idempotent_and_not_earlier(moment: datetime) -> None:
    normalised = CAL.next_working_moment(moment)
    assert normalised >= moment
    assert CAL.is_working_moment(normalised)
    assert CAL.next_working_moment(normalised) == normalised
    # Nothing working is skipped: no working time lies between the moment and its normalised form.
    assert CAL.working_hours_between(moment, normalised) == 0.0


@PROPS
@given(received=moments, cutoff_minutes=st.integers(min_value=7 * 60 + 30, max_value=17 * 60))
def test_same_day_due_is_the_receipt_day_or_the_next(received: datetime, cutoff_minutes: int) -> None:
    cutoff = time(cutoff_minutes // 60, cutoff_minutes % 60)
    due = CAL.same_day_due(received, cutoff)
    receipt_day = CAL.next_working_moment(received).date()
    assert due in (
        CAL.end_of_office_day(receipt_day),
        CAL.end_of_office_day(CAL.next_working_day(receipt_day)),
    )
    assert due >= received
