"""Component files: the upload policy (pure) and the use cases with an in-memory store (the real store is
tested against moto in tests/integration/test_files_s3.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import pytest

from motcua.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from motcua.files.model import (
    DEFAULT_POLICY,
    DOCX,
    JPEG,
    PDF,
    PNG,
    XLSX,
    FileSource,
    FileStatus,
    MiB,
    ObjectHead,
    PresignedPost,
    UploadPolicy,
    UploadRequest,
    check_upload,
    extension_of,
    object_key,
    owner_hash,
    owner_prefix,
    owns_key,
    safe_file_name,
    sha256_b64_to_hex,
    sha256_hex_to_b64,
)
from motcua.files.service import confirm_upload, reuse_result, start_upload
from motcua.files.store import FileStore
from tests.files_support import CONTENT, DOSSIER, OTHER, OWNER, declare, sha_b64, sha_hex

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=VN)


@dataclass
class FakeObject:
    body: bytes
    content_type: str


@dataclass
class FakeFileStore:
    """What FileStore promises, in a dictionary. ``reports_checksum`` False plays a store that gives no
    SHA-256 on HEAD (moto, S3-compatible stores), so the service must fall back to ``digest``."""

    reports_checksum: bool = True
    copy_reports: str = "actual"  # "actual" | "none" | "other": what copy() says the copy's checksum is
    objects: dict[str, FakeObject] = field(default_factory=dict)
    presigned: list[tuple[str, str, int, str, int]] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    copies: list[tuple[str, str]] = field(default_factory=list)

    def presign_post(
        self, key: str, content_type: str, size_bytes: int, sha256_b64: str, expires_in: int
    ) -> PresignedPost:
        self.presigned.append((key, content_type, size_bytes, sha256_b64, expires_in))
        return PresignedPost(url="https://files.example/", fields={"key": key, "Content-Type": content_type})

    def head(self, key: str) -> ObjectHead | None:
        obj = self.objects.get(key)
        if obj is None:
            return None
        checksum = sha_b64(obj.body) if self.reports_checksum else None
        return ObjectHead(size_bytes=len(obj.body), content_type=obj.content_type, sha256_b64=checksum)

    def digest(self, key: str) -> str | None:
        self.digests.append(key)
        obj = self.objects.get(key)
        return None if obj is None else sha_b64(obj.body)

    def copy(self, src_key: str, dst_key: str) -> str | None:
        obj = self.objects[src_key]
        self.copies.append((src_key, dst_key))
        self.objects[dst_key] = FakeObject(obj.body, obj.content_type)
        if self.copy_reports == "none":
            return None
        return sha_b64(b"changed meanwhile") if self.copy_reports == "other" else sha_b64(obj.body)

    # what the browser does with a ticket
    def put(self, key: str, body: bytes, content_type: str) -> None:
        self.objects[key] = FakeObject(body, content_type)


def as_store(fake: FakeFileStore) -> FileStore:
    return cast(FileStore, fake)


# =========================================================================== check_upload (pure)
@pytest.mark.parametrize(
    ("content_type", "file_name"),
    [
        (PDF, "to-khai.pdf"),
        (PDF, "TO-KHAI.PDF"),
        (JPEG, "anh.jpg"),
        (JPEG, "anh.jpeg"),
        (PNG, "chan-dung.png"),
        (DOCX, "don.docx"),
        (XLSX, "bang-ke.xlsx"),
    ],
)
def test_allowed_types_with_their_extensions_pass(content_type: str, file_name: str) -> None:
    check_upload(declare(content_type=content_type, file_name=file_name))


def test_exactly_the_limit_passes_and_one_byte_more_is_too_large() -> None:
    check_upload(declare(size_bytes=10 * MiB))
    with pytest.raises(Unprocessable) as raised:
        check_upload(declare(size_bytes=10 * MiB + 1))
    assert raised.value.code == "FILE_TOO_LARGE"
    assert raised.value.details == {"max_bytes": 10 * MiB}
    assert "10 MB" in raised.value.message_vi


def test_a_smaller_policy_limit_applies() -> None:
    with pytest.raises(Unprocessable) as raised:
        check_upload(declare(size_bytes=2 * MiB), UploadPolicy(max_bytes=MiB))
    assert raised.value.code == "FILE_TOO_LARGE"


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(Unprocessable) as raised:
        check_upload(declare(size_bytes=0))
    assert raised.value.code == "FILE_EMPTY"


def test_negative_sizes_are_malformed_before_any_rule() -> None:
    with pytest.raises(ValueError):
        declare(size_bytes=-1)


@pytest.mark.parametrize(
    ("content_type", "file_name"),
    [("text/html", "trang.html"), ("application/zip", "ho-so.zip"), ("application/PDF", "to-khai.pdf")],
)
def test_types_outside_the_policy_are_not_allowed(content_type: str, file_name: str) -> None:
    with pytest.raises(Unprocessable) as raised:
        check_upload(declare(content_type=content_type, file_name=file_name))
    assert raised.value.code == "FILE_TYPE_NOT_ALLOWED"
    assert PDF in raised.value.details["allowed"]


@pytest.mark.parametrize(
    ("content_type", "file_name"),
    [(PDF, "to-khai.exe"), (PDF, "to-khai.pdf.exe"), (PDF, "to-khai"), (JPEG, "anh.png"), (DOCX, "don.doc")],
)
def test_an_extension_that_does_not_match_the_type_is_refused(content_type: str, file_name: str) -> None:
    with pytest.raises(Unprocessable) as raised:
        check_upload(declare(content_type=content_type, file_name=file_name))
    assert raised.value.code == "FILE_EXTENSION_MISMATCH"


@pytest.mark.parametrize(
    "checksum",
    [
        sha_hex(CONTENT).upper(),  # lower-case only
        sha_hex(CONTENT)[:-1],
        sha_hex(CONTENT) + "0",
        "z" * 64,
        sha_b64(CONTENT),  # base64 is S3's form, not the API's
        "",
    ],
)
def test_a_malformed_checksum_is_invalid(checksum: str) -> None:
    with pytest.raises(Unprocessable) as raised:
        check_upload(declare(sha256=checksum))
    assert raised.value.code == "CHECKSUM_INVALID"


def test_messages_are_vietnamese_and_specific() -> None:
    cases = [
        declare(sha256="x"),
        declare(size_bytes=0),
        declare(size_bytes=11 * MiB),
        declare(content_type="text/plain", file_name="a.txt"),
        declare(file_name="a.exe"),
    ]
    messages = set()
    for request in cases:
        with pytest.raises(Unprocessable) as raised:
            check_upload(request)
        assert raised.value.message_vi != Unprocessable.message_vi
        messages.add(raised.value.message_vi)
    assert len(messages) == len(cases)
    assert "tệp" in " ".join(messages).lower()


def test_the_default_policy_allows_exactly_the_five_types() -> None:
    assert set(DEFAULT_POLICY.allowed) == {PDF, JPEG, PNG, DOCX, XLSX}
    assert DEFAULT_POLICY.max_bytes == 10 * MiB


# =========================================================================== keys (pure)
@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Tờ khai đăng ký khai sinh.pdf", "To-khai-dang-ky-khai-sinh.pdf"),
        ("Giấy KHAI SINH (bản sao).PDF", "Giay-KHAI-SINH-ban-sao.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\lan\\ảnh.jpg", "anh.jpg"),
        ("..pdf", "tep.pdf"),
        ("???.png", "tep.png"),
        ("không đuôi", "khong-duoi"),
    ],
)
def test_file_names_become_key_safe(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_long_names_are_cut() -> None:
    name = safe_file_name("a" * 300 + ".pdf")
    assert name == "a" * 100 + ".pdf"


def test_extension_of() -> None:
    assert extension_of("a.b.PDF") == "pdf"
    assert extension_of("no-extension") == ""
    assert extension_of("dir.pdf/file") == ""


def test_keys_carry_no_personal_data_and_belong_to_their_owner() -> None:
    key = object_key("ID#079123456789", "0" * 32, "Nguyễn Văn A.pdf")
    assert key == f"dossiers/{owner_hash('ID#079123456789')}/{'0' * 32}/Nguyen-Van-A.pdf"
    assert "079123456789" not in key
    assert owns_key("ID#079123456789", key)
    assert not owns_key(OWNER, key)
    assert not owns_key(OWNER, owner_prefix(OWNER) + "x/../" + "0" * 32 + "/a.pdf")
    assert not owns_key(OWNER, owner_prefix(OWNER) + "0" * 32 + "/../a.pdf")


def test_checksum_forms_round_trip() -> None:
    assert sha256_hex_to_b64(sha_hex(CONTENT)) == sha_b64(CONTENT)
    assert sha256_b64_to_hex(sha_b64(CONTENT)) == sha_hex(CONTENT)


# =========================================================================== start_upload
def test_start_upload_issues_a_ticket_bound_to_the_declaration() -> None:
    store = FakeFileStore()
    ticket = start_upload(OWNER, declare(), as_store(store), DEFAULT_POLICY, NOW)

    assert len(ticket.file_id) == 32
    assert ticket.key == f"{owner_prefix(OWNER)}{ticket.file_id}/To-khai-dang-ky-khai-sinh.pdf"
    assert OWNER not in ticket.key
    assert ticket.expires_at == NOW + timedelta(minutes=15)
    assert ticket.url == "https://files.example/"
    assert store.presigned == [(ticket.key, PDF, len(CONTENT), sha_b64(CONTENT), 900)]


def test_each_ticket_has_its_own_file_id() -> None:
    store = FakeFileStore()
    ids = {start_upload(OWNER, declare(), as_store(store), now=NOW).file_id for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (declare(size_bytes=10 * MiB + 1), "FILE_TOO_LARGE"),
        (declare(size_bytes=0), "FILE_EMPTY"),
        (declare(content_type="text/html", file_name="a.html"), "FILE_TYPE_NOT_ALLOWED"),
        (declare(file_name="a.exe"), "FILE_EXTENSION_MISMATCH"),
        (declare(sha256="abc"), "CHECKSUM_INVALID"),
    ],
)
def test_a_refused_declaration_gets_no_ticket(request_: UploadRequest, code: str) -> None:
    store = FakeFileStore()
    with pytest.raises(Unprocessable) as raised:
        start_upload(OWNER, request_, as_store(store), now=NOW)
    assert raised.value.code == code
    assert store.presigned == []


def test_start_upload_needs_an_owner() -> None:
    store = FakeFileStore()
    with pytest.raises(Forbidden) as raised:
        start_upload("", declare(), as_store(store), now=NOW)
    assert raised.value.code == "FILE_OWNER_REQUIRED"
    assert store.presigned == []


# =========================================================================== confirm_upload
def uploaded(
    store: FakeFileStore, body: bytes = CONTENT, content_type: str = PDF, request: UploadRequest | None = None
) -> tuple[str, str, UploadRequest]:
    """A ticket, then the browser's upload of ``body`` to it; returns file id, key and the declaration."""
    request = request or declare()
    ticket = start_upload(OWNER, request, as_store(store), now=NOW)
    store.put(ticket.key, body, content_type)
    return ticket.file_id, ticket.key, request


@pytest.mark.parametrize("reports_checksum", [True, False])
def test_confirm_upload_verifies_the_object(reports_checksum: bool) -> None:
    store = FakeFileStore(reports_checksum=reports_checksum)
    file_id, key, request = uploaded(store)

    stored = confirm_upload(OWNER, file_id, key, request, as_store(store), now=NOW)

    assert stored.status is FileStatus.VERIFIED
    assert stored.source is FileSource.UPLOAD
    assert stored.reused_from is None
    assert (stored.file_id, stored.key, stored.owner) == (file_id, key, OWNER)
    assert stored.file_name == "Tờ khai đăng ký khai sinh.pdf"
    assert stored.component_code == request.component_code
    assert (stored.size_bytes, stored.sha256, stored.content_type) == (len(CONTENT), sha_hex(CONTENT), PDF)
    assert stored.uploaded_at == NOW
    # The object is read only when S3 gave no checksum.
    assert store.digests == ([] if reports_checksum else [key])


@pytest.mark.parametrize("reports_checksum", [True, False])
def test_a_corrupted_upload_is_refused(reports_checksum: bool) -> None:
    store = FakeFileStore(reports_checksum=reports_checksum)
    corrupted = bytearray(CONTENT)
    corrupted[20] ^= 0xFF
    file_id, key, request = uploaded(store, body=bytes(corrupted))

    with pytest.raises(Unprocessable) as raised:
        confirm_upload(OWNER, file_id, key, request, as_store(store), now=NOW)
    assert raised.value.code == "FILE_CHECKSUM_MISMATCH"


def test_a_missing_object_is_not_uploaded() -> None:
    store = FakeFileStore()
    ticket = start_upload(OWNER, declare(), as_store(store), now=NOW)
    with pytest.raises(Unprocessable) as raised:
        confirm_upload(OWNER, ticket.file_id, ticket.key, declare(), as_store(store), now=NOW)
    assert raised.value.code == "FILE_NOT_UPLOADED"


def test_an_object_gone_before_its_digest_is_not_uploaded() -> None:
    store = FakeFileStore(reports_checksum=False)
    file_id, key, request = uploaded(store)
    real_digest = store.digest

    def vanished(key: str) -> str | None:
        store.objects.pop(key)
        return real_digest(key)

    store.digest = vanished  # type: ignore[method-assign]
    with pytest.raises(Unprocessable) as raised:
        confirm_upload(OWNER, file_id, key, request, as_store(store), now=NOW)
    assert raised.value.code == "FILE_NOT_UPLOADED"


def test_a_size_other_than_declared_is_refused() -> None:
    store = FakeFileStore()
    file_id, key, request = uploaded(store, body=CONTENT[:-10])
    with pytest.raises(Unprocessable) as raised:
        confirm_upload(OWNER, file_id, key, request, as_store(store), now=NOW)
    assert raised.value.code == "FILE_SIZE_MISMATCH"
    assert raised.value.details == {"declared": len(CONTENT), "stored": len(CONTENT) - 10}


def test_a_type_other_than_declared_is_refused() -> None:
    store = FakeFileStore()
    file_id, key, request = uploaded(store, content_type="text/html")
    with pytest.raises(Unprocessable) as raised:
        confirm_upload(OWNER, file_id, key, request, as_store(store), now=NOW)
    assert raised.value.code == "FILE_TYPE_MISMATCH"


def test_another_owners_key_is_forbidden() -> None:
    store = FakeFileStore()
    file_id, key, request = uploaded(store)
    with pytest.raises(Forbidden) as raised:
        confirm_upload(OTHER, file_id, key, request, as_store(store), now=NOW)
    assert raised.value.code == "FILE_NOT_OWNED"


@pytest.mark.parametrize(
    "key",
    [
        "dossiers/not-a-hash/abc/to-khai.pdf",
        "results/" + "0" * 64 + "/" + "0" * 32 + "/a.pdf",
        "",
    ],
)
def test_a_key_outside_the_owners_prefix_is_forbidden(key: str) -> None:
    with pytest.raises(Forbidden) as raised:
        confirm_upload(OWNER, "0" * 32, key, declare(), as_store(FakeFileStore()), now=NOW)
    assert raised.value.code == "FILE_NOT_OWNED"


def test_a_key_of_another_ticket_or_name_does_not_match() -> None:
    store = FakeFileStore()
    file_id, key, request = uploaded(store)
    other_id, other_key, _ = uploaded(store)
    cases = [
        (other_id, key, request),  # file id of another ticket
        (file_id, other_key, request),
        (file_id, key, declare(file_name="khac.pdf")),  # not the name the ticket was issued for
        ("not-a-file-id", key, request),
    ]
    for case_id, case_key, case_request in cases:
        with pytest.raises(Unprocessable) as raised:
            confirm_upload(OWNER, case_id, case_key, case_request, as_store(store), now=NOW)
        assert raised.value.code == "FILE_KEY_MISMATCH"


def test_confirm_rechecks_the_policy() -> None:
    store = FakeFileStore()
    file_id, key, request = uploaded(store)
    with pytest.raises(Unprocessable) as raised:
        confirm_upload(OWNER, file_id, key, request, as_store(store), UploadPolicy(max_bytes=100), NOW)
    assert raised.value.code == "FILE_TOO_LARGE"


def test_confirm_needs_an_owner() -> None:
    with pytest.raises(Forbidden) as raised:
        confirm_upload("", "0" * 32, "k", declare(), as_store(FakeFileStore()), now=NOW)
    assert raised.value.code == "FILE_OWNER_REQUIRED"


# =========================================================================== reuse_result
RESULT_KEY = f"{owner_prefix(OWNER)}{'a' * 32}/Giay-khai-sinh.pdf"
RESULT = b"%PDF-1.7 ban chinh giay khai sinh"


def with_result(**options: object) -> FakeFileStore:
    store = FakeFileStore(**options)  # type: ignore[arg-type]
    store.put(RESULT_KEY, RESULT, PDF)
    return store


@pytest.mark.parametrize("reports_checksum", [True, False])
def test_reuse_copies_the_result_and_records_where_it_came_from(reports_checksum: bool) -> None:
    store = with_result(reports_checksum=reports_checksum)

    stored = reuse_result(OWNER, DOSSIER, RESULT_KEY, "CP-01", as_store(store), now=NOW)

    assert stored.source is FileSource.REUSE
    assert stored.reused_from == DOSSIER
    assert stored.status is FileStatus.VERIFIED
    assert stored.key == f"{owner_prefix(OWNER)}{stored.file_id}/Giay-khai-sinh.pdf"
    assert stored.key != RESULT_KEY
    assert store.copies == [(RESULT_KEY, stored.key)]
    assert store.objects[stored.key].body == RESULT
    assert (stored.size_bytes, stored.sha256, stored.content_type) == (len(RESULT), sha_hex(RESULT), PDF)
    assert (stored.component_code, stored.file_name, stored.owner) == ("CP-01", "Giay-khai-sinh.pdf", OWNER)
    assert stored.uploaded_at == NOW


def test_a_copy_without_a_reported_checksum_is_uploaded_not_verified() -> None:
    store = with_result(copy_reports="none")
    stored = reuse_result(OWNER, DOSSIER, RESULT_KEY, "CP-01", as_store(store), now=NOW)
    assert stored.status is FileStatus.UPLOADED
    assert stored.sha256 == sha_hex(RESULT)


def test_a_result_that_changed_during_the_copy_is_a_conflict() -> None:
    store = with_result(copy_reports="other")
    with pytest.raises(Conflict) as raised:
        reuse_result(OWNER, DOSSIER, RESULT_KEY, "CP-01", as_store(store), now=NOW)
    assert raised.value.code == "RESULT_CHANGED"


def test_another_citizens_result_cannot_be_reused() -> None:
    store = with_result()
    with pytest.raises(Forbidden) as raised:
        reuse_result(OTHER, DOSSIER, RESULT_KEY, "CP-01", as_store(store), now=NOW)
    assert raised.value.code == "RESULT_NOT_OWNED"
    assert store.copies == []


def test_a_missing_result_is_not_found() -> None:
    store = FakeFileStore()
    with pytest.raises(NotFound) as raised:
        reuse_result(OWNER, DOSSIER, RESULT_KEY, "CP-01", as_store(store), now=NOW)
    assert raised.value.code == "RESULT_NOT_FOUND"
    assert store.copies == []


@pytest.mark.parametrize(
    ("dossier_code", "component_code", "code"),
    [
        ("not a code", "CP-01", "DOSSIER_CODE_INVALID"),
        ("H32.201-251120-0007\n", "CP-01", "DOSSIER_CODE_INVALID"),
        (DOSSIER, " ", "COMPONENT_CODE_INVALID"),
        (DOSSIER, "x" * 101, "COMPONENT_CODE_INVALID"),
    ],
)
def test_malformed_reuse_requests(dossier_code: str, component_code: str, code: str) -> None:
    store = with_result()
    with pytest.raises(BadRequest) as raised:
        reuse_result(OWNER, dossier_code, RESULT_KEY, component_code, as_store(store), now=NOW)
    assert raised.value.code == code
    assert store.copies == []


def test_reuse_needs_an_owner() -> None:
    with pytest.raises(Forbidden) as raised:
        reuse_result("", DOSSIER, RESULT_KEY, "CP-01", as_store(with_result()), now=NOW)
    assert raised.value.code == "FILE_OWNER_REQUIRED"
