"""Mapping of the real national records (tests/fixtures/national-catalogue) to motcua's catalogue model."""

from __future__ import annotations

import json
import math
import unicodedata
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.catalogue.model import Channel, OnlineLevel, Procedure, ProcessingTime, TimeUnit
from motcua.integrations.national_catalogue import (
    DEFAULT_INDEX_PROCESSING_TIME,
    MalformedRecord,
    clean_name,
    content_hash,
    default_internal_steps,
    procedure_from_index,
    procedure_from_national,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "national-catalogue"
DETAIL_PATHS = sorted((FIXTURES / "details").glob("*.json"))


def _detail(code: str) -> dict[str, Any]:
    return json.loads((FIXTURES / "details" / f"{code}.json").read_text(encoding="utf-8"))


def _index() -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "khanh-hoa-catalog.json").read_text(encoding="utf-8"))["items"]


def _nfd(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFD", value)
    if isinstance(value, dict):
        return {k: _nfd(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfd(v) for v in value]
    return value


def test_fixtures_are_complete() -> None:
    assert len(DETAIL_PATHS) == 55
    assert len(_index()) == 4707
    assert len(list((FIXTURES / "execution").glob("*.json"))) == 6
    assert (FIXTURES / "khanh-hoa-agencies.json").is_file()


@pytest.mark.parametrize("path", DETAIL_PATHS, ids=lambda p: p.stem)
def test_every_real_record_maps(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    procedure = procedure_from_national(raw, agencies=["H32", "H32.201"], version=3)

    assert procedure.code == raw["code"] == path.stem
    assert procedure.version == 3 and not procedure.derived
    assert procedure.agencies == ("H32", "H32.201")
    assert procedure.name and procedure.name == unicodedata.normalize("NFC", procedure.name)
    assert procedure.level
    assert procedure.processing_times, "every real record has at least one channel"
    channels = [t.channel for t in procedure.processing_times]
    assert len(channels) == len(set(channels)), "one legal time per channel"
    assert procedure.online_level is (
        OnlineLevel.FULL
        if raw["isFullProcess"]
        else OnlineLevel.PARTIAL
        if Channel.ONLINE in channels
        else OnlineLevel.NONE
    )
    codes = [c.code for c in procedure.components]
    assert len(codes) == len(set(codes)) and all(c and not c.endswith(".") for c in codes)
    assert not any(c.required for c in procedure.components), "the national records mark none as required"
    steps = default_internal_steps(procedure)
    assert len(steps) == 4 and steps[0].name == "Tiếp nhận hồ sơ"


def test_trailing_dot_component_code_is_stripped() -> None:
    raw = _detail("1.000253")
    assert any(
        c["code"] == "000.00.00.G01-KQ0427." for g in raw["executionCases"] for c in g["profileComponents"]
    )
    procedure = procedure_from_national(raw, agencies=[])
    assert "000.00.00.G01-KQ0427" in {c.code for c in procedure.components}


def test_duplicate_component_code_is_kept_once() -> None:
    raw = _detail("1.004163")
    listed = [c["code"] for g in raw["executionCases"] for c in g["profileComponents"]]
    assert listed.count("000.00.00.G01-KQ1281") == 2
    codes = [c.code for c in procedure_from_national(raw, agencies=[]).components]
    assert codes.count("000.00.00.G01-KQ1281") == 1


def test_component_names_lose_bullets() -> None:
    procedure = procedure_from_national(_detail("1.000656"), agencies=[])
    names = [c.name for c in procedure.components]
    assert any(n.startswith("Giấy báo tử") for n in names)
    assert not any(n[:1] in "-+*." for n in names)


def test_other_unit_with_number_and_no_text_is_derived_working_days() -> None:
    raw = _detail("1.000656")
    assert {m["processingTimeUnit"] for m in raw["executionMethods"]} == {"OTHER"}
    online = procedure_from_national(raw, agencies=[]).processing_time(Channel.ONLINE)
    assert online == ProcessingTime(
        channel=Channel.ONLINE, quantity=1, unit=TimeUnit.WORKING_DAY, derived_from_text=True
    )


def test_other_unit_without_number_is_same_day_and_keeps_the_text() -> None:
    raw = _detail("1.004205")
    direct = procedure_from_national(raw, agencies=[]).processing_time(Channel.DIRECT)
    assert direct is not None
    assert (direct.quantity, direct.unit, direct.derived_from_text) == (0, TimeUnit.WORKING_DAY, True)
    assert "chưa quy định cụ thể" in direct.description


def test_other_unit_reads_a_duration_from_the_text() -> None:
    raw = _detail("1.004205")
    raw["executionMethods"][0]["description"] = "Trong thời hạn 12 ngày làm việc kể từ ngày nhận đủ hồ sơ"
    direct = procedure_from_national(raw, agencies=[]).processing_time(Channel.DIRECT)
    assert direct is not None
    assert (direct.quantity, direct.unit, direct.derived_from_text) == (12, TimeUnit.WORKING_DAY, True)


def test_case_with_other_unit_is_flagged() -> None:
    case = procedure_from_national(_detail("1.000253"), agencies=[]).cases
    assert any(c.derived_from_text for c in case)


def test_month_unit_maps_directly() -> None:
    direct = procedure_from_national(_detail("1.001010"), agencies=[]).processing_time(Channel.DIRECT)
    assert direct is not None and (direct.quantity, direct.unit) == (6, TimeUnit.MONTH)


def test_duplicate_channels_keep_the_first_and_the_rest_as_alternatives() -> None:
    procedure = procedure_from_national(_detail("1.013225"), agencies=[])
    direct = procedure.processing_time(Channel.DIRECT)
    assert direct is not None and direct.quantity == 7  # nhà ở riêng lẻ, listed first
    assert {(t.channel, t.quantity) for t in procedure.alternative_processing_times} == {
        (Channel.DIRECT, 10),
        (Channel.ONLINE, 10),
        (Channel.POSTAL, 10),
    }
    first_listed_shorter_or_not = procedure_from_national(_detail("1.012533"), agencies=[])
    direct = first_listed_shorter_or_not.processing_time(Channel.DIRECT)
    assert direct is not None and direct.quantity == 15  # the first, not the shortest (3)


def test_empty_decision_number_and_zero_fee_with_rule_in_text() -> None:
    raw = _detail("1.000656")
    assert raw["decisionNo"] == ""
    procedure = procedure_from_national(raw, agencies=[])
    assert procedure.decision_number == ""
    assert len(procedure.fees) == 1, "the same fee repeated per channel is listed once"
    (fee,) = procedure.fees
    assert fee.amount == 0 and fee.currency == "VND"
    assert fee.description.startswith("Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh")


def test_usd_fees_carry_their_currency() -> None:
    fees = procedure_from_national(_detail("1.003460"), agencies=[]).fees
    assert {(f.amount, f.currency) for f in fees} == {(145, "USD"), (155, "USD"), (165, "USD")}


def test_fee_without_currency_is_marked_unknown() -> None:
    fees = procedure_from_national(_detail("1.012680"), agencies=[]).fees
    assert {f.currency for f in fees} == {""}  # values 25/50 while the text says 25.000.000đ / 50.000đ


def test_levels_and_legal_data() -> None:
    procedure = procedure_from_national(_detail("1.013211"), agencies=[])
    assert procedure.level == "MINISTRY,PROVINCE"
    khai_tu = procedure_from_national(_detail("1.000656"), agencies=[])
    assert khai_tu.level == "WARD" and khai_tu.field_code == "G15-TP07"
    assert khai_tu.result_types[0].code == "KQ.G15.000034"
    assert khai_tu.subject_types == ("ĐT1",)
    assert {c.code for c in khai_tu.cases} == {"1.000656.01", "1.000656.02", "1.000656.03"}
    assert "85/2019/TT-BTC" in {b.code for b in khai_tu.legal_bases}


def test_nfd_record_maps_to_the_same_procedure_and_hash() -> None:
    raw = _detail("1.000894")
    nfc = procedure_from_national(raw, agencies=["H32"])
    nfd = procedure_from_national(_nfd(raw), agencies=["H32"])
    assert nfd == nfc
    assert content_hash(nfd) == content_hash(nfc)


def test_content_hash_is_stable_under_normalisation_and_ignores_version() -> None:
    procedure = procedure_from_national(_detail("1.004222"), agencies=["H32"])
    decomposed = procedure.model_copy(update={"name": unicodedata.normalize("NFD", procedure.name)})
    assert decomposed.name != procedure.name
    assert content_hash(decomposed) == content_hash(procedure)
    assert content_hash(procedure.model_copy(update={"version": 9})) == content_hash(procedure)
    changed_fee = procedure.model_copy(
        update={"fees": (procedure.fees[0].model_copy(update={"amount": procedure.fees[0].amount + 1000}),)}
    )
    assert content_hash(changed_fee) != content_hash(procedure)
    assert len(content_hash(procedure)) == 64


def test_names_lose_stray_numbering() -> None:
    assert clean_name("1.\tSáp nhập đơn vị") == "Sáp nhập đơn vị"
    assert clean_name(". Cấp giấy phép") == "Cấp giấy phép"
    assert clean_name("- Giấy đề nghị  cấp") == "Giấy đề nghị cấp"
    assert clean_name("Cấp đổi thẻ (thực hiện tại cấp tỉnh)") == "Cấp đổi thẻ (thực hiện tại cấp tỉnh)"
    assert clean_name("...") == "..."  # nothing left: keep the text rather than an empty name


def test_index_entries_with_quirky_names_map_to_derived_procedures() -> None:
    items = {i["ma"]: i for i in _index()}
    numbered = procedure_from_index(items["5.003909"])
    assert items["5.003909"]["ten"].startswith("1.\t")
    assert numbered.name.startswith("Sáp nhập đơn vị sự nghiệp công lập")
    dotted = procedure_from_index(items["2.000733"])
    assert items["2.000733"]["ten"].startswith(". ")
    assert dotted.name.startswith("Thủ tục chấp thuận") and dotted.level == "MINISTRY,PROVINCE"
    assert numbered.derived and numbered.processing_times[0].channel is Channel.DIRECT
    assert (numbered.processing_times[0].quantity, numbered.processing_times[0].unit) == (
        DEFAULT_INDEX_PROCESSING_TIME
    )


def test_every_index_entry_maps() -> None:
    procedures = [procedure_from_index(item) for item in _index()]
    assert len(procedures) == 4707 and all(p.derived for p in procedures)


def test_index_entry_with_execution_services_gets_agencies_and_online_level() -> None:
    items = {i["ma"]: i for i in _index()}
    shard = json.loads((FIXTURES / "execution" / "00.json").read_text(encoding="utf-8"))
    code = next(c for c in shard["procedures"] if c in items)
    procedure = procedure_from_index(items[code], services=shard["procedures"][code]["dvc"])
    assert procedure.agencies
    assert procedure.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL)
    assert procedure.offers(Channel.ONLINE)


def test_malformed_records_raise() -> None:
    raw = _detail("1.000656")
    with pytest.raises(MalformedRecord):
        procedure_from_national({**raw, "code": "not-a-code"}, agencies=[])
    with pytest.raises(MalformedRecord):
        procedure_from_national({**raw, "executionMethods": "DIRECT"}, agencies=[])
    with pytest.raises(MalformedRecord):
        procedure_from_national({k: v for k, v in raw.items() if k != "name"}, agencies=[])
    with pytest.raises(MalformedRecord):
        procedure_from_index({"ten": "x"})


def test_no_channel_no_steps() -> None:
    assert default_internal_steps(Procedure(code="1.000001", version=1, name="x")) == ()


def _procedure(channels: list[tuple[Channel, float, TimeUnit]]) -> Procedure:
    return Procedure(
        code="1.000001",
        version=1,
        name="x",
        processing_times=tuple(ProcessingTime(channel=c, quantity=q, unit=u) for c, q, u in channels),
    )


_units = st.sampled_from(list(TimeUnit))


@given(
    quantity=st.integers(min_value=0, max_value=2000).map(lambda n: n / 2),
    unit=_units,
    online_first=st.booleans(),
)
def test_default_steps_sum_exactly_to_the_online_time(
    quantity: float, unit: TimeUnit, online_first: bool
) -> None:
    channels = [(Channel.DIRECT, quantity + 3, unit), (Channel.ONLINE, quantity, unit)]
    steps = default_internal_steps(_procedure(channels[::-1] if online_first else channels))
    assert [s.seq for s in steps] == [1, 2, 3, 4]
    assert all(s.duration_unit is unit and s.duration_value >= 0 for s in steps)
    assert sum(Fraction(s.duration_value) for s in steps) == Fraction(quantity)


@given(quantity=st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False), unit=_units)
def test_default_steps_never_exceed_the_first_channel(quantity: float, unit: TimeUnit) -> None:
    steps = default_internal_steps(_procedure([(Channel.POSTAL, quantity, unit), (Channel.DIRECT, 1, unit)]))
    total = sum(Fraction(s.duration_value) for s in steps)
    assert total <= Fraction(quantity)
    assert math.isclose(float(total), quantity, rel_tol=1e-12, abs_tol=1e-12)
    assert all(s.duration_value >= 0 for s in steps)


def test_form_templates_come_from_the_component_attachments() -> None:
    # Given the real record of household-business registration, whose application form has a template
    procedure = procedure_from_national(_detail("1.001612"), agencies=[])
    form = next(c for c in procedure.components if c.code == "TP-G12.0001000000069")
    # Then the portal can offer the form to download
    assert [t.file_name for t in form.templates] == ["Giấy ĐN đăng ký hộ kd.docx"]
    assert form.templates[0].path.startswith("dvc/configuring/")
    # and a component without attachments has none
    assert all(not c.templates for c in procedure.components if c.code != form.code)
