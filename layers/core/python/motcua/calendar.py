"""The working-day clock (lịch làm việc): due dates (ngày hẹn trả kết quả) for dossiers (hồ sơ).

Every administrative procedure (thủ tục hành chính, TTHC) has a processing time (thời hạn giải quyết)
such as "3 working days". This module turns a receipt moment (thời điểm tiếp nhận hồ sơ) and a
processing time into a due moment, and measures elapsed working time for progress and overdue checks.

It is pure: standard library plus the ``holidays`` package, no I/O, no AWS. Everything that varies by
place or year is configuration passed in by the caller:

* office hours (giờ hành chính): :class:`OfficeHours`, default Monday–Friday 07:30–11:30 and 13:30–17:00;
* working weekdays, default Monday–Friday;
* admin overrides (điều chỉnh lịch): extra days off (ngày nghỉ) and make-up working days (ngày làm bù),
  :class:`CalendarOverrides`, because the Government announces swaps a few months ahead and the
  ``holidays`` package may lag behind.

A working day (ngày làm việc) is, in order of precedence:

1. an override working day → working; an override day off → not working;
2. a make-up weekend working day published by ``holidays`` (``weekend_workdays``) → working;
3. a weekday outside the configured working weekdays → not working;
4. a Vietnamese public holiday (ngày nghỉ lễ, Tết), including days off in lieu (ngày nghỉ bù) and
   substituted days off, per ``holidays.country_holidays("VN")`` → not working;
5. otherwise → working.

Conventions:

* All datetimes going in must be timezone-aware (naive input raises ``ValueError``); they are converted to
  the calendar's zone (Asia/Ho_Chi_Minh by default) and everything coming out is in that zone.
  Arithmetic is wall-clock within a day, which is exact because Vietnam has no daylight saving time.
* Office windows are closed intervals: 11:30 and 17:00 are still working moments, so a due moment at the
  end of office hours is itself a working moment, and adding working time that exactly exhausts a window
  lands on the window's end (17:00 today) rather than on the next window's start (07:30 tomorrow).
* Day counting follows the Civil Code 2015 (Bộ luật Dân sự, Art. 147–148): the day of receipt does not
  count, and a period whose last day is a day off ends on the next working day. The end of a day is the
  end of office hours rather than midnight, because results are handed over at the one-stop desk
  (bộ phận một cửa), which closes then.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum, StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_OFFICE_HOURS",
    "NO_OVERRIDES",
    "VN_TZ",
    "CalendarOverrides",
    "DayCountMode",
    "DurationUnit",
    "OfficeHours",
    "WorkingCalendar",
]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# A calendar with no working day for years would make the day-stepping loops spin forever; no real
# configuration gets near this, so hitting it means the configuration is broken.
_MAX_SEARCH_DAYS = 3660


class DurationUnit(StrEnum):
    """Unit of a processing time (đơn vị thời hạn giải quyết).

    ``WORKING_DAY``: ngày làm việc. ``WORKING_HOUR``: giờ làm việc (the national procedure database,
    CSDL TTHC quốc gia, calls it ``HOUR``; ``DurationUnit.HOUR`` and ``DurationUnit("HOUR")`` both give
    ``WORKING_HOUR``). ``DAY``: calendar day (ngày, including days off). ``MONTH``: calendar month (tháng).
    """

    WORKING_DAY = "WORKING_DAY"
    WORKING_HOUR = "WORKING_HOUR"
    HOUR = "WORKING_HOUR"  # alias: the national data's code for the same unit
    DAY = "DAY"
    MONTH = "MONTH"

    @classmethod
    def _missing_(cls, value: object) -> DurationUnit | None:
        # Catalogue imports arrive with the national spelling ("HOUR") and inconsistent case.
        if isinstance(value, str):
            key = value.strip().upper()
            if key in cls.__members__:
                return cls.__members__[key]
        return None


class DayCountMode(Enum):
    """How a count of working days becomes a due moment.

    ``DAYS`` (default): the due moment is the end of office hours of the Nth working day after the day of
    receipt; the day of receipt does not count, whatever the hour of receipt.
    ``HOURS``: one working day is the length of the office day (:attr:`OfficeHours.day_length_hours`), and
    the due moment is the exact working moment N office-day lengths after receipt.
    """

    DAYS = "DAYS"
    HOURS = "HOURS"


@dataclass(frozen=True)
class OfficeHours:
    """Office hours (giờ hành chính): the working windows of one working day, in local wall-clock time.

    Windows are ``(start, end)`` pairs of naive ``time``, sorted, non-overlapping and non-empty.
    """

    windows: tuple[tuple[time, time], ...]

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValueError("office hours need at least one window")
        previous_end: time | None = None
        for start, end in self.windows:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("office-hour windows are local wall-clock times; pass naive times")
            if not start < end:
                raise ValueError(f"office-hour window {start}–{end} must start before it ends")
            if previous_end is not None and start < previous_end:
                raise ValueError("office-hour windows must be sorted and must not overlap")
            previous_end = end

    @property
    def day_length(self) -> timedelta:
        """Total working time in one office day."""
        return sum((_time_delta(start, end) for start, end in self.windows), timedelta())

    @property
    def day_length_hours(self) -> float:
        """Total working hours in one office day (7.5 for the default windows)."""
        return self.day_length / timedelta(hours=1)

    @property
    def opening(self) -> time:
        """Start of the first window."""
        return self.windows[0][0]

    @property
    def closing(self) -> time:
        """End of the last window: the end of office hours."""
        return self.windows[-1][1]


DEFAULT_OFFICE_HOURS = OfficeHours(windows=((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))))


@dataclass(frozen=True)
class CalendarOverrides:
    """Admin overrides of the national calendar.

    ``days_off``: extra days off (ngày nghỉ), e.g. a provincial day off or a swap announced before the
    ``holidays`` package knows it. ``working_days``: extra working days, e.g. a make-up Saturday
    (ngày làm bù) or a holiday the province works through. A day may not be in both.
    """

    days_off: frozenset[date] = field(default_factory=frozenset)
    working_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for day in self.days_off | self.working_days:
            # A datetime is a date but never equals one, so it would silently never match.
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(f"calendar overrides hold dates, not {type(day).__name__}")
        both = self.days_off & self.working_days
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"a day cannot be both a day off and a working day: {listed}")


NO_OVERRIDES = CalendarOverrides()


@dataclass(frozen=True)
class _NationalYear:
    """Vietnam's public-holiday data for one calendar year."""

    days_off: frozenset[date]
    weekend_workdays: frozenset[date]


@lru_cache(maxsize=256)
def _national_year(year: int) -> _NationalYear:
    """Public holidays and make-up working days for one year, cached.

    Building a ``holidays`` object costs ~15 ms per year (lunar calendar arithmetic), far too much to pay
    on every intake; the result is immutable, so it is shared by all calendars in the process.
    """
    import holidays  # lazily: loading every country's calendar costs ~40 ms of cold start

    vn = holidays.country_holidays("VN", years=year)
    days_off = frozenset(day for day in vn if day.year == year)
    # ``weekend_workdays`` also carries cross-year swaps from other years (e.g. 2014-12-27 in every
    # year's object), so keep only this year's; another year's lookup contributes its own.
    workdays = frozenset(day for day in getattr(vn, "weekend_workdays", ()) if day.year == year)
    return _NationalYear(days_off=days_off, weekend_workdays=workdays)


def _time_delta(start: time, end: time) -> timedelta:
    """Wall-clock distance between two times of the same day."""
    anchor = date(2000, 1, 1)
    return datetime.combine(anchor, end) - datetime.combine(anchor, start)


class WorkingCalendar:
    """The working-day clock for one set of office hours, working weekdays and admin overrides.

    Instances are immutable after construction and safe to share; build one per configuration and reuse
    it, since it caches per-year day lookups.
    """

    def __init__(
        self,
        office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
        overrides: CalendarOverrides = NO_OVERRIDES,
        workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4}),
        tz: ZoneInfo = VN_TZ,
    ) -> None:
        """Create a calendar.

        ``workdays`` are ``date.weekday()`` numbers (Monday = 0). ``tz`` is the zone whose wall clock the
        office hours are read in.
        """
        workdays = frozenset(workdays)
        if not workdays or not workdays <= frozenset(range(7)):
            raise ValueError("workdays must be a non-empty set of weekday numbers 0 (Monday) to 6 (Sunday)")
        self.office_hours = office_hours
        self.overrides = overrides
        self.workdays = workdays
        self.tz = tz
        self._day_length = office_hours.day_length
        # Per-instance memo of each year's answer so is_working_day is one dict and one set lookup.
        self._years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(office_hours={self.office_hours!r}, overrides={self.overrides!r}, "
            f"workdays={sorted(self.workdays)!r}, tz={self.tz!r})"
        )

    # ------------------------------------------------------------------ days

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day (ngày làm việc); see the module docstring for precedence.

        An aware datetime is accepted and read as its local date in the calendar's zone.
        """
        if isinstance(day, datetime):
            day = self._local(day).date()
        if day in self.overrides.working_days:
            return True
        if day in self.overrides.days_off:
            return False
        days_off, weekend_workdays = self._year(day.year)
        if day in weekend_workdays:
            return True
        if day.weekday() not in self.workdays:
            return False
        return day not in days_off

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        candidate = day
        for _ in range(_MAX_SEARCH_DAYS):
            candidate += timedelta(days=1)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {_MAX_SEARCH_DAYS} days after {day}; check the calendar")

    def working_day_on_or_after(self, day: date) -> date:
        """``day`` if it is a working day, else the next working day."""
        return day if self.is_working_day(day) else self.next_working_day(day)

    def end_of_office_day(self, day: date) -> datetime:
        """End of office hours (17:00 by default) on ``day``, in the calendar's zone.

        This does not check that ``day`` is a working day; callers pick the day.
        """
        return datetime.combine(day, self.office_hours.closing, tzinfo=self.tz)

    # --------------------------------------------------------------- moments

    def is_working_moment(self, moment: datetime) -> bool:
        """Whether ``moment`` falls on a working day inside an office window, ends included."""
        local = self._local(moment)
        if not self.is_working_day(local.date()):
            return False
        clock = local.time()
        return any(start <= clock <= end for start, end in self.office_hours.windows)

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself if it is a working moment, else the start of the next office window.

        This is how receipt is normalised: a dossier received in the evening, at the weekend, on a holiday
        or in the lunch break (nghỉ trưa) counts as received when the office next opens.
        """
        local = self._local(moment)
        day = local.date()
        if self.is_working_day(day):
            for start, end in self._windows(day):
                if local < start:
                    return start
                if local <= end:
                    return local
        return self._opening(self.next_working_day(day))

    # ------------------------------------------------------------- arithmetic

    def add_working_days(
        self, start: datetime, days: int, mode: DayCountMode = DayCountMode.DAYS
    ) -> datetime:
        """Due moment ``days`` working days after ``start`` (receipt is normalised first).

        ``DayCountMode.DAYS``: end of office hours of the ``days``-th working day after the receipt working
        day; ``days == 0`` means the end of the receipt working day itself. ``DayCountMode.HOURS``: the
        working moment ``days`` × office-day length after receipt.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        if mode is DayCountMode.HOURS:
            return self.add_working_time(start, self._day_length * days)
        day = self.next_working_moment(start).date()
        for _ in range(days):
            day = self.next_working_day(day)
        return self.end_of_office_day(day)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The working moment ``hours`` working hours (giờ làm việc) after ``start``.

        Hours are rounded to the microsecond. Zero hours gives the normalised start. Time in the lunch
        break, evenings, weekends and holidays does not count.
        """
        if not math.isfinite(hours) or hours < 0:
            raise ValueError("hours must be a finite, non-negative number")
        return self.add_working_time(start, timedelta(hours=hours))

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """Exact form of :meth:`add_working_hours` taking a ``timedelta``.

        When the amount exactly exhausts a window the result is that window's end (e.g. 17:00), not the
        next window's start; the two are the same point in working time.
        """
        if amount < timedelta():
            raise ValueError("amount must not be negative")
        current = self.next_working_moment(start)
        remaining = amount
        if not remaining:
            return current
        day = current.date()
        while True:
            for window_start, window_end in self._windows(day):
                if window_end <= current:
                    continue
                segment_start = max(window_start, current)
                available = window_end - segment_start
                if remaining <= available:
                    return segment_start + remaining
                remaining -= available
            day = self.next_working_day(day)
            # Skip whole office days without building their windows; long durations stay cheap.
            while remaining > self._day_length:
                remaining -= self._day_length
                day = self.next_working_day(day)
            current = self._opening(day)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Exact form of :meth:`working_hours_between` returning a ``timedelta`` (signed)."""
        start_local, end_local = self._local(start), self._local(end)
        if end_local < start_local:
            return -self.working_time_between(end_local, start_local)
        total = timedelta()
        for day in _days(start_local.date(), end_local.date()):
            if not self.is_working_day(day):
                continue
            for window_start, window_end in self._windows(day):
                overlap = min(window_end, end_local) - max(window_start, start_local)
                if overlap > timedelta():
                    total += overlap
        return total

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours from ``start`` to ``end``.

        Signed: negative when ``end`` is before ``start`` (so "hours left until the due date" goes negative
        once a dossier is overdue, quá hạn). Only time inside office windows on working days counts.
        """
        return self.working_time_between(start, end) / timedelta(hours=1)

    def working_days_between(self, start: datetime, end: datetime) -> float:
        """Working time from ``start`` to ``end`` in office-day lengths (signed, fractional).

        This is ``working_hours_between / day_length_hours``; it measures time, it does not count the
        ``DayCountMode.DAYS`` way (where a dossier received at 16:59 is still given whole days).
        """
        return self.working_time_between(start, end) / self._day_length

    # ------------------------------------------------------------- due dates

    def same_day_due(self, received_at: datetime, cutoff: time) -> datetime:
        """Due moment for a same-day procedure (giải quyết trong ngày) with a receipt cut-off.

        Received (after normalisation) strictly before ``cutoff`` on a working day: due at the end of
        office hours that day. At or after the cut-off: due at the end of the next working day.
        """
        if cutoff.tzinfo is not None:
            raise ValueError("the same-day cut-off is a local wall-clock time; pass a naive time")
        received = self.next_working_moment(received_at)
        day = received.date()
        if received.time() >= cutoff:
            day = self.next_working_day(day)
        return self.end_of_office_day(day)

    def due_date(
        self,
        received_at: datetime,
        quantity: float,
        unit: DurationUnit,
        mode: DayCountMode = DayCountMode.DAYS,
        same_day_cutoff: time | None = None,
    ) -> datetime:
        """Due moment (ngày hẹn trả kết quả) for a processing time of ``quantity`` ``unit`` from receipt.

        Receipt is first normalised with :meth:`next_working_moment`. Then, by unit:

        * ``WORKING_DAY``: :meth:`add_working_days` in ``mode``. A whole quantity is required in
          ``DAYS`` mode except that a fractional quantity (e.g. 0.5 ngày) is converted to working hours,
          since "end of office hours of day 0.5" has no meaning. Quantity 0 is a same-day procedure:
          with ``same_day_cutoff`` it follows :meth:`same_day_due`, without it it is due at the end of the
          receipt working day.
        * ``WORKING_HOUR`` (``HOUR``): :meth:`add_working_hours`.
        * ``DAY``: calendar days are added to the normalised receipt date. If that lands on a day off, the
          period ends at the end of office hours of the next working day (common practice, and the Civil
          Code rule); otherwise at the end of office hours of that day. A dossier received on Saturday
          therefore counts from Monday.
        * ``MONTH``: calendar months are added to the normalised receipt date; a day missing from the
          target month (31 January + 1 month) becomes that month's last day (Civil Code Art. 148); then as
          ``DAY``.

        ``same_day_cutoff`` applies only to quantity 0 of ``WORKING_DAY`` or ``DAY``; ``mode`` only to
        ``WORKING_DAY``. The result is never earlier than ``received_at`` and is always a working moment.
        """
        if not math.isfinite(quantity) or quantity < 0:
            raise ValueError("quantity must be a finite, non-negative number")
        unit = DurationUnit(unit)
        if (
            quantity == 0
            and same_day_cutoff is not None
            and unit in (DurationUnit.WORKING_DAY, DurationUnit.DAY)
        ):
            return self.same_day_due(received_at, same_day_cutoff)
        if unit is DurationUnit.WORKING_HOUR:
            return self.add_working_hours(received_at, quantity)
        if unit is DurationUnit.WORKING_DAY:
            if mode is DayCountMode.DAYS and float(quantity).is_integer():
                return self.add_working_days(received_at, int(quantity), DayCountMode.DAYS)
            return self.add_working_time(received_at, self._day_length * quantity)
        if not float(quantity).is_integer():
            raise ValueError(f"{unit.value} processing times must be whole numbers, got {quantity}")
        received_day = self.next_working_moment(received_at).date()
        if unit is DurationUnit.DAY:
            target = received_day + timedelta(days=int(quantity))
        else:
            target = _add_months(received_day, int(quantity))
        return self.end_of_office_day(self.working_day_on_or_after(target))

    # -------------------------------------------------------------- internals

    def _local(self, moment: datetime) -> datetime:
        if not isinstance(moment, datetime):
            raise TypeError(f"expected a datetime, got {type(moment).__name__}")
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("naive datetime: the working-day clock needs timezone-aware datetimes")
        return moment.astimezone(self.tz)

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        cached = self._years.get(year)
        if cached is None:
            national = _national_year(year)
            cached = (national.days_off, national.weekend_workdays)
            self._years[year] = cached
        return cached

    def _windows(self, day: date) -> list[tuple[datetime, datetime]]:
        return [
            (datetime.combine(day, start, tzinfo=self.tz), datetime.combine(day, end, tzinfo=self.tz))
            for start, end in self.office_hours.windows
        ]

    def _opening(self, day: date) -> datetime:
        return datetime.combine(day, self.office_hours.opening, tzinfo=self.tz)


def _days(first: date, last: date) -> Iterator[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the last day of the target month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    last = (first_of_next - timedelta(days=1)).day
    return date(year, month, min(day.day, last))
