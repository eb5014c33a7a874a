"""Domain errors: a stable English code for clients to switch on, and a Vietnamese message for people.

Services raise these; only ``motcua.web.errors`` turns them into HTTP responses, so status codes are chosen
in one place (STYLE §1).
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a user may see."""

    kind: ClassVar[str] = "invalid"
    code: str = "ERROR"
    message_vi: str = "Đã xảy ra lỗi."

    def __init__(self, message_vi: str | None = None, *, code: str | None = None, **details: Any) -> None:
        self.message_vi = message_vi or type(self).message_vi
        if code:
            self.code = code
        self.details = details
        super().__init__(f"{self.code}: {self.message_vi}")


class BadRequest(DomainError):
    """Malformed input: not JSON, wrong types, unknown fields (HTTP 400)."""

    kind = "bad_request"
    code = "BAD_REQUEST"
    message_vi = "Yêu cầu không hợp lệ."


class Unauthenticated(DomainError):
    """No credentials, or credentials that cannot be verified (HTTP 401)."""

    kind = "unauthenticated"
    code = "UNAUTHENTICATED"
    message_vi = "Chưa xác thực hoặc mã xác thực không hợp lệ."


class Forbidden(DomainError):
    """Authenticated, but the role, realm or scope does not allow this (HTTP 403)."""

    kind = "forbidden"
    code = "FORBIDDEN"
    message_vi = "Không có quyền thực hiện thao tác này."


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it exists (HTTP 404)."""

    kind = "not_found"
    code = "NOT_FOUND"
    message_vi = "Không tìm thấy."


class Conflict(DomainError):
    """The request collides with the current state: illegal transition, lost race (HTTP 409)."""

    kind = "conflict"
    code = "CONFLICT"
    message_vi = "Trạng thái hiện tại không cho phép thao tác này."


class Unprocessable(DomainError):
    """Well-formed input that breaks a business rule, e.g. missing required components (HTTP 422)."""

    kind = "unprocessable"
    code = "UNPROCESSABLE"
    message_vi = "Hồ sơ không đáp ứng yêu cầu."


class NotAcceptable(DomainError):
    """The caller does not accept the only representation there is, e.g. a PDF form (HTTP 406)."""

    kind = "not_acceptable"
    code = "NOT_ACCEPTABLE"
    message_vi = "Định dạng yêu cầu không được hỗ trợ."


class Unavailable(DomainError):
    """A dependency is down; nothing was lost and the request may be retried (HTTP 503)."""

    kind = "unavailable"
    code = "UNAVAILABLE"
    message_vi = "Hệ thống tạm thời không xử lý được yêu cầu, vui lòng thử lại."
