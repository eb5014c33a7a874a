"""Reading and editing the province's calendar overrides, and the working calendar every service uses."""

from __future__ import annotations

import math
import threading
import time
from datetime import date

from motcua import clock
from motcua.calendar import WorkingCalendar
from motcua.errors import Unprocessable
from motcua.workdays.model import CalendarSettings, UpdateCalendar
from motcua.workdays.store import CalendarStore

REFRESH_SECONDS = 60.0


def update(store: CalendarStore, request: UpdateCalendar, account: str) -> CalendarSettings:
    try:
        settings = CalendarSettings(
            days_off=tuple(sorted(request.days_off, key=lambda c: c.day)),
            working_days=tuple(sorted(request.working_days, key=lambda c: c.day)),
            updated_by=account,
            updated_at=clock.now(),
            version=request.version + 1,
        )
    except ValueError as error:
        raise Unprocessable(
            "Một ngày không thể vừa là ngày nghỉ vừa là ngày làm việc, hoặc bị lặp.", code="CALENDAR_INVALID"
        ) from error
    store.put(settings, expected_version=request.version)
    return settings


class CalendarProvider:
    """The working calendar with the current overrides, re-read at most every ``REFRESH_SECONDS``."""

    def __init__(self, store: CalendarStore, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self._store = store
        self._refresh = refresh_seconds
        self._calendar = WorkingCalendar()
        self._version = -1
        self._checked = -math.inf
        self._lock = threading.Lock()

    def calendar(self) -> WorkingCalendar:
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= self._refresh:
                settings = self._store.get()
                self._checked = now
                if settings.version != self._version:
                    self._calendar = WorkingCalendar(overrides=settings.overrides())
                    self._version = settings.version
            return self._calendar


def working_days(calendar: WorkingCalendar, start: date, days: int) -> list[date]:
    """The working days among the ``days`` days from ``start`` (what the admin screen previews)."""
    from datetime import timedelta

    return [start + timedelta(n) for n in range(days) if calendar.is_working_day(start + timedelta(n))]
