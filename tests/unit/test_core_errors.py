"""Domain errors become HTTP responses in one place (STYLE §1): ``motcua.web.errors.render``."""

from __future__ import annotations

import inspect
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua import errors
from motcua.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    Unauthenticated,
    Unprocessable,
)
from motcua.web.errors import JSON_HEADERS, STATUS_BY_KIND, render

EXPECTED_STATUS: list[tuple[type[DomainError], int]] = [
    (BadRequest, 400),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Unprocessable, 422),
    (DomainError, 400),
]
VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐ")


def _domain_error_classes() -> list[type[DomainError]]:
    return [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, DomainError) and cls.__module__ == errors.__name__
    ]


def _body(error: DomainError) -> dict[str, object]:
    _, _, body = render(error)
    parsed = json.loads(body)
    assert isinstance(parsed, dict)
    return parsed


@pytest.mark.parametrize(("error_type", "status"), EXPECTED_STATUS)
def test_each_kind_of_domain_error_gets_its_status(error_type: type[DomainError], status: int) -> None:
    # Given a service raised a domain error of this kind
    # When the web layer renders it
    rendered_status, headers, _ = render(error_type())
    # Then the caller gets the status of that kind, as JSON
    assert rendered_status == status
    assert headers["Content-Type"] == "application/json; charset=utf-8"


def test_every_domain_error_class_has_a_mapped_status() -> None:
    # Given every DomainError defined in motcua.errors
    # Then each one's kind is mapped (a new kind without a status would silently become 400)
    classes = _domain_error_classes()
    assert len(classes) >= 7
    unmapped = [cls.__name__ for cls in classes if cls.kind not in STATUS_BY_KIND]
    assert unmapped == []
    assert {cls.kind for cls in classes} == set(STATUS_BY_KIND)


@pytest.mark.parametrize("error_type", [cls for cls, _ in EXPECTED_STATUS])
def test_the_default_message_is_vietnamese(error_type: type[DomainError]) -> None:
    message = _body(error_type())["error"]["message"]  # type: ignore[index]
    assert isinstance(message, str)
    assert message.strip()
    assert VIETNAMESE & set(message), message


def test_the_body_carries_the_code_the_message_and_the_details() -> None:
    # Given a business rule broke with a specific code and details
    error = Unprocessable(
        "Hồ sơ còn thiếu thành phần bắt buộc: Giấy chứng sinh.",
        code="MISSING_COMPONENTS",
        missing=[{"code": "KQ004389", "name": "Giấy chứng sinh"}],
    )
    # When it is rendered
    status, _, raw = render(error)
    # Then the body names all three, with the Vietnamese text as written
    assert status == 422
    assert json.loads(raw) == {
        "error": {
            "code": "MISSING_COMPONENTS",
            "message": "Hồ sơ còn thiếu thành phần bắt buộc: Giấy chứng sinh.",
            "details": {"missing": [{"code": "KQ004389", "name": "Giấy chứng sinh"}]},
        }
    }


def test_without_details_the_body_has_no_details_key() -> None:
    assert _body(NotFound(code="DOSSIER_NOT_FOUND")) == {
        "error": {"code": "DOSSIER_NOT_FOUND", "message": NotFound.message_vi}
    }


def test_non_ascii_is_kept_as_is_not_escaped() -> None:
    # Given a Vietnamese message
    _, _, raw = render(Conflict("Nhiệm vụ này đã được xử lý.", code="TASK_ALREADY_DECIDED"))
    # Then the raw body holds the letters themselves (ensure_ascii=False), not \\u escapes
    assert "Nhiệm vụ này đã được xử lý." in raw
    assert "\\u" not in raw
    raw.encode("utf-8")  # and is valid UTF-8 text


def test_details_that_json_cannot_encode_are_rendered_as_text() -> None:
    # Given details holding a datetime (a due date, say)
    due = datetime(2026, 12, 4, 17, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    # When rendered, the body is still valid JSON
    details = _body(Conflict(code="LATE", due_at=due))["error"]["details"]  # type: ignore[index]
    assert details == {"due_at": str(due)}


def test_a_401_tells_the_client_how_to_authenticate() -> None:
    # Given the caller sent no credentials
    status, headers, raw = render(Unauthenticated(code="TOKEN_EXPIRED"))
    # Then the response is 401 with a Bearer challenge
    assert status == 401
    assert headers["WWW-Authenticate"] == 'Bearer realm="motcua"'
    assert json.loads(raw)["error"]["code"] == "TOKEN_EXPIRED"


@pytest.mark.parametrize("error_type", [BadRequest, Forbidden, NotFound, Conflict, Unprocessable])
def test_only_a_401_carries_a_challenge(error_type: type[DomainError]) -> None:
    _, headers, _ = render(error_type())
    assert "WWW-Authenticate" not in headers


def test_rendering_a_401_does_not_leak_the_challenge_into_the_shared_headers() -> None:
    render(Unauthenticated())
    _, headers, _ = render(NotFound())
    assert "WWW-Authenticate" not in JSON_HEADERS
    assert "WWW-Authenticate" not in headers


def test_an_instance_code_overrides_the_class_code_for_that_instance_only() -> None:
    specific = Forbidden(code="WRONG_REALM")
    assert specific.code == "WRONG_REALM"
    assert Forbidden().code == "FORBIDDEN"
    assert str(specific).startswith("WRONG_REALM: ")
