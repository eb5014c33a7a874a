"""Timeliness is fixed when processing ends, against the lawful due date (DOMAIN §3.8)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.conftest import Motcua


def _approved(motcua: Motcua) -> str:
    return motcua.approved(motcua.submitted())


def test_a_result_issued_before_the_due_date_is_not_late(motcua: Motcua) -> None:
    code = _approved(motcua)
    motcua.step("issue_result", code)
    view = motcua.call("GET", f"/v1/dossiers/{code}", motcua.citizen()).body
    assert view["timeliness"] in {"EARLY", "ON_TIME"}


def test_a_result_issued_after_the_due_date_is_late_and_stays_late(
    motcua: Motcua, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = _approved(motcua)
    # the clock moves a month on (never sleep): the result comes after the due date
    monkeypatch.setenv("MOTCUA_CLOCK_OFFSET_SECONDS", str(timedelta(days=30).total_seconds()))
    motcua.step("issue_result", code)
    motcua.step("deliver_result", code)
    view = motcua.call("GET", f"/v1/dossiers/{code}", motcua.citizen()).body
    assert view["status"]["national_code"] == 10
    assert view["timeliness"] == "LATE"  # fixed at the result (9); returning it (10) does not change it


def test_a_rejection_and_a_withdrawal_also_fix_the_timeliness(motcua: Motcua) -> None:
    rejected = motcua.submitted()
    motcua.step("register", rejected)
    motcua.step(
        "close_rejected", rejected, decision={"reasons": ["Không đủ điều kiện"], "officer": "khsso-1"}
    )
    assert motcua.call("GET", f"/v1/dossiers/{rejected}", motcua.citizen()).body["timeliness"] in {
        "EARLY",
        "ON_TIME",
    }
    withdrawn = motcua.submitted()
    reply = motcua.call(
        "POST", f"/v1/dossiers/{withdrawn}/withdrawal", motcua.citizen(), {"reason": "Nộp nhầm"}
    )
    assert reply.body["timeliness"] in {"EARLY", "ON_TIME"}
