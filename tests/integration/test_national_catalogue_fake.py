"""The fake national catalogue over HTTP, driven through the motcua HTTP adapter."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.fakes.national_catalogue import BASE_UPDATED_AT, FakeNationalCatalogue
from motcua.integrations.national_catalogue import (
    HttpNationalCatalogue,
    MalformedRecord,
    ProcedureNotFound,
    TransientUpstreamError,
    content_hash,
    procedure_from_national,
)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeNationalCatalogue]:
    with FakeNationalCatalogue(port=0) as server:
        yield server


@pytest.fixture(autouse=True)
def _reset(fake: FakeNationalCatalogue) -> None:
    fake.reset()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(fake: FakeNationalCatalogue, sleeps: list[float]) -> HttpNationalCatalogue:
    return HttpNationalCatalogue(fake.base_url, timeout=5, max_attempts=3, backoff=0.5, sleep=sleeps.append)


def _post_control(fake: FakeNationalCatalogue, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        fake.base_url + "/__control",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_pages_through_the_whole_index(client: HttpNationalCatalogue) -> None:
    codes: list[str] = []
    page = client.list_procedures(None, 1, 500)
    while True:
        codes.extend(item["ma"] for item in page.items)
        if not page.has_next:
            break
        page = client.list_procedures(None, page.page + 1, 500)
    assert page.total == 4707 + 7 == len(codes) == len(set(codes))
    assert {"1.004222", "1.000656", "5.003909"} <= set(codes)  # 1.004222 has a detail but no index entry
    first = client.list_procedures(None, 1, 2).items[0]
    assert {"id", "ma", "ten", "lv", "cap", "loai", "state", "updatedAt"} <= set(first)


def test_fetches_a_real_detail_and_maps_it(client: HttpNationalCatalogue) -> None:
    raw = client.get_procedure("1.000656")
    assert raw["code"] == "1.000656" and raw["executionMethods"][0]["processingTimeUnit"] == "OTHER"
    assert procedure_from_national(raw, agencies=["H32.201"]).name == "Thủ tục đăng ký khai tử"


def test_a_code_without_detail_is_404(client: HttpNationalCatalogue) -> None:
    with pytest.raises(ProcedureNotFound):
        client.get_procedure("5.003909")


def test_changed_since_filters_and_change_is_detected(
    fake: FakeNationalCatalogue, client: HttpNationalCatalogue
) -> None:
    latest = max(item["updatedAt"] for item in client.list_procedures(None, 1, 500).items)
    assert latest >= BASE_UPDATED_AT
    cursor = datetime(2030, 1, 1, tzinfo=UTC)
    assert client.list_procedures(cursor, 1, 50).total == 0

    before = procedure_from_national(client.get_procedure("1.004222"), agencies=[])
    stamp = fake.change("1.004222", at=int(cursor.timestamp() * 1000) + 5)
    changed = client.list_procedures(cursor, 1, 50)
    assert [i["ma"] for i in changed.items] == ["1.004222"] and changed.items[0]["updatedAt"] == stamp

    after_raw = client.get_procedure("1.004222")
    assert after_raw["updatedAt"] == stamp
    after = procedure_from_national(after_raw, agencies=[])
    assert after.fees != before.fees and content_hash(after) != content_hash(before)

    assert client.list_procedures(cursor + timedelta(days=1), 1, 50).total == 0
    with pytest.raises(ValueError):
        client.list_procedures(datetime(2030, 1, 1), 1, 50)  # naive datetimes are refused


def test_change_over_http_on_an_index_only_entry(
    fake: FakeNationalCatalogue, client: HttpNationalCatalogue
) -> None:
    state = _post_control(fake, {"change": ["5.003909"]})
    assert state["changed"] == ["5.003909"]
    since = datetime.now(UTC) - timedelta(minutes=1)
    assert [i["ma"] for i in client.list_procedures(since, 1, 50).items] == ["5.003909"]


def test_retries_through_injected_5xx(
    fake: FakeNationalCatalogue, client: HttpNationalCatalogue, sleeps: list[float]
) -> None:
    _post_control(fake, {"fail_next": 2, "fail_status": 503})
    assert client.get_procedure("1.001612")["code"] == "1.001612"
    assert sleeps == [0.5, 1.0]  # exponential backoff between the three attempts


def test_gives_up_after_max_attempts(
    fake: FakeNationalCatalogue, client: HttpNationalCatalogue, sleeps: list[float]
) -> None:
    fake.fail_next(3, status=502)
    with pytest.raises(TransientUpstreamError, match="3 attempts"):
        client.list_procedures(None, 1, 10)
    assert len(sleeps) == 2
    assert client.list_procedures(None, 1, 10).total == 4714  # the injected failures are used up


def test_slow_responses_time_out_and_count_as_transient(
    fake: FakeNationalCatalogue, sleeps: list[float]
) -> None:
    fake.set_delay(0.6)
    impatient = HttpNationalCatalogue(fake.base_url, timeout=0.2, max_attempts=2, sleep=sleeps.append)
    with pytest.raises(TransientUpstreamError):
        impatient.get_procedure("1.001612")
    patient = HttpNationalCatalogue(fake.base_url, timeout=5, max_attempts=1)
    assert patient.get_procedure("1.001612")["code"] == "1.001612"


def test_malformed_injection_raises_malformed_record(
    fake: FakeNationalCatalogue, client: HttpNationalCatalogue, sleeps: list[float]
) -> None:
    _post_control(fake, {"malformed": ["1.000894"]})
    with pytest.raises(MalformedRecord):
        client.get_procedure("1.000894")
    assert sleeps == [], "malformed data is not retried"
    assert client.get_procedure("1.000656")["code"] == "1.000656"


def test_control_rejects_unknown_switches(fake: FakeNationalCatalogue) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        _post_control(fake, {"explode": True})
    assert info.value.code == 400
    info.value.close()
