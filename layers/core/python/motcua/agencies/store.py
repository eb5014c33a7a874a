"""Agencies in the catalogue table: the only module that knows how they are laid out in DynamoDB.

Items (CatalogueTable, beside the procedures' ``PROC#`` items; gsi1 is shared, the prefixes keep them apart):

| item | pk | sk | gsi1 | body |
|---|---|---|---|---|
| agency | ``AGENCY#{code}`` | ``META`` | ``AGENCIES#{province}`` / ``{code}`` | Agency JSON |
| beneficiary account | ``AGENCY#{code}`` | ``ACCOUNT#{valid_from}#{account_no}`` | — | BeneficiaryAccount JSON |

Access patterns:
- one agency: GetItem ``AGENCY#{code}`` / ``META``
- every agency of a province (tree, children): Query gsi1 ``AGENCIES#{province}``, all pages
- what is stored before a load: BatchGetItem of the ``META`` items (consistent)
- an agency's accounts, oldest first: Query ``AGENCY#{code}``, sk begins_with ``ACCOUNT#`` (consistent)
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError
from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from motcua.agencies.model import Agency, BeneficiaryAccount
from motcua.dynamo import bind
from motcua.settings import Settings

META = "META"
ACCOUNT_PREFIX = "ACCOUNT#"


class _ByProvince(GlobalSecondaryIndex["AgencyItem"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class AgencyItem(Model):
    """An agency (sk ``META``) or one of its beneficiary accounts (sk ``ACCOUNT#…``)."""

    class Meta:
        table_name: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    code = UnicodeAttribute()  # the agency's code
    body = UnicodeAttribute()  # the Agency or BeneficiaryAccount as JSON: read whole, never queried inside
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_province = _ByProvince()


def _pk(code: str) -> str:
    return f"AGENCY#{code}"


def _province_key(province: str) -> str:
    return f"AGENCIES#{province}"


def account_key(account: BeneficiaryAccount) -> str:
    return f"{ACCOUNT_PREFIX}{account.valid_from.isoformat()}#{account.account_no}"


def _agency_item(agency: Agency) -> AgencyItem:
    return AgencyItem(
        _pk(agency.code),
        META,
        code=agency.code,
        body=agency.model_dump_json(),
        gsi1pk=_province_key(agency.province_code),
        gsi1sk=agency.code,
    )


def _stored_agency(item: AgencyItem) -> Agency | None:
    """The stored agency; None when the body no longer reads as one (an older shape: rewrite it)."""
    try:
        return Agency.model_validate_json(item.body)
    except ValidationError:
        return None


class AgencyStore:
    def __init__(self, settings: Settings) -> None:
        bind(AgencyItem, settings.catalogue_table, settings)

    def get(self, code: str) -> Agency | None:
        try:
            item = AgencyItem.get(_pk(code), META)
        except AgencyItem.DoesNotExist:
            return None
        return Agency.model_validate_json(item.body)

    def list_all(self, province: str) -> list[Agency]:
        """Every agency of the province, in code order (one Query on gsi1; the iterator follows every page)."""
        return [
            Agency.model_validate_json(item.body)
            for item in AgencyItem.by_province.query(_province_key(province))
        ]

    def put_many(self, agencies: Iterable[Agency]) -> int:
        """Write the agencies whose stored content differs (or that are new); the number written."""
        latest = {agency.code: agency for agency in agencies}  # a code given twice: the last one counts
        if not latest:
            return 0
        stored = {
            item.code: _stored_agency(item)
            for item in AgencyItem.batch_get([(_pk(code), META) for code in latest], consistent_read=True)
        }
        changed = [agency for code, agency in latest.items() if stored.get(code) != agency]
        if changed:
            with AgencyItem.batch_write() as batch:
                for agency in changed:
                    batch.save(_agency_item(agency))
        return len(changed)

    def put_account(self, account: BeneficiaryAccount) -> bool:
        """Store a new account; False (nothing written) when one with the same start and number exists."""
        item = AgencyItem(
            _pk(account.agency_code),
            account_key(account),
            code=account.agency_code,
            body=account.model_dump_json(),
        )
        try:
            item.save(condition=AgencyItem.sk.does_not_exist())
        except PutError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def accounts(self, code: str) -> list[BeneficiaryAccount]:
        """The agency's beneficiary accounts, oldest ``valid_from`` first."""
        items = AgencyItem.query(_pk(code), AgencyItem.sk.startswith(ACCOUNT_PREFIX), consistent_read=True)
        return [BeneficiaryAccount.model_validate_json(item.body) for item in items]
