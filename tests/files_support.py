"""What the file tests share: who owns what, a PDF's bytes, its checksums and the declaration of its upload."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from motcua.files.model import UploadRequest

PDF = "application/pdf"
OWNER = "citizen-lan-0001"
OTHER = "citizen-binh-0002"
DOSSIER = "H32.201-251120-0007"
CONTENT = b"%PDF-1.7\n" + bytes(range(256)) * 40


def sha_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def declare(data: bytes = CONTENT, **changes: Any) -> UploadRequest:
    fields: dict[str, Any] = {
        "component_code": "000.00.00.G15-KQ003208",
        "file_name": "Tờ khai đăng ký khai sinh.pdf",
        "content_type": PDF,
        "size_bytes": len(data),
        "sha256": sha_hex(data),
    }
    fields.update(changes)
    return UploadRequest.model_validate(fields)
