"""Dossier statuses, the national status codes and the allowed transitions (DOMAIN §3.5). Pure.

The transition table is the single authority: services ask ``ensure_transition`` before writing, and a
refused transition changes nothing (HTTP 409 through ``Conflict``).
"""

from __future__ import annotations

from enum import StrEnum

from motcua.errors import Conflict


class Status(StrEnum):
    SUBMITTED = "SUBMITTED"  # 1 Mới đăng ký
    RECEIVED = "RECEIVED"  # 2 Được tiếp nhận
    NOT_ACCEPTED = "NOT_ACCEPTED"  # 3 Không được tiếp nhận
    IN_PROCESS = "IN_PROCESS"  # 4 Đang xử lý
    SUPPLEMENT_REQUESTED = "SUPPLEMENT_REQUESTED"  # 5 Yêu cầu bổ sung giấy tờ
    AWAITING_PAYMENT = "AWAITING_PAYMENT"  # 6 Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = "WITHDRAWN"  # 7 Công dân yêu cầu rút hồ sơ
    REJECTED = "REJECTED"  # 8 Dừng xử lý
    RESULT_READY = "RESULT_READY"  # 9 Đã xử lý xong
    RETURNED = "RETURNED"  # 10 Đã trả kết quả


NATIONAL_CODE: dict[Status, int] = {
    Status.SUBMITTED: 1,
    Status.RECEIVED: 2,
    Status.NOT_ACCEPTED: 3,
    Status.IN_PROCESS: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.AWAITING_PAYMENT: 6,
    Status.WITHDRAWN: 7,
    Status.REJECTED: 8,
    Status.RESULT_READY: 9,
    Status.RETURNED: 10,
}

NATIONAL_LABEL_VI: dict[Status, str] = {
    Status.SUBMITTED: "Mới đăng ký",
    Status.RECEIVED: "Được tiếp nhận",
    Status.NOT_ACCEPTED: "Không được tiếp nhận",
    Status.IN_PROCESS: "Đang xử lý",
    Status.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
    Status.AWAITING_PAYMENT: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    Status.REJECTED: "Dừng xử lý",
    Status.RESULT_READY: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}

FINAL: frozenset[Status] = frozenset(
    {Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.REJECTED, Status.RETURNED}
)

_NON_FINAL = frozenset(Status) - FINAL

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.SUBMITTED: frozenset({Status.RECEIVED, Status.NOT_ACCEPTED, Status.SUPPLEMENT_REQUESTED}),
    Status.RECEIVED: frozenset({Status.IN_PROCESS}),
    Status.IN_PROCESS: frozenset(
        {Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT, Status.REJECTED, Status.RESULT_READY}
    ),
    Status.SUPPLEMENT_REQUESTED: frozenset({Status.IN_PROCESS, Status.RECEIVED}),
    Status.AWAITING_PAYMENT: frozenset({Status.IN_PROCESS}),
    Status.RESULT_READY: frozenset({Status.RETURNED}),
}
# ND 118 Đ21: the applicant may ask to stop (withdraw) from any non-final state.
for _status in _NON_FINAL:
    TRANSITIONS[_status] = TRANSITIONS.get(_status, frozenset()) | {Status.WITHDRAWN}


def can_transition(current: Status, target: Status) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def ensure_transition(current: Status, target: Status) -> None:
    if not can_transition(current, target):
        raise Conflict(
            f"Không thể chuyển hồ sơ từ trạng thái «{NATIONAL_LABEL_VI[current]}» sang "
            f"«{NATIONAL_LABEL_VI[target]}».",
            code="ILLEGAL_TRANSITION",
            current=current.value,
            target=target.value,
        )
