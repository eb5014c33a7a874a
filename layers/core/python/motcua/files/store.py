"""The files bucket: the only module that talks to S3 about component files.

Access patterns (all on one object key, never a listing):
- presigned POST of one key, bound to its content type, its size and its SHA-256 (the browser uploads);
- HeadObject with ``ChecksumMode=ENABLED`` (what S3 stored: size, type, SHA-256);
- GetObject, streamed, only when S3 reported no SHA-256 (S3-compatible stores, moto): ``digest``;
- CopyObject within the bucket (reuse of an earlier result);
and the record of each confirmed file (``StoredFile``) in the dossiers table, pk=F#{file_id} sk=META: what
intake checks before linking a file to a dossier's component (GetItem on the key, never a listing).

boto3 is imported on first use, so importing this module stays cheap (cold-start rule, docs/decisions.md D16).
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from motcua.dynamo import bind
from motcua.errors import NotFound
from motcua.files.model import ObjectHead, PresignedPost, StoredFile
from motcua.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

_CHUNK = 256 * 1024
_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


class FileItem(Model):
    """A confirmed file's record, in the dossiers table (docs/data-model.md)."""

    class Meta:
        table_name: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    body = UnicodeAttribute()


class FileStore:
    def __init__(self, settings: Settings, bucket: str, s3_client: S3Client | None = None) -> None:
        self._settings = settings
        self.bucket = bucket
        self._client = s3_client
        bind(FileItem, settings.dossiers_table, settings)

    # ------------------------------------------------------------------ records
    def save(self, record: StoredFile) -> None:
        FileItem(f"F#{record.file_id}", "META", body=record.model_dump_json()).save()

    def get(self, file_id: str) -> StoredFile | None:
        try:
            item = FileItem.get(f"F#{file_id}", "META", consistent_read=True)
        except FileItem.DoesNotExist:
            return None
        return StoredFile.model_validate_json(item.body)

    @property
    def client(self) -> S3Client:
        if self._client is None:
            import boto3  # lazily: only the file routes need S3
            from botocore.config import Config

            endpoint = self._settings.aws_endpoint_url
            self._client = boto3.client(
                "s3",
                region_name=self._settings.region,
                endpoint_url=endpoint,
                # SigV4 POST policies; the regional virtual-host URL on AWS, path style on a local endpoint.
                config=Config(
                    signature_version="s3v4", s3={"addressing_style": "path" if endpoint else "virtual"}
                ),
            )
        return self._client

    def presign_post(
        self, key: str, content_type: str, size_bytes: int, sha256_b64: str, expires_in: int
    ) -> PresignedPost:
        """A POST form for exactly this key, that S3 accepts only with this content type, at most
        ``size_bytes`` bytes, and content whose SHA-256 is ``sha256_b64`` (S3 verifies the checksum field)."""
        fields = {
            "Content-Type": content_type,
            "x-amz-checksum-algorithm": "SHA256",
            "x-amz-checksum-sha256": sha256_b64,
        }
        conditions: list[Any] = [
            {"Content-Type": content_type},
            ["content-length-range", 1, size_bytes],
            {"x-amz-checksum-algorithm": "SHA256"},
            {"x-amz-checksum-sha256": sha256_b64},
        ]
        post = self.client.generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in
        )
        return PresignedPost(
            url=post["url"], fields={name: str(value) for name, value in post["fields"].items()}
        )

    def head(self, key: str) -> ObjectHead | None:
        """Size, content type and full-object SHA-256 of the object, or None when there is no such object."""
        try:
            response = self.client.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        checksum: str | None = response.get("ChecksumSHA256") or None
        if checksum and (response.get("ChecksumType") == "COMPOSITE" or "-" in checksum):
            checksum = None  # a checksum of part checksums (multipart): not the content's SHA-256
        return ObjectHead(
            size_bytes=response["ContentLength"],
            content_type=response.get("ContentType", ""),
            sha256_b64=checksum,
        )

    def digest(self, key: str) -> str | None:
        """The base64 SHA-256 of the object's content, read in chunks; None when there is no such object.

        The fallback when S3 reports no checksum. User metadata is not a fallback: it is the uploader's
        own claim, not something the store verified."""
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except self.client.exceptions.NoSuchKey:
            return None
        sha = hashlib.sha256()
        try:
            for chunk in body.iter_chunks(_CHUNK):
                sha.update(chunk)
        finally:
            body.close()
        return base64.b64encode(sha.digest()).decode("ascii")

    def presign_get(self, key: str, expires_in: int) -> str:
        """A short-lived download link for one object (the applicant's result)."""
        return str(
            self.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_in
            )
        )

    def copy(self, src_key: str, dst_key: str) -> str | None:
        """Copy within the bucket (content type and metadata kept); the copy's base64 SHA-256 as S3
        computed it, or None if S3 did not report one."""
        try:
            response = self.client.copy_object(
                Bucket=self.bucket,
                Key=dst_key,
                CopySource={"Bucket": self.bucket, "Key": src_key},
                MetadataDirective="COPY",
                ChecksumAlgorithm="SHA256",
            )
        except self.client.exceptions.NoSuchKey as error:
            raise NotFound("Không tìm thấy tệp.", code="FILE_NOT_FOUND") from error
        return response.get("CopyObjectResult", {}).get("ChecksumSHA256")
