"""Calendar overrides as the administrator edits them (DOMAIN §3.4, §12 item 11). Pure.

The national holidays, Tết and the Government's make-up Saturdays come from the ``holidays`` package; what it
does not know yet (a late announcement, a provincial day off) is added here, with the reason recorded.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from motcua.calendar import CalendarOverrides


class DayChange(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    day: date
    reason: str = Field(min_length=1, max_length=300, description="e.g. the decision that announced it")


class CalendarSettings(BaseModel):
    """Extra days off (ngày nghỉ) and extra working days (ngày làm bù) of the province."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    days_off: tuple[DayChange, ...] = ()
    working_days: tuple[DayChange, ...] = ()
    updated_by: str = ""
    updated_at: datetime | None = None
    version: int = 0

    @model_validator(mode="after")
    def _disjoint(self) -> CalendarSettings:
        off = [c.day for c in self.days_off]
        work = [c.day for c in self.working_days]
        if len(set(off)) != len(off) or len(set(work)) != len(work):
            raise ValueError("a day is listed twice")
        both = set(off) & set(work)
        if both:
            raise ValueError(
                "a day cannot be both a day off and a working day: " + ", ".join(sorted(map(str, both)))
            )
        return self

    def overrides(self) -> CalendarOverrides:
        return CalendarOverrides(
            days_off=frozenset(c.day for c in self.days_off),
            working_days=frozenset(c.day for c in self.working_days),
        )


class UpdateCalendar(BaseModel):
    """The administrator's edit: the full lists, and the version they were read at (optimistic lock)."""

    model_config = ConfigDict(extra="forbid")

    days_off: list[DayChange] = Field(default_factory=list, max_length=500)
    working_days: list[DayChange] = Field(default_factory=list, max_length=500)
    version: int = Field(ge=0)
