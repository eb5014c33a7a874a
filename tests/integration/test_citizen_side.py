"""The citizen's side: my dossiers, and the public lookup behind the slip's QR code."""

from __future__ import annotations

from tests.integration.conftest import Motcua

ID_NUMBER = "056190004821"  # the demo citizen's, as minted by Motcua.citizen()


def test_my_dossiers_lists_mine_newest_first_and_no_one_elses(motcua: Motcua) -> None:
    first, second = motcua.submitted(), motcua.submitted()
    other = motcua.submit(
        token=motcua.citizen(sub="citizen-minh-0002", name="Trần Văn Minh", id_number="079088001234")
    )
    assert other.status == 201
    reply = motcua.call("GET", "/v1/me/dossiers", motcua.citizen())
    assert reply.status == 200, reply.body
    assert [d["code"] for d in reply.body["items"]][:2] in ([second, first], [first, second])
    assert {d["code"] for d in reply.body["items"]} == {first, second}
    paged = motcua.call("GET", "/v1/me/dossiers?limit=1", motcua.citizen())
    assert len(paged.body["items"]) == 1 and paged.body["next_cursor"]
    assert motcua.call("GET", "/v1/me/dossiers", motcua.approver()).status == 403


def test_the_public_lookup_needs_the_code_and_the_id_number_and_reveals_nothing_personal(
    motcua: Motcua,
) -> None:
    code = motcua.submitted()
    found = motcua.call("GET", f"/v1/lookup/{code}?id_number={ID_NUMBER}")
    assert found.status == 200, found.body
    assert found.body["status"]["national_code"] == 2
    text = str(found.body)
    assert "Nguyễn" not in text and ID_NUMBER not in text
    for bad in (
        f"/v1/lookup/{code}?id_number=056190004822",
        f"/v1/lookup/{code}",
        "/v1/lookup/x?id_number=1",
    ):
        miss = motcua.call("GET", bad)
        assert miss.status == 404 and miss.body["error"]["code"] == "DOSSIER_NOT_FOUND"
