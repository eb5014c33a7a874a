"""Agency use cases: load the national list, the agency tree, one agency, beneficiary accounts.

Stores arrive as arguments, so unit tests pass fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from motcua.agencies.model import (
    Agency,
    AgencyKind,
    AgencyNode,
    BeneficiaryAccount,
    RegisterAccount,
    code_key,
    nest,
    overlapping_accounts,
    read_national,
)
from motcua.agencies.store import AgencyStore
from motcua.errors import BadRequest, Conflict, NotFound, Unprocessable


def _period(account: BeneficiaryAccount) -> str:
    start = f"từ ngày {account.valid_from.strftime('%d/%m/%Y')}"
    if account.valid_to is None:
        return f"{start}, không thời hạn"
    return f"{start} đến trước ngày {account.valid_to.strftime('%d/%m/%Y')}"


def load_agencies(store: AgencyStore, records: Sequence[Any], province_code: str) -> int:
    """Store the province's agencies from the national list; the number of items written.

    Idempotent: unchanged agencies are not rewritten, so loading the same list again writes 0. Records that
    are not of this province, malformed or repeated are skipped (``read_national``) and logged by code.
    """
    national = read_national(records, province_code)
    if national.skipped:
        from motcua.observability import logger

        logger.warning(
            "national agency records skipped",
            extra={
                "province": province_code,
                "skipped": [{"code": s.code, "reason": s.reason} for s in national.skipped],
            },
        )
    return store.put_many(national.agencies)


def agency_tree(store: AgencyStore, province: str) -> list[AgencyNode]:
    """The province's agencies nested under their parents: one root (UBND tỉnh) for a full list."""
    return nest(store.list_all(province))


def get_agency(store: AgencyStore, code: str) -> tuple[Agency, list[Agency], list[BeneficiaryAccount]]:
    """The agency, its direct children in code order, and its beneficiary accounts (oldest first)."""
    agency = store.get(code)
    if agency is None:
        raise NotFound(f"Không tìm thấy cơ quan, đơn vị có mã {code}.", code="AGENCY_NOT_FOUND")
    children = sorted(
        (a for a in store.list_all(agency.province_code) if a.parent_code == code),
        key=lambda a: code_key(a.code),
    )
    return agency, children, store.accounts(code)


def register_account(store: AgencyStore, account: BeneficiaryAccount) -> bool:
    """Register a beneficiary account; True when written, False when the very same account is already there.

    Refused (Unprocessable ``ACCOUNT_OVERLAP``) when another account of the agency receives one of the same
    fees on a day of this one's period: a payment must have exactly one beneficiary. Refused (Conflict
    ``ACCOUNT_EXISTS``) when a different account with the same number and start date is stored: change that
    one instead.
    """
    if store.get(account.agency_code) is None:
        raise NotFound(
            f"Không tìm thấy cơ quan, đơn vị có mã {account.agency_code}.", code="AGENCY_NOT_FOUND"
        )
    existing = store.accounts(account.agency_code)
    if account in existing:
        return False
    clashes = overlapping_accounts(existing, account)
    if clashes:
        clash = clashes[0]
        shared = sorted(set(clash.fee_codes) & set(account.fee_codes))
        raise Unprocessable(
            f"Khoản phí, lệ phí {', '.join(shared)} đã có tài khoản thụ hưởng {clash.account_no} "
            f"({_period(clash)}) trùng thời gian hiệu lực với tài khoản {account.account_no} ({_period(account)}).",
            code="ACCOUNT_OVERLAP",
            fee_codes=shared,
            existing_account_no=clash.account_no,
            existing_valid_from=clash.valid_from.isoformat(),
            existing_valid_to=clash.valid_to.isoformat() if clash.valid_to else None,
        )
    if not store.put_account(account):
        raise Conflict(
            f"Tài khoản {account.account_no} hiệu lực từ ngày {account.valid_from.strftime('%d/%m/%Y')} "
            "đã được đăng ký với nội dung khác.",
            code="ACCOUNT_EXISTS",
        )
    return True


# Procedures handled at commune level are offered by every ward, commune and the special zone.
COMMUNE_KINDS = frozenset({AgencyKind.WARD, AgencyKind.COMMUNE, AgencyKind.SPECIAL_ZONE})


def commune_codes(store: AgencyStore, province: str) -> list[str]:
    """The codes of the province's commune-level agencies (what the catalogue sync offers ward procedures at)."""
    return [a.code for a in store.list_all(province) if a.kind in COMMUNE_KINDS]


def register_requested_account(
    store: AgencyStore, code: str, request: RegisterAccount
) -> tuple[Agency, list[Agency], list[BeneficiaryAccount]]:
    """The administrator's registration: validate the account for the agency, register it, return the agency."""
    try:
        account = request.for_agency(code)
    except ValueError as error:  # e.g. a period that ends before it starts
        raise BadRequest("Tài khoản thụ hưởng không hợp lệ.", code="INVALID_ACCOUNT") from error
    register_account(store, account)
    return get_agency(store, code)
