"""The provincial administrator registers agencies' beneficiary accounts (DOMAIN §4)."""

from __future__ import annotations

import json
from pathlib import Path

from motcua import runtime
from motcua.agencies.service import load_agencies
from tests.integration.conftest import Motcua

AGENCIES = Path(__file__).resolve().parents[1] / "fixtures" / "national-catalogue" / "khanh-hoa-agencies.json"
ACCOUNT = {
    "fee_codes": ["LP-HOTICH"],
    "bank": "Kho bạc Nhà nước Khánh Hòa",
    "account_no": "3511010523450000",
    "account_name": "UBND phường Ba Ngòi",
    "valid_from": "2026-01-01",
}


def _admin(motcua: Motcua) -> str:
    return motcua.officer(sub="khsso-100001", roles=("PROVINCE_ADMIN",), agency="H32")


def test_an_account_is_registered_once_and_an_overlapping_one_refused(motcua: Motcua) -> None:
    load_agencies(runtime.agency_store(), json.loads(AGENCIES.read_text(encoding="utf-8")), "H32")
    created = motcua.call("POST", "/v1/admin/agencies/H32.201/accounts", _admin(motcua), ACCOUNT)
    assert created.status == 201, created.body
    assert [a["account_no"] for a in created.body["accounts"]] == [ACCOUNT["account_no"]]
    assert motcua.call("GET", "/v1/agencies/H32.201").body["accounts"][0]["bank"] == ACCOUNT["bank"]

    overlapping = {**ACCOUNT, "account_no": "3511010523459999", "valid_from": "2026-06-01"}
    refused = motcua.call("POST", "/v1/admin/agencies/H32.201/accounts", _admin(motcua), overlapping)
    assert refused.status == 422 and refused.body["error"]["code"] == "ACCOUNT_OVERLAP"
    assert len(motcua.call("GET", "/v1/agencies/H32.201").body["accounts"]) == 1


def test_bad_accounts_and_callers_are_refused(motcua: Motcua) -> None:
    load_agencies(runtime.agency_store(), json.loads(AGENCIES.read_text(encoding="utf-8")), "H32")
    admin = _admin(motcua)
    dotted = {**ACCOUNT, "account_no": "3511.0.1052345"}
    assert motcua.call("POST", "/v1/admin/agencies/H32.201/accounts", admin, dotted).status == 400
    backwards = {**ACCOUNT, "valid_to": "2025-01-01"}
    assert motcua.call("POST", "/v1/admin/agencies/H32.201/accounts", admin, backwards).status == 400
    unknown = motcua.call("POST", "/v1/admin/agencies/H32.999/accounts", admin, ACCOUNT)
    assert unknown.status == 404 and unknown.body["error"]["code"] == "AGENCY_NOT_FOUND"
    assert (
        motcua.call("POST", "/v1/admin/agencies/H32.201/accounts", motcua.approver(), ACCOUNT).status == 403
    )
