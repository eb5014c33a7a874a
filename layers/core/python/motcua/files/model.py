"""Component files as plain data, the upload policy and its check, and the object-key scheme. No I/O here.

Object keys are ``dossiers/{owner_hash}/{file_id}/{safe_file_name}``: the owner appears only as a SHA-256
of their subject, and the file name is reduced to ASCII letters, digits, ``-`` and ``_`` (no personal data
or path tricks in keys). Ownership of an object is decided by that prefix alone.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from motcua.errors import Unprocessable

MiB = 1024 * 1024
KEY_ROOT = "dossiers"
UPLOAD_TTL_SECONDS = 15 * 60

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_FILE_ID = re.compile(r"^[0-9a-f]{32}$")
_KEY = re.compile(
    rf"^{KEY_ROOT}/(?P<owner>[0-9a-f]{{64}})/(?P<file_id>[0-9a-f]{{32}})/(?P<name>[A-Za-z0-9_-][A-Za-z0-9._-]{{0,119}})$"
)
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_STEM_MAX = 100
_EXT_MAX = 10


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class FileStatus(StrEnum):
    UPLOADED = "UPLOADED"  # the object is there; its checksum was not confirmed
    VERIFIED = "VERIFIED"  # size, type and SHA-256 confirmed against what S3 holds


class FileSource(StrEnum):
    UPLOAD = "UPLOAD"  # sent by the citizen
    REUSE = "REUSE"  # an earlier result the state already holds (ND 107/2021; a QĐ 766 indicator)
    RESULT = "RESULT"  # an electronic result issued to the applicant (kết quả giải quyết điện tử)


class UploadPolicy(_Model):
    """What may be uploaded: a size limit and, per content type, the file-name extensions that go with it."""

    max_bytes: int = Field(10 * MiB, gt=0)
    allowed: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: {
            PDF: ("pdf",),
            JPEG: ("jpg", "jpeg"),
            PNG: ("png",),
            DOCX: ("docx",),
            XLSX: ("xlsx",),
        },
        description="content type -> allowed extensions (lower case, without the dot)",
    )


DEFAULT_POLICY = UploadPolicy()


class UploadRequest(_Model):
    """What the client declares before uploading. ``sha256`` is checked by :func:`check_upload` (not here)
    so that a malformed checksum gets its own stable code."""

    component_code: str = Field(min_length=1, max_length=100)
    file_name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=255)
    size_bytes: int = Field(ge=0)
    sha256: str = Field(max_length=128, description="SHA-256 of the content, 64 lower-case hex characters")


class UploadTicket(_Model):
    """Where and how the browser POSTs the file: a multipart form of ``fields`` plus ``file``, to ``url``."""

    file_id: str
    key: str
    url: str
    fields: dict[str, str]
    expires_at: datetime


class StoredFile(_Model):
    file_id: str
    owner: str = Field(description="subject of the citizen account that owns the file")
    component_code: str
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str = Field(description="64 lower-case hex characters")
    key: str
    status: FileStatus
    uploaded_at: datetime
    source: FileSource = FileSource.UPLOAD
    reused_from: str | None = Field(None, description="code of the dossier whose result is reused")


class PresignedPost(_Model):
    url: str
    fields: dict[str, str]


class ObjectHead(_Model):
    """What S3 says of a stored object. ``sha256_b64`` is the base64 SHA-256 of the whole object, or None
    when S3 reported none (the store may then compute it; see ``FileStore.digest``)."""

    size_bytes: int
    content_type: str
    sha256_b64: str | None = None


# --------------------------------------------------------------------------- checks
def extension_of(file_name: str) -> str:
    """The lower-case extension of a file name, without the dot ('' when there is none)."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    _stem, dot, ext = base.rpartition(".")
    return ext.strip().lower() if dot and ext.strip() else ""


def check_upload(request: UploadRequest, policy: UploadPolicy = DEFAULT_POLICY) -> None:
    """Refuse, before any ticket is issued, what the policy does not allow."""
    if not _SHA256_HEX.fullmatch(request.sha256):
        raise Unprocessable(
            "Mã kiểm tra SHA-256 của tệp không hợp lệ (cần 64 ký tự thập lục phân viết thường).",
            code="CHECKSUM_INVALID",
        )
    if request.size_bytes <= 0:
        raise Unprocessable("Tệp rỗng, không có nội dung.", code="FILE_EMPTY")
    if request.size_bytes > policy.max_bytes:
        raise Unprocessable(
            f"Tệp vượt quá dung lượng cho phép ({_size_vi(policy.max_bytes)}).",
            code="FILE_TOO_LARGE",
            max_bytes=policy.max_bytes,
        )
    extensions = policy.allowed.get(request.content_type)
    if extensions is None:
        raise Unprocessable(
            "Loại tệp không được chấp nhận; chỉ nhận tệp PDF, JPEG, PNG, Word (.docx) hoặc Excel (.xlsx).",
            code="FILE_TYPE_NOT_ALLOWED",
            allowed=sorted(policy.allowed),
        )
    if extension_of(request.file_name) not in extensions:
        raise Unprocessable(
            "Phần mở rộng của tên tệp không khớp với loại tệp (cần: "
            + ", ".join(f".{ext}" for ext in extensions)
            + ").",
            code="FILE_EXTENSION_MISMATCH",
            allowed=list(extensions),
        )


def _size_vi(size: int) -> str:
    return f"{size // MiB} MB" if size % MiB == 0 else f"{size} byte"


# --------------------------------------------------------------------------- keys and checksums
def owner_hash(owner: str) -> str:
    return hashlib.sha256(owner.encode("utf-8")).hexdigest()


def owner_prefix(owner: str) -> str:
    return f"{KEY_ROOT}/{owner_hash(owner)}/"


def safe_file_name(file_name: str) -> str:
    """An ASCII, key-safe version of a file name: 'Giấy khai sinh (bản sao).PDF' -> 'Giay-khai-sinh-ban-sao.pdf'."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1].replace("đ", "d").replace("Đ", "D")
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem, dot, ext = ascii_name.rpartition(".")
    if not dot:
        stem, ext = ascii_name, ""
    stem = _UNSAFE.sub("-", stem).strip("-_")[:_STEM_MAX].strip("-_") or "tep"
    ext = re.sub(r"[^a-z0-9]", "", ext.lower())[:_EXT_MAX]
    return f"{stem}.{ext}" if ext else stem


def object_key(owner: str, file_id: str, file_name: str) -> str:
    return f"{owner_prefix(owner)}{file_id}/{safe_file_name(file_name)}"


def is_file_id(value: str) -> bool:
    return bool(_FILE_ID.fullmatch(value))


def owns_key(owner: str, key: str) -> bool:
    """True when ``key`` is a well-formed object key under this owner's prefix."""
    match = _KEY.fullmatch(key)
    return match is not None and match["owner"] == owner_hash(owner)


def key_file_name(key: str) -> str:
    """The (safe) file name at the end of an object key."""
    return key.rsplit("/", 1)[-1]


def sha256_hex_to_b64(sha256_hex: str) -> str:
    """The form S3 uses for ``x-amz-checksum-sha256``: base64 of the 32 raw bytes."""
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")


def sha256_b64_to_hex(sha256_b64: str) -> str:
    return base64.b64decode(sha256_b64).hex()
