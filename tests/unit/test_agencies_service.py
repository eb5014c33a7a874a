"""Agency use cases with an in-memory store (the real store is tested in tests/integration)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest

from motcua.agencies.model import Agency, BeneficiaryAccount, code_key
from motcua.agencies.service import agency_tree, get_agency, load_agencies, register_account
from motcua.agencies.store import AgencyStore
from motcua.errors import Conflict, NotFound, Unprocessable

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "national-catalogue" / "khanh-hoa-agencies.json"


class FakeAgencyStore:
    """What AgencyStore promises, in dictionaries."""

    def __init__(self) -> None:
        self.agencies: dict[str, Agency] = {}
        self.account_items: dict[tuple[str, str], BeneficiaryAccount] = {}
        self.writes = 0

    def get(self, code: str) -> Agency | None:
        return self.agencies.get(code)

    def list_all(self, province: str) -> list[Agency]:
        return sorted(
            (a for a in self.agencies.values() if a.province_code == province), key=lambda a: a.code
        )

    def put_many(self, agencies: Iterable[Agency]) -> int:
        changed = [a for a in agencies if self.agencies.get(a.code) != a]
        for agency in changed:
            self.agencies[agency.code] = agency
        self.writes += len(changed)
        return len(changed)

    def put_account(self, account: BeneficiaryAccount) -> bool:
        key = (account.agency_code, f"{account.valid_from.isoformat()}#{account.account_no}")
        if key in self.account_items:
            return False
        self.account_items[key] = account
        return True

    def accounts(self, code: str) -> list[BeneficiaryAccount]:
        return [a for (agency, _), a in sorted(self.account_items.items()) if agency == code]


@pytest.fixture
def store() -> AgencyStore:
    fake = FakeAgencyStore()
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert load_agencies(cast(AgencyStore, fake), records, "H32") == 166
    assert load_agencies(cast(AgencyStore, fake), records, "H32") == 0
    return cast(AgencyStore, fake)


def _account(**fields: Any) -> BeneficiaryAccount:
    values: dict[str, Any] = {
        "agency_code": "H32.201",
        "fee_codes": ("LP-KS",),
        "bank": "Ngân hàng TMCP Công Thương Việt Nam",
        "account_no": "104000123456",
        "account_name": "UBND phường Ba Ngòi",
        "valid_from": date(2025, 7, 1),
    }
    return BeneficiaryAccount.model_validate(values | fields)


def test_tree(store: AgencyStore) -> None:
    (root,) = agency_tree(store, "H32")
    assert root.agency.code == "H32"
    assert agency_tree(store, "H30") == []


def test_get_agency(store: AgencyStore) -> None:
    agency, children, accounts = get_agency(store, "H32.24")
    assert agency.name == "Sở Nông nghiệp và Môi trường - tỉnh Khánh Hòa"
    assert [c.code for c in children] == ["H32.24.19"]
    assert accounts == []
    _, children, _ = get_agency(store, "H32")
    assert children == sorted(children, key=lambda a: code_key(a.code))
    with pytest.raises(NotFound) as raised:
        get_agency(store, "H32.300")
    assert raised.value.code == "AGENCY_NOT_FOUND"


def test_register_account(store: AgencyStore) -> None:
    first = _account(valid_to=date(2026, 1, 1))
    assert register_account(store, first)
    assert not register_account(store, first)
    with pytest.raises(Unprocessable) as raised:
        register_account(store, _account(account_no="5", valid_from=date(2025, 12, 31)))
    assert raised.value.code == "ACCOUNT_OVERLAP"
    assert "31/12/2025" in raised.value.message_vi and "01/01/2026" in raised.value.message_vi
    assert register_account(store, _account(account_no="5", valid_from=date(2026, 1, 1)))
    with pytest.raises(Conflict):
        register_account(store, _account(fee_codes=("KHAC",), valid_to=date(2025, 8, 1)))
    assert get_agency(store, "H32.201")[2] == [first, _account(account_no="5", valid_from=date(2026, 1, 1))]
