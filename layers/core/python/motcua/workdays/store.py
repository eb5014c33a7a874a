"""Where the calendar settings live: one item of the catalogue table (pk=CONFIG, sk=CALENDAR).

Replaced whole, with an optimistic lock on ``version`` so that two administrators cannot overwrite each other.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from motcua.dynamo import bind
from motcua.errors import Conflict
from motcua.settings import Settings
from motcua.workdays.model import CalendarSettings


class CalendarItem(Model):
    class Meta:
        table_name: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    body = UnicodeAttribute()
    version = NumberAttribute()


class CalendarStore:
    KEY = ("CONFIG", "CALENDAR")

    def __init__(self, settings: Settings) -> None:
        bind(CalendarItem, settings.catalogue_table, settings)

    def get(self) -> CalendarSettings:
        try:
            item = CalendarItem.get(*self.KEY, consistent_read=True)
        except CalendarItem.DoesNotExist:
            return CalendarSettings()
        return CalendarSettings.model_validate_json(item.body)

    def put(self, settings: CalendarSettings, expected_version: int) -> None:
        item = CalendarItem(*self.KEY, body=settings.model_dump_json(), version=settings.version)
        condition = (
            CalendarItem.pk.does_not_exist()
            if expected_version == 0
            else CalendarItem.version == expected_version
        )
        try:
            item.save(condition=condition)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict(
                    "Lịch làm việc vừa được người khác sửa; hãy tải lại.", code="CALENDAR_CHANGED"
                ) from error
            raise
