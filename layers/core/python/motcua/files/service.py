"""Component-file use cases: issue an upload ticket, confirm the upload against what S3 holds, and reuse a
citizen's earlier result (ND 107/2021) instead of asking for it again.

The store arrives as an argument, so unit tests pass a fake. The browser uploads straight to S3 with the
ticket; nothing here ever handles the file's bytes except ``FileStore.digest`` when S3 reports no checksum.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from motcua import clock
from motcua.dossiers.codes import is_dossier_code
from motcua.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from motcua.files.model import (
    DEFAULT_POLICY,
    UPLOAD_TTL_SECONDS,
    FileSource,
    FileStatus,
    StoredFile,
    UploadPolicy,
    UploadRequest,
    UploadTicket,
    check_upload,
    is_file_id,
    key_file_name,
    object_key,
    owns_key,
    sha256_b64_to_hex,
    sha256_hex_to_b64,
)

if TYPE_CHECKING:  # the store arrives as an argument; importing it here would only slow cold starts
    from motcua.dossiers.store import DossierStore
    from motcua.files.store import FileStore
    from motcua.web.auth import Principal


def start_upload(
    owner: str,
    request: UploadRequest,
    store: FileStore,
    policy: UploadPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
) -> UploadTicket:
    """Check the declared file against the policy, then issue a presigned POST bound to its key, content
    type, size and SHA-256, valid for 15 minutes. Nothing is written: an unused ticket leaves no trace."""
    _require_owner(owner)
    check_upload(request, policy)
    file_id = uuid.uuid4().hex
    key = object_key(owner, file_id, request.file_name)
    post = store.presign_post(
        key, request.content_type, request.size_bytes, sha256_hex_to_b64(request.sha256), UPLOAD_TTL_SECONDS
    )
    moment = now or clock.now()
    return UploadTicket(
        file_id=file_id,
        key=key,
        url=post.url,
        fields=post.fields,
        expires_at=moment + timedelta(seconds=UPLOAD_TTL_SECONDS),
    )


def confirm_upload(
    owner: str,
    file_id: str,
    key: str,
    request: UploadRequest,
    store: FileStore,
    policy: UploadPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
) -> StoredFile:
    """The uploaded object as a verified component file, once its size, type and SHA-256 are what the
    client declared (``request`` is the same declaration that obtained the ticket)."""
    _require_owner(owner)
    if not owns_key(owner, key):
        raise Forbidden("Tệp này không thuộc tài khoản của bạn.", code="FILE_NOT_OWNED")
    check_upload(request, policy)
    if not is_file_id(file_id) or key != object_key(owner, file_id, request.file_name):
        raise Unprocessable("Tệp cần xác nhận không khớp với phiếu tải lên đã cấp.", code="FILE_KEY_MISMATCH")
    head = store.head(key)
    if head is None:
        raise Unprocessable(
            "Chưa nhận được tệp; vui lòng tải tệp lên trước khi xác nhận.", code="FILE_NOT_UPLOADED"
        )
    if head.size_bytes != request.size_bytes:
        raise Unprocessable(
            "Dung lượng tệp đã tải lên khác với dung lượng đã khai báo.",
            code="FILE_SIZE_MISMATCH",
            declared=request.size_bytes,
            stored=head.size_bytes,
        )
    if head.content_type != request.content_type:
        raise Unprocessable(
            "Loại tệp đã tải lên khác với loại tệp đã khai báo.",
            code="FILE_TYPE_MISMATCH",
            declared=request.content_type,
            stored=head.content_type,
        )
    # The size is now known to be within the policy, so reading the object when S3 gave no checksum is bounded.
    checksum = head.sha256_b64 or store.digest(key)
    if checksum is None:
        raise Unprocessable(
            "Chưa nhận được tệp; vui lòng tải tệp lên trước khi xác nhận.", code="FILE_NOT_UPLOADED"
        )
    if checksum != sha256_hex_to_b64(request.sha256):
        raise Unprocessable(
            "Nội dung tệp đã tải lên không khớp mã kiểm tra SHA-256 đã khai báo; vui lòng tải lên lại.",
            code="FILE_CHECKSUM_MISMATCH",
        )
    return StoredFile(
        file_id=file_id,
        owner=owner,
        component_code=request.component_code,
        file_name=request.file_name,
        content_type=request.content_type,
        size_bytes=request.size_bytes,
        sha256=request.sha256,
        key=key,
        status=FileStatus.VERIFIED,
        uploaded_at=now or clock.now(),
        source=FileSource.UPLOAD,
    )


def reuse_result(
    owner: str,
    source_dossier_code: str,
    result_key: str,
    component_code: str,
    store: FileStore,
    now: datetime | None = None,
    source_owner: str | None = None,
) -> StoredFile:
    """Copy an earlier result of the same owner into a new component file (source REUSE, reused from the
    dossier that produced it), so the citizen does not submit again what the state already issued.

    ``result_key`` must come from the source dossier's own record, not from the client: this function
    re-checks ownership by key prefix but cannot know which dossier produced which object."""
    _require_owner(owner)
    if not is_dossier_code(source_dossier_code):
        raise BadRequest("Mã hồ sơ không hợp lệ.", code="DOSSIER_CODE_INVALID")
    if not component_code.strip() or len(component_code) > 100:
        raise BadRequest("Mã thành phần hồ sơ không hợp lệ.", code="COMPONENT_CODE_INVALID")
    # ``source_owner``: the owner the source dossier's files are filed under (a desk dossier's applicant is
    # ``ID#…``), when the caller has already checked that the dossier is this owner's.
    if not owns_key(source_owner or owner, result_key):
        raise Forbidden("Chỉ được dùng lại kết quả giải quyết của chính mình.", code="RESULT_NOT_OWNED")
    head = store.head(result_key)
    checksum = None if head is None else head.sha256_b64 or store.digest(result_key)
    if head is None or checksum is None:
        raise NotFound("Không tìm thấy kết quả cần dùng lại.", code="RESULT_NOT_FOUND")
    file_id = uuid.uuid4().hex
    file_name = key_file_name(result_key)
    key = object_key(owner, file_id, file_name)
    copied = store.copy(result_key, key)
    if copied is not None and copied != checksum:
        raise Conflict(
            "Kết quả nguồn vừa thay đổi trong lúc sao chép; vui lòng thử lại.", code="RESULT_CHANGED"
        )
    return StoredFile(
        file_id=file_id,
        owner=owner,
        component_code=component_code,
        file_name=file_name,
        content_type=head.content_type,
        size_bytes=head.size_bytes,
        sha256=sha256_b64_to_hex(checksum),
        key=key,
        status=FileStatus.VERIFIED if copied is not None else FileStatus.UPLOADED,
        uploaded_at=now or clock.now(),
        source=FileSource.REUSE,
        reused_from=source_dossier_code,
    )


def _require_owner(owner: str) -> None:
    if not owner:
        raise Forbidden("Cần đăng nhập bằng tài khoản công dân để quản lý tệp.", code="FILE_OWNER_REQUIRED")


# --------------------------------------------------------------------------- the API's use cases
class ConfirmUpload(UploadRequest):
    """The confirmation after the browser's POST to S3: the ticket's key and the same declaration."""

    key: str = Field(min_length=1, max_length=1024)


class ReuseResult(BaseModel):
    """Reuse a file of one of my earlier dossiers for a new dossier's component (ND 107/2021)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source_dossier_code: str = Field(min_length=1, max_length=40)
    file_id: str = Field(min_length=1, max_length=64)
    component_code: str = Field(min_length=1, max_length=100)


def ticket(principal: Principal, request: UploadRequest, store: FileStore) -> UploadTicket:
    return start_upload(principal.subject, request, store)


def confirm(principal: Principal, file_id: str, request: ConfirmUpload, store: FileStore) -> StoredFile:
    """Verify the upload against S3 and record it; only a recorded file can be linked to a dossier."""
    declared = UploadRequest(**request.model_dump(exclude={"key"}))
    stored = confirm_upload(principal.subject, file_id, request.key, declared, store)
    store.save(stored)
    return stored


def reuse(principal: Principal, request: ReuseResult, dossiers: DossierStore, store: FileStore) -> StoredFile:
    """Copy an issued result (or a verified file) of the applicant's own earlier dossier into a new component
    file, recorded as reuse. The key comes from the file's record, never from the client."""
    from motcua.dossiers.service import view

    source, _timeline = view(principal, request.source_dossier_code, dossiers)  # 404 unless theirs
    held = request.file_id == source.result_file_id or any(
        c.file_id == request.file_id for c in source.components
    )
    record = store.get(request.file_id) if held else None
    if record is None:
        raise NotFound("Không tìm thấy tệp trong hồ sơ này.", code="RESULT_NOT_FOUND")
    reused = reuse_result(
        principal.subject, source.code, record.key, request.component_code, store, source_owner=record.owner
    )
    store.save(reused)
    return reused


def issue_result_file(dossier_code: str, applicant: str, signed: StoredFile, store: FileStore) -> StoredFile:
    """File the signed result the approver attached under the applicant's prefix, as their electronic result.
    The new file's id is derived from the dossier, so issuing twice files one result."""
    import hashlib

    file_id = hashlib.sha256(f"result:{dossier_code}:{signed.file_id}".encode()).hexdigest()[:32]
    key = object_key(applicant, file_id, signed.file_name)
    existing = store.get(file_id)
    if existing is not None:
        return existing
    copied = store.copy(signed.key, key)
    if copied is not None and copied != sha256_hex_to_b64(signed.sha256):
        raise Conflict("Tệp kết quả vừa thay đổi trong lúc cấp; vui lòng thử lại.", code="RESULT_CHANGED")
    issued = signed.model_copy(
        update={
            "file_id": file_id,
            "owner": applicant,
            "key": key,
            "source": FileSource.RESULT,
            "reused_from": None,
            "uploaded_at": clock.now(),
        }
    )
    store.save(issued)
    return issued


RESULT_LINK_SECONDS = 300


def result_link(
    principal: Principal, code: str, dossiers: DossierStore, store: FileStore
) -> tuple[StoredFile, str]:
    """A five-minute download link to the dossier's electronic result, for whoever may read the dossier."""
    from motcua.dossiers.service import view

    dossier, _timeline = view(principal, code, dossiers)
    record = store.get(dossier.result_file_id) if dossier.result_file_id else None
    if record is None:
        raise NotFound("Hồ sơ chưa có kết quả điện tử.", code="RESULT_NOT_ISSUED")
    return record, store.presign_get(record.key, RESULT_LINK_SECONDS)


def verified_files(owner: str, links: dict[str, str], store: FileStore) -> dict[str, StoredFile]:
    """The files a new dossier links to its components (``{file_id: component_code}``), each checked: it
    exists, it belongs to ``owner`` (the applicant online, the desk officer who digitised it), it is
    verified and it was uploaded for that component."""
    found: dict[str, StoredFile] = {}
    for file_id, component_code in links.items():
        record = store.get(file_id) if is_file_id(file_id) else None
        if record is None or record.owner != owner:
            raise Unprocessable(
                "Tệp đính kèm không tồn tại hoặc không thuộc tài khoản này.",
                code="FILE_NOT_FOUND",
                file_id=file_id,
            )
        if record.status is not FileStatus.VERIFIED:
            raise Unprocessable("Tệp đính kèm chưa được xác nhận.", code="FILE_NOT_VERIFIED", file_id=file_id)
        if record.component_code != component_code:
            raise Unprocessable(
                "Tệp đính kèm được tải lên cho thành phần hồ sơ khác.",
                code="FILE_COMPONENT_MISMATCH",
                file_id=file_id,
            )
        found[file_id] = record
    return found
