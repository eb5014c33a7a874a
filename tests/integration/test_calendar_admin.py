"""The provincial administrator edits the calendar; due dates follow (DOMAIN §3.4, §12 item 11)."""

from __future__ import annotations

from datetime import date, timedelta

from motcua import clock, runtime
from tests.integration.conftest import Motcua


def _admin(motcua: Motcua) -> str:
    return motcua.officer(sub="khsso-100001", roles=("PROVINCE_ADMIN",), agency="H32")


def _next_working_day(motcua: Motcua) -> date:
    calendar = runtime.working_calendar()
    day = clock.now().date() + timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def test_an_extra_day_off_moves_the_due_date_of_new_dossiers(motcua: Motcua) -> None:
    # Given a dossier submitted now is due at some working day
    before = motcua.submit()
    assert before.status == 201, before.body
    due_before = before.body["due_at"]

    # When the administrator declares the next working day a provincial day off
    admin = _admin(motcua)
    current = motcua.call("GET", "/v1/admin/calendar", admin)
    assert current.status == 200, current.body
    day_off = _next_working_day(motcua)
    reply = motcua.call(
        "PUT",
        "/v1/admin/calendar",
        admin,
        {
            "days_off": [{"day": day_off.isoformat(), "reason": "QĐ nghỉ bù của UBND tỉnh"}],
            "working_days": [],
            "version": current.body["settings"]["version"],
        },
    )
    assert reply.status == 200, reply.body
    assert day_off.isoformat() not in reply.body["next_working_days"]
    assert reply.body["settings"]["updated_by"] == "khsso-100001"

    # Then a dossier submitted afterwards is due one working day later than the first
    after = motcua.submit()
    assert after.status == 201, after.body
    assert after.body["due_at"] > due_before
    # and the dossier received before keeps its due date
    assert (
        motcua.call("GET", f"/v1/dossiers/{before.body['code']}", motcua.citizen()).body["due_at"]
        == due_before
    )


def test_a_stale_version_is_refused_and_changes_nothing(motcua: Motcua) -> None:
    admin = _admin(motcua)
    body = {"days_off": [{"day": "2027-01-04", "reason": "thử"}], "working_days": [], "version": 0}
    assert motcua.call("PUT", "/v1/admin/calendar", admin, body).status == 200
    stale = motcua.call("PUT", "/v1/admin/calendar", admin, {**body, "days_off": []})
    assert stale.status == 409 and stale.body["error"]["code"] == "CALENDAR_CHANGED"
    assert [
        c["day"] for c in motcua.call("GET", "/v1/admin/calendar", admin).body["settings"]["days_off"]
    ] == ["2027-01-04"]


def test_a_day_both_off_and_working_is_refused(motcua: Motcua) -> None:
    body = {
        "days_off": [{"day": "2027-01-09", "reason": "x"}],
        "working_days": [{"day": "2027-01-09", "reason": "y"}],
        "version": 0,
    }
    reply = motcua.call("PUT", "/v1/admin/calendar", _admin(motcua), body)
    assert reply.status == 422 and reply.body["error"]["code"] == "CALENDAR_INVALID"


def test_only_the_provincial_administrator_edits_the_calendar(motcua: Motcua) -> None:
    body = {"days_off": [], "working_days": [], "version": 0}
    assert motcua.call("PUT", "/v1/admin/calendar", motcua.approver(), body).status == 403
    assert motcua.call("PUT", "/v1/admin/calendar", None, body).status == 401
    assert motcua.call("GET", "/v1/admin/calendar", motcua.citizen()).status == 403
