"""What the dossier's printed forms say (TT 03/2025 Phụ lục I), as plain data for ``motcua.forms.pdf``. Pure.

Mẫu 01 (receipt and appointment slip) is ``web.views.ReceiptSlip``; Mẫu 02 (completion request), Mẫu 03
(refusal to receive) and Mẫu 04 (apology with a new appointment) are built here from the dossier and what the
desk or the officer recorded. Officers are named by their account; names come with the accounts directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from motcua.dossiers.model import Dossier
from motcua.errors import NotFound
from motcua.forms.pdf import FORM_RENDERERS

FORMS = tuple(FORM_RENDERERS)  # the forms a dossier prints, by the names the API serves them under


def completion_request(dossier: Dossier, procedure_name: str, agency_name: str) -> dict[str, Any]:
    """Mẫu 02: everything the applicant must supply or correct, listed at once."""
    request = dossier.supplement
    if request is None:
        raise NotFound("Hồ sơ không có phiếu yêu cầu bổ sung.", code="FORM_NOT_ISSUED", form="mau-02")
    return {
        "agency_name": agency_name,
        "dossier_code": dossier.code,
        "applicant_name": dossier.applicant.name,
        "procedure_name": procedure_name,
        "requested_at": request.requested_at.isoformat(),
        "items": [{"name": item.name, "reason": item.reason} for item in request.items],
        "note": request.note,
        "officer": request.requested_by,
    }


def apology(dossier: Dossier, procedure_name: str, agency_name: str) -> dict[str, Any]:
    """Mẫu 04: why the result is late and the new appointment."""
    sent = dossier.apology
    if sent is None:
        raise NotFound("Hồ sơ không có văn bản xin lỗi.", code="FORM_NOT_ISSUED", form="mau-04")
    return {
        "agency_name": agency_name,
        "dossier_code": dossier.code,
        "applicant_name": dossier.applicant.name,
        "procedure_name": procedure_name,
        "received_at": dossier.received_at.isoformat(),
        "original_due": dossier.due_at.isoformat(),
        "new_due": sent.new_due_at.isoformat(),
        "sent_at": sent.sent_at.isoformat(),
        "reason": sent.reason,
        "signer": sent.sent_by,
    }


def refusal(
    agency_name: str,
    applicant_name: str,
    procedure_name: str,
    reasons: Sequence[str],
    refused_at: datetime,
    officer: str,
) -> dict[str, Any]:
    """Mẫu 03: the desk refuses to receive, with its reasons (no dossier is created)."""
    return {
        "agency_name": agency_name,
        "applicant_name": applicant_name,
        "procedure_name": procedure_name,
        "reasons": list(reasons),
        "refused_at": refused_at.isoformat(),
        "officer": officer,
    }
