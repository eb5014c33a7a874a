"""The agency store and service against moto's DynamoDB, on a catalogue table shaped like template.yaml's.

The table's key schema, attributes and GSIs are read from ``CatalogueTable`` in template.yaml, so this test
cannot drift from the deployed table. The data is the real national list of Khánh Hòa's 166 agencies.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from motcua import runtime
from motcua.agencies.model import AgencyKind, BeneficiaryAccount, active_account_for
from motcua.agencies.service import agency_tree, get_agency, load_agencies, register_account
from motcua.agencies.store import AgencyStore
from motcua.errors import Conflict, NotFound, Unprocessable
from motcua.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
AGENCIES = ROOT / "tests" / "fixtures" / "national-catalogue" / "khanh-hoa-agencies.json"
REGION = "ap-southeast-1"
TABLE = "it-agencies-CatalogueTable"


def _catalogue_table() -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    template = yaml_parse(TEMPLATE.read_text(encoding="utf-8"))
    properties = template["Resources"]["CatalogueTable"]["Properties"]
    return copy.deepcopy(
        {
            "TableName": TABLE,
            "KeySchema": properties["KeySchema"],
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "BillingMode": properties["BillingMode"],
            "GlobalSecondaryIndexes": properties["GlobalSecondaryIndexes"],
        }
    )


def _records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(AGENCIES.read_text(encoding="utf-8"))
    return records


class World:
    def __init__(self, store: AgencyStore, client: Any) -> None:
        self.store = store
        self.client = client

    def raw(self, pk: str) -> list[dict[str, Any]]:
        reply = self.client.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ConsistentRead=True,
        )
        items: list[dict[str, Any]] = reply["Items"]
        return sorted(items, key=lambda item: item["sk"]["S"])


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    import boto3
    from moto import mock_aws

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # would send calls past moto's in-process mock
    environment = {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "STAGE": "it",
        "PROVINCE_CODE": "H32",
        "CATALOGUE_TABLE": TABLE,
        "DOSSIERS_TABLE": "it-agencies-unused-dossiers",
        "IDEMPOTENCY_TABLE": "it-agencies-unused-idempotency",
        "CITIZEN_ISSUER": "https://citizen.invalid",
        "CITIZEN_AUDIENCE": "motcua",
        "CITIZEN_JWKS_URL": "https://citizen.invalid/jwks",
        "OFFICER_ISSUER": "https://officer.invalid",
        "OFFICER_AUDIENCE": "motcua",
        "OFFICER_JWKS_URL": "https://officer.invalid/jwks",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(**_catalogue_table())
        runtime.reset()
        yield World(AgencyStore(get_settings()), client)
        runtime.reset()


@pytest.fixture
def loaded(world: World) -> World:
    assert load_agencies(world.store, _records(), "H32") == 166
    return world


def _account(**fields: Any) -> BeneficiaryAccount:
    values: dict[str, Any] = {
        "agency_code": "H32.24.19",
        "fee_codes": ("LP-CGCN", "PHI-TD"),
        "bank": "Kho bạc Nhà nước khu vực XIII",
        "account_no": "3511010000019",
        "account_name": "Văn phòng Đăng ký đất đai Khánh Hòa",
        "treasury_code": "2111",
        "valid_from": date(2025, 7, 1),
    }
    return BeneficiaryAccount.model_validate(values | fields)


def test_the_table_is_the_templates() -> None:
    table = _catalogue_table()
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    assert "gsi1" in [
        i["IndexName"] for i in table["GlobalSecondaryIndexes"]
    ]  # the index the agency list uses


def test_load_is_idempotent(loaded: World) -> None:
    assert load_agencies(loaded.store, _records(), "H32") == 0
    changed = [dict(r) for r in _records()]
    changed[100] = {**changed[100], "name": changed[100]["name"] + " (đổi tên)"}
    assert load_agencies(loaded.store, changed, "H32") == 1
    assert load_agencies(loaded.store, changed, "H32") == 0
    assert loaded.store.put_many([]) == 0


def test_item_layout(loaded: World) -> None:
    (meta,) = loaded.raw("AGENCY#H32.201")
    assert meta["sk"]["S"] == "META"
    assert (meta["gsi1pk"]["S"], meta["gsi1sk"]["S"]) == ("AGENCIES#H32", "H32.201")
    assert json.loads(meta["body"]["S"])["name"] == "UBND phường Ba Ngòi"
    register_account(loaded.store, _account())
    account = loaded.raw("AGENCY#H32.24.19")[0]
    assert account["sk"]["S"] == "ACCOUNT#2025-07-01#3511010000019"
    assert "gsi1pk" not in account


def test_list_all_and_tree(loaded: World) -> None:
    agencies = loaded.store.list_all("H32")
    assert len(agencies) == 166
    assert [a.code for a in agencies] == sorted(a.code for a in agencies)  # gsi1sk order
    assert loaded.store.list_all("H30") == []
    (root,) = agency_tree(loaded.store, "H32")
    assert root.agency.code == "H32"

    def count(node: Any) -> int:
        return 1 + sum(count(child) for child in node.children)

    assert count(root) == 166


def test_get_children_and_accounts(loaded: World) -> None:
    agency, children, accounts = get_agency(loaded.store, "H32.24.19")
    assert agency.name == "Văn phòng Đăng ký đất đai Khánh Hòa"
    assert agency.parent_code == "H32.24"
    assert [c.code for c in children] == [f"H32.24.19.{n:02d}" for n in range(1, 16)]
    assert {c.kind for c in children} == {AgencyKind.BRANCH}
    assert accounts == []
    _, children, _ = get_agency(loaded.store, "H32.11")
    assert [c.code for c in children] == [f"H32.11.13.{n}" for n in (1, 2, 3, 4, 5, 6, 8, 9)]
    _, children, _ = get_agency(loaded.store, "H32")
    assert len(children) == 11 + 64 + 66
    assert loaded.store.get("H32.999") is None
    with pytest.raises(NotFound) as raised:
        get_agency(loaded.store, "H32.999")
    assert raised.value.code == "AGENCY_NOT_FOUND"
    assert "H32.999" in raised.value.message_vi


def test_accounts(loaded: World) -> None:
    current = _account()
    assert register_account(loaded.store, current) is True
    assert register_account(loaded.store, current) is False  # the same account again: nothing to do

    with pytest.raises(Unprocessable) as raised:  # one fee in common, periods overlap
        register_account(
            loaded.store, _account(account_no="999", fee_codes=("PHI-TD",), valid_from=date(2026, 1, 1))
        )
    assert raised.value.code == "ACCOUNT_OVERLAP"
    assert raised.value.details["fee_codes"] == ["PHI-TD"]
    assert raised.value.details["existing_account_no"] == "3511010000019"

    with pytest.raises(Unprocessable):  # an older account that runs one day into the current one
        register_account(
            loaded.store, _account(account_no="111", valid_from=date(2024, 1, 1), valid_to=date(2025, 7, 2))
        )
    older = _account(account_no="111", valid_from=date(2024, 1, 1), valid_to=date(2025, 7, 1))
    assert register_account(loaded.store, older) is True  # ends the day the current one starts
    other_fee = _account(account_no="222", fee_codes=("PHI-KHAC",))
    assert register_account(loaded.store, other_fee) is True  # same period, a different fee

    with pytest.raises(Conflict) as conflict:  # same number and start as ``current``, a fee of its own
        register_account(loaded.store, _account(fee_codes=("PHI-MOI",)))
    assert conflict.value.code == "ACCOUNT_EXISTS"

    with pytest.raises(NotFound):
        register_account(loaded.store, _account(agency_code="H32.999"))

    _, _, accounts = get_agency(loaded.store, "H32.24.19")
    assert accounts == [older, other_fee, current]  # oldest first, then account number
    assert active_account_for(accounts, "PHI-TD", date(2025, 6, 30)) == older
    assert active_account_for(accounts, "PHI-TD", date(2025, 7, 1)) == current
    assert active_account_for(accounts, "PHI-KHAC", date(2025, 6, 30)) is None
    # Accounts live beside the agency, not among the agencies of the province.
    assert len(loaded.store.list_all("H32")) == 166
    assert load_agencies(loaded.store, _records(), "H32") == 0


def test_skipped_records_are_not_stored(world: World) -> None:
    records = [*_records(), {"code": "H30.201", "name": "UBND phường Khác"}, {"code": "H32", "name": "trùng"}]
    assert load_agencies(world.store, records, "H32") == 166
    assert world.store.get("H30.201") is None
    stored = world.store.get("H32")
    assert stored is not None and stored.name == "UBND tỉnh Khánh Hòa"
