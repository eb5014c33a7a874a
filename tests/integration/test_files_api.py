"""Component files through the API: a presigned upload, its confirmation against S3, linking it to a
dossier's component, and reusing a file of an earlier dossier (recorded as reuse)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from tests.integration.conftest import FILES_BUCKET, REGION, REQUIRED_COMPONENT, Motcua

CONTENT = b"%PDF-1.7\n% to khai dang ky khai sinh\n"


def _declared(component: str = REQUIRED_COMPONENT, content: bytes = CONTENT, **extra: Any) -> dict[str, Any]:
    return {
        "component_code": component,
        "file_name": "tờ khai khai sinh.pdf",
        "content_type": "application/pdf",
        "size_bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        **extra,
    }


def _upload(
    motcua: Motcua,
    token: str,
    content: bytes = CONTENT,
    sent: bytes | None = None,
    component: str = REQUIRED_COMPONENT,
) -> Any:
    """Ticket, the browser's upload (emulated with PutObject and the same checksum header), confirmation."""
    import boto3

    declared = _declared(component=component, content=content)
    ticket = motcua.call("POST", "/v1/uploads", token, declared)
    assert ticket.status == 201, ticket.body
    assert (
        ticket.body["fields"]["x-amz-checksum-sha256"]
        == base64.b64encode(hashlib.sha256(content).digest()).decode()
    )
    body = sent if sent is not None else content
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=FILES_BUCKET, Key=ticket.body["key"], Body=body, ContentType="application/pdf"
    )
    return motcua.call(
        "POST",
        f"/v1/uploads/{ticket.body['file_id']}/confirmation",
        token,
        {**declared, "key": ticket.body["key"]},
    )


def _submit_with(motcua: Motcua, file_id: str, token: str | None = None) -> Any:
    return motcua.submit(
        token=token, components=[{"code": REQUIRED_COMPONENT, "file_name": "to-khai.pdf", "file_id": file_id}]
    )


def test_an_uploaded_file_is_verified_and_linked_to_the_dossiers_component(motcua: Motcua) -> None:
    confirmed = _upload(motcua, motcua.citizen())
    assert confirmed.status == 200, confirmed.body
    assert confirmed.body["status"] == "VERIFIED" and confirmed.body["source"] == "UPLOAD"
    assert "key" not in confirmed.body
    created = _submit_with(motcua, confirmed.body["file_id"])
    assert created.status == 201, created.body
    from motcua import runtime

    dossier = runtime.dossier_store().get(created.body["code"])
    assert dossier is not None
    (component,) = dossier.components
    assert (component.file_id, component.source) == (confirmed.body["file_id"], "UPLOAD")
    assert component.sha256 == hashlib.sha256(CONTENT).hexdigest()


def test_a_corrupted_upload_is_refused_and_cannot_be_linked(motcua: Motcua) -> None:
    confirmed = _upload(
        motcua, motcua.citizen(), sent=b"%PDF-1.7\n% something else, same size!!\n"[: len(CONTENT)]
    )
    assert confirmed.status == 422 and confirmed.body["error"]["code"] == "FILE_CHECKSUM_MISMATCH"


def test_declared_files_outside_the_policy_get_no_ticket(motcua: Motcua) -> None:
    token = motcua.citizen()
    big = motcua.call("POST", "/v1/uploads", token, _declared(size_bytes=50 * 1024 * 1024))
    exe = motcua.call("POST", "/v1/uploads", token, _declared(content_type="application/x-msdownload"))
    assert big.status == 422 and big.body["error"]["code"] == "FILE_TOO_LARGE"
    assert exe.status == 422 and exe.body["error"]["code"] == "FILE_TYPE_NOT_ALLOWED"


def test_someone_elses_file_cannot_be_linked_and_nothing_is_written(motcua: Motcua) -> None:
    theirs = _upload(motcua, motcua.citizen(sub="citizen-minh-0002", id_number="079088001234"))
    assert theirs.status == 200
    refused = _submit_with(motcua, theirs.body["file_id"])
    assert refused.status == 422 and refused.body["error"]["code"] == "FILE_NOT_FOUND"
    assert motcua.workflow.started == []


def test_a_file_of_an_earlier_dossier_is_reused_and_recorded_as_reuse(motcua: Motcua) -> None:
    token = motcua.citizen()
    earlier_file = _upload(motcua, token).body["file_id"]
    earlier = _submit_with(motcua, earlier_file).body["code"]
    reused = motcua.call(
        "POST",
        "/v1/uploads/reuse",
        token,
        {"source_dossier_code": earlier, "file_id": earlier_file, "component_code": REQUIRED_COMPONENT},
    )
    assert reused.status == 201, reused.body
    assert reused.body["source"] == "REUSE" and reused.body["reused_from"] == earlier
    assert reused.body["file_id"] != earlier_file
    created = _submit_with(motcua, reused.body["file_id"])
    assert created.status == 201, created.body
    from motcua import runtime

    dossier = runtime.dossier_store().get(created.body["code"])
    assert dossier is not None
    assert (dossier.components[0].source, dossier.components[0].reused_from) == ("REUSE", earlier)
    # another citizen cannot reuse it: the earlier dossier is not theirs (same 404 as none)
    stranger = motcua.call(
        "POST",
        "/v1/uploads/reuse",
        motcua.citizen(sub="citizen-minh-0002", id_number="079088001234"),
        {"source_dossier_code": earlier, "file_id": earlier_file, "component_code": REQUIRED_COMPONENT},
    )
    assert stranger.status == 404


SIGNED = b"%PDF-1.7\n% Trich luc khai sinh (ban dien tu, da ky so)\n"


def test_the_signed_result_is_issued_to_the_applicant_downloaded_and_reused(motcua: Motcua) -> None:
    # Given the approver attached the signed electronic result to the approval
    code = motcua.submitted()
    motcua.start(code)
    assert motcua.decide(code, motcua.officer(), "FORWARD").status == 200
    motcua.resume(code)
    approver = motcua.approver()
    signed = _upload(motcua, approver, content=SIGNED, component="RESULT")
    assert signed.status == 200, signed.body
    wrong = motcua.decide(code, approver, "RETURN", reasons=["x"], result_file_id=signed.body["file_id"])
    assert wrong.status == 422 and wrong.body["error"]["code"] == "RESULT_ONLY_ON_APPROVE"
    approved = motcua.decide(code, approver, "APPROVE", result_file_id=signed.body["file_id"])
    assert approved.status == 200, approved.body
    # When the result is issued
    assert motcua.resume(code) == "OFFICER"
    # Then the applicant holds their own copy of it, and may download it
    view = motcua.call("GET", f"/v1/dossiers/{code}", motcua.citizen()).body
    assert view["status"]["national_code"] == 9 and view["result_file_id"]
    assert view["result_file_id"] != signed.body["file_id"]
    link = motcua.call("GET", f"/v1/dossiers/{code}/result", motcua.citizen())
    assert link.status == 200, link.body
    assert (
        link.body["file"]["source"] == "RESULT"
        and link.body["file"]["sha256"] == hashlib.sha256(SIGNED).hexdigest()
    )
    assert FILES_BUCKET in link.body["url"] and link.body["expires_in"] == 300
    stranger = motcua.citizen(sub="citizen-minh-0002", id_number="079088001234")
    assert motcua.call("GET", f"/v1/dossiers/{code}/result", stranger).status == 404
    # And reuses it for a later dossier, recorded as reuse of that dossier's result
    reused = motcua.call(
        "POST",
        "/v1/uploads/reuse",
        motcua.citizen(),
        {
            "source_dossier_code": code,
            "file_id": view["result_file_id"],
            "component_code": REQUIRED_COMPONENT,
        },
    )
    assert reused.status == 201, reused.body
    assert (reused.body["source"], reused.body["reused_from"]) == ("REUSE", code)
    later = _submit_with(motcua, reused.body["file_id"])
    assert later.status == 201, later.body


def test_a_result_file_not_of_the_approver_is_refused_and_nothing_changes(motcua: Motcua) -> None:
    code = motcua.submitted()
    motcua.start(code)
    assert motcua.decide(code, motcua.officer(), "FORWARD").status == 200
    motcua.resume(code)
    someone = _upload(motcua, motcua.officer(), content=SIGNED, component="RESULT")
    before = motcua.items(code)
    refused = motcua.decide(code, motcua.approver(), "APPROVE", result_file_id=someone.body["file_id"])
    assert refused.status == 422 and refused.body["error"]["code"] == "FILE_NOT_FOUND"
    assert motcua.items(code) == before
    assert motcua.call("GET", f"/v1/dossiers/{code}/result", motcua.citizen()).status == 404
