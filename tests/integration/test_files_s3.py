"""Component files against moto's S3, in this process (no server, no Docker).

The browser's upload is a real multipart POST of the ticket's form with ``requests``: moto's ``mock_aws``
also intercepts ``requests`` calls to AWS hosts, so the form reaches moto's S3. moto does NOT enforce a POST
policy (content-length-range, Content-Type, checksum): those conditions are asserted on the signed policy
document, and what moto lets through is caught by ``confirm_upload`` — which is the point of confirming.
moto reports no SHA-256 on HEAD for a POSTed object, so these tests also exercise ``FileStore.digest``.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from motcua.errors import Forbidden, NotFound, Unprocessable
from motcua.files.model import (
    JPEG,
    PDF,
    FileSource,
    FileStatus,
    UploadTicket,
    object_key,
    owner_prefix,
)
from motcua.files.service import confirm_upload, reuse_result, start_upload
from motcua.files.store import FileStore
from motcua.settings import Settings
from tests.files_support import CONTENT, DOSSIER, OTHER, OWNER, declare, sha_b64, sha_hex

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-southeast-1"
BUCKET = "it-motcua-files"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=VN)


def _settings() -> Settings:
    unused = "http://127.0.0.1:9/unused"
    return Settings.model_validate(
        {
            "AWS_REGION": REGION,
            "CATALOGUE_TABLE": "it-unused-catalogue",
            "DOSSIERS_TABLE": "it-unused-dossiers",
            "IDEMPOTENCY_TABLE": "it-unused-idempotency",
            **{
                f"{realm}_{name}": unused
                for realm in ("CITIZEN", "OFFICER")
                for name in ("ISSUER", "AUDIENCE", "JWKS_URL")
            },
        }
    )


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from moto import mock_aws

    # An endpoint override (set by the local cloud) would send calls past moto's in-process mock.
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.setenv(name, REGION)
    with mock_aws():
        import boto3

        client: Any = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield client


@pytest.fixture
def store(s3: Any) -> FileStore:
    return FileStore(_settings(), BUCKET)  # builds its own client, lazily, inside the mock


def post_form(ticket: UploadTicket, body: bytes, content_type: str = PDF) -> int:
    """What the browser does: the ticket's fields, then the file, as multipart/form-data."""
    import requests

    response = requests.post(
        ticket.url, data=ticket.fields, files={"file": ("upload", body, content_type)}, timeout=10
    )
    return response.status_code


def keys(s3: Any) -> list[str]:
    return [obj["Key"] for obj in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


# ----------------------------------------------------------------------------- the ticket
def test_the_presigned_post_binds_key_type_length_and_checksum(store: FileStore) -> None:
    ticket = start_upload(OWNER, declare(), store, now=NOW)

    assert ticket.url == f"https://{BUCKET}.s3.{REGION}.amazonaws.com/"
    fields = ticket.fields
    assert (
        fields["key"] == ticket.key == f"{owner_prefix(OWNER)}{ticket.file_id}/To-khai-dang-ky-khai-sinh.pdf"
    )
    assert fields["Content-Type"] == PDF
    assert fields["x-amz-checksum-algorithm"] == "SHA256"
    assert fields["x-amz-checksum-sha256"] == sha_b64(CONTENT)
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"  # SigV4, not the legacy SigV2 form
    assert {"x-amz-credential", "x-amz-date", "x-amz-signature", "policy"} <= set(fields)

    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert {"Content-Type": PDF} in conditions
    assert ["content-length-range", 1, len(CONTENT)] in conditions
    assert {"x-amz-checksum-algorithm": "SHA256"} in conditions
    assert {"x-amz-checksum-sha256": sha_b64(CONTENT)} in conditions
    assert {"bucket": BUCKET} in conditions
    assert {"key": ticket.key} in conditions  # exactly this key, not a prefix
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(minutes=14) < expiration - datetime.now(expiration.tzinfo) <= timedelta(minutes=15)
    assert ticket.expires_at == NOW + timedelta(minutes=15)


def test_an_oversize_declaration_never_gets_a_ticket(store: FileStore, s3: Any) -> None:
    with pytest.raises(Unprocessable) as raised:
        start_upload(OWNER, declare(size_bytes=10 * 1024 * 1024 + 1), store, now=NOW)
    assert raised.value.code == "FILE_TOO_LARGE"
    assert keys(s3) == []


# ----------------------------------------------------------------------------- upload and confirm
def test_upload_through_the_ticket_then_confirm(store: FileStore, s3: Any) -> None:
    request = declare()
    ticket = start_upload(OWNER, request, store, now=NOW)
    assert post_form(ticket, CONTENT) in (200, 201, 204)

    stored = confirm_upload(OWNER, ticket.file_id, ticket.key, request, store, now=NOW)

    assert stored.status is FileStatus.VERIFIED
    assert stored.source is FileSource.UPLOAD
    assert (stored.key, stored.sha256, stored.size_bytes) == (ticket.key, sha_hex(CONTENT), len(CONTENT))
    assert keys(s3) == [ticket.key]


def test_confirm_uses_the_checksum_s3_reports(store: FileStore, s3: Any) -> None:
    """An object S3 stored with a SHA-256 checksum is confirmed from HEAD alone, without reading it."""
    request = declare()
    ticket = start_upload(OWNER, request, store, now=NOW)
    s3.put_object(Bucket=BUCKET, Key=ticket.key, Body=CONTENT, ContentType=PDF, ChecksumAlgorithm="SHA256")
    head = store.head(ticket.key)
    assert head is not None and head.sha256_b64 == sha_b64(CONTENT)

    reads: list[str] = []
    store.digest = reads.append  # type: ignore[assignment,method-assign]
    stored = confirm_upload(OWNER, ticket.file_id, ticket.key, request, store, now=NOW)
    assert stored.status is FileStatus.VERIFIED
    assert reads == []


def test_a_corrupted_upload_is_refused(store: FileStore) -> None:
    request = declare()
    ticket = start_upload(OWNER, request, store, now=NOW)
    corrupted = bytearray(CONTENT)
    corrupted[-1] ^= 0x01  # same size, one bit off
    post_form(ticket, bytes(corrupted))

    with pytest.raises(Unprocessable) as raised:
        confirm_upload(OWNER, ticket.file_id, ticket.key, request, store, now=NOW)
    assert raised.value.code == "FILE_CHECKSUM_MISMATCH"


def test_a_browser_sending_the_declared_checksum_with_other_bytes_is_refused(
    store: FileStore, s3: Any
) -> None:
    """The browser upload emulated with PutObject and the declared checksum: real S3 would refuse it
    (BadDigest); moto stores it, and the confirmation must still catch it."""
    request = declare()
    ticket = start_upload(OWNER, request, store, now=NOW)
    other = CONTENT[::-1]
    s3.put_object(Bucket=BUCKET, Key=ticket.key, Body=other, ContentType=PDF, ChecksumSHA256=sha_b64(CONTENT))

    with pytest.raises(Unprocessable) as raised:
        confirm_upload(OWNER, ticket.file_id, ticket.key, request, store, now=NOW)
    assert raised.value.code == "FILE_CHECKSUM_MISMATCH"


def test_more_bytes_than_declared_are_refused(store: FileStore) -> None:
    # Real S3 refuses this at the POST (content-length-range); moto does not, so confirm must.
    request = declare()
    ticket = start_upload(OWNER, request, store, now=NOW)
    post_form(ticket, CONTENT + b"extra")
    with pytest.raises(Unprocessable) as raised:
        confirm_upload(OWNER, ticket.file_id, ticket.key, request, store, now=NOW)
    assert raised.value.code == "FILE_SIZE_MISMATCH"


def test_another_content_type_is_refused(store: FileStore, s3: Any) -> None:
    request = declare()
    ticket = start_upload(OWNER, request, store, now=NOW)
    s3.put_object(Bucket=BUCKET, Key=ticket.key, Body=CONTENT, ContentType=JPEG)
    with pytest.raises(Unprocessable) as raised:
        confirm_upload(OWNER, ticket.file_id, ticket.key, request, store, now=NOW)
    assert raised.value.code == "FILE_TYPE_MISMATCH"


def test_confirming_before_uploading(store: FileStore) -> None:
    request = declare()
    ticket = start_upload(OWNER, request, store, now=NOW)
    with pytest.raises(Unprocessable) as raised:
        confirm_upload(OWNER, ticket.file_id, ticket.key, request, store, now=NOW)
    assert raised.value.code == "FILE_NOT_UPLOADED"


def test_confirming_someone_elses_upload_is_forbidden(store: FileStore) -> None:
    request = declare()
    ticket = start_upload(OWNER, request, store, now=NOW)
    post_form(ticket, CONTENT)
    with pytest.raises(Forbidden) as raised:
        confirm_upload(OTHER, ticket.file_id, ticket.key, request, store, now=NOW)
    assert raised.value.code == "FILE_NOT_OWNED"


# ----------------------------------------------------------------------------- reuse
RESULT = b"%PDF-1.7 trich luc khai sinh " * 50


def put_result(s3: Any, owner: str = OWNER) -> str:
    key = object_key(owner, "a" * 32, "Trích lục khai sinh.pdf")
    s3.put_object(Bucket=BUCKET, Key=key, Body=RESULT, ContentType=PDF)
    return key


def test_reuse_copies_the_result_and_records_it(store: FileStore, s3: Any) -> None:
    result_key = put_result(s3)

    stored = reuse_result(OWNER, DOSSIER, result_key, "000.00.00.G15-KQ003208", store, now=NOW)

    assert stored.source is FileSource.REUSE
    assert stored.reused_from == DOSSIER
    assert stored.status is FileStatus.VERIFIED  # S3 computed the copy's SHA-256 and it matched the source
    assert stored.key.startswith(owner_prefix(OWNER)) and stored.key != result_key
    assert stored.file_name == "Trich-luc-khai-sinh.pdf"
    assert (stored.sha256, stored.size_bytes, stored.content_type) == (sha_hex(RESULT), len(RESULT), PDF)
    copied = s3.get_object(Bucket=BUCKET, Key=stored.key)
    assert copied["Body"].read() == RESULT
    assert copied["ContentType"] == PDF
    assert sorted(keys(s3)) == sorted([result_key, stored.key])  # the source stays where it was


def test_another_citizens_result_is_not_copied(store: FileStore, s3: Any) -> None:
    result_key = put_result(s3, owner=OTHER)
    with pytest.raises(Forbidden) as raised:
        reuse_result(OWNER, DOSSIER, result_key, "CP-01", store, now=NOW)
    assert raised.value.code == "RESULT_NOT_OWNED"
    assert keys(s3) == [result_key]


def test_a_missing_result_is_not_found(store: FileStore, s3: Any) -> None:
    with pytest.raises(NotFound) as raised:
        reuse_result(OWNER, DOSSIER, object_key(OWNER, "b" * 32, "kq.pdf"), "CP-01", store, now=NOW)
    assert raised.value.code == "RESULT_NOT_FOUND"
    assert keys(s3) == []


# ----------------------------------------------------------------------------- the store on its own
def test_missing_objects(store: FileStore) -> None:
    key = object_key(OWNER, "c" * 32, "x.pdf")
    assert store.head(key) is None
    assert store.digest(key) is None
    with pytest.raises(NotFound) as raised:
        store.copy(key, object_key(OWNER, "d" * 32, "x.pdf"))
    assert raised.value.code == "FILE_NOT_FOUND"


def test_importing_the_files_package_does_not_import_boto3() -> None:
    # The API imports the service and the model at cold start: neither may pull in the AWS SDK. The store
    # keeps its file records with PynamoDB (which brings botocore, like every store) but creates its S3
    # client, and so imports boto3, on first use only.
    def imported(modules: str) -> set[str]:
        code = f"import sys, {modules}; print(' '.join(sorted({{'boto3', 'botocore'}} & set(sys.modules))))"
        env = {"PYTHONPATH": f"{ROOT / 'layers/core/python'}:{ROOT}"}
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
        )
        return set(run.stdout.split())

    assert imported("motcua.files.service, motcua.files.model") == set()
    assert "boto3" not in imported("motcua.files.store")
