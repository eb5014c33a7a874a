"""Receipt at the one-stop desk (bộ phận một cửa) and by post, for an applicant (DOMAIN §3.1, §3.3)."""

from __future__ import annotations

from datetime import datetime

import pytest

from motcua import clock
from tests.integration.conftest import AGENCY, Motcua

MARRIAGE_STATUS = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân: 3 working days on every channel
ITS_FORM = "000.00.00.G15-KQ003453"
APPLICANT = {"name": "Phạm Thị Mai", "id_number": "056195001234", "phone": "0905123456"}


def _desk(motcua: Motcua, agency: str = AGENCY) -> str:
    return motcua.officer(sub="khsso-100231", roles=("DESK_OFFICER",), agency=agency, scope="UNIT")


def _receipt(**fields: object) -> dict[str, object]:
    return {
        "procedure_code": MARRIAGE_STATUS,
        "agency_code": AGENCY,
        "channel": "DIRECT",
        "applicant": APPLICANT,
        "components": [{"code": ITS_FORM, "file_name": "to-khai.pdf", "digitised": True}],
        **fields,
    }


def _at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Move the one clock (never sleep)."""
    offset = (moment - datetime.now(clock.VN_TZ)).total_seconds()
    monkeypatch.setenv("MOTCUA_CLOCK_OFFSET_SECONDS", str(offset))


def test_received_at_1630_on_the_friday_before_the_holidays_is_due_after_them(
    motcua: Motcua, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given it is Friday 24/4/2026 16:30, before Giỗ Tổ (observed Mon 27/4) and 30/4–1/5
    _at(monkeypatch, datetime(2026, 4, 24, 16, 30, tzinfo=clock.VN_TZ))
    # When the desk officer receives a 3-working-day dossier for an applicant
    reply = motcua.call("POST", "/v1/desk/dossiers", _desk(motcua), _receipt())
    # Then its code is dated today and it is due at the end of Monday 4/5 (Tue 28, Wed 29, Mon 4)
    assert reply.status == 201, reply.body
    assert reply.body["code"].startswith(f"{AGENCY}-260424-")
    assert reply.body["due_at"] == "2026-05-04T17:00:00+07:00"
    assert motcua.workflow.started[-1][0] == reply.body["code"]


def test_the_applicant_follows_a_desk_dossier_with_their_verified_account(motcua: Motcua) -> None:
    code = motcua.call("POST", "/v1/desk/dossiers", _desk(motcua), _receipt()).body["code"]
    own = motcua.issuer.mint(
        "citizen", {"sub": "vneid-mai", "name": "Phạm Thị Mai", "id_number": APPLICANT["id_number"]}
    )
    seen = motcua.call("GET", f"/v1/dossiers/{code}", own)
    assert seen.status == 200, seen.body
    assert seen.body["channel"] == "DIRECT"
    assert motcua.call("GET", f"/v1/dossiers/{code}", motcua.citizen()).status == 404


def test_postal_receipt_and_refusals(motcua: Motcua) -> None:
    desk = _desk(motcua)
    postal = motcua.call("POST", "/v1/desk/dossiers", desk, _receipt(channel="POSTAL"))
    assert postal.status == 201, postal.body
    online = motcua.call("POST", "/v1/desk/dossiers", desk, _receipt(channel="ONLINE"))
    assert online.status == 422 and online.body["error"]["code"] == "CHANNEL_NOT_DESK"
    elsewhere = motcua.call("POST", "/v1/desk/dossiers", _desk(motcua, "H32.202"), _receipt())
    assert elsewhere.status == 403 and elsewhere.body["error"]["code"] == "OTHER_AGENCY"
    missing = motcua.call("POST", "/v1/desk/dossiers", desk, _receipt(components=[]))
    assert missing.status == 422 and missing.body["error"]["code"] == "MISSING_COMPONENTS"
    bad_id = motcua.call(
        "POST", "/v1/desk/dossiers", desk, _receipt(applicant={**APPLICANT, "id_number": "12"})
    )
    assert bad_id.status == 400
    assert motcua.call("POST", "/v1/desk/dossiers", motcua.approver(), _receipt()).status == 403


def test_the_receipt_slip_shows_what_was_received_and_when_to_come_back(motcua: Motcua) -> None:
    code = motcua.call("POST", "/v1/desk/dossiers", _desk(motcua), _receipt()).body["code"]
    slip = motcua.call("GET", f"/v1/dossiers/{code}/slip", _desk(motcua))
    assert slip.status == 200, slip.body
    body = slip.body
    assert body["form"] == "Mẫu 01" and body["dossier_code"] == code
    assert body["applicant_name"] == APPLICANT["name"]
    assert [c["code"] for c in body["components"]] == [ITS_FORM]
    assert body["components"][0]["digitised"] is True and body["components"][0]["name"]
    assert body["qr_payload"].endswith(f"?ma={code}") and APPLICANT["id_number"] not in body["qr_payload"]
    assert motcua.call("GET", f"/v1/dossiers/{code}/slip", motcua.citizen()).status == 404
