"""The PDF forms (Mẫu 01–04): Vietnamese text really in the PDF, the QR equal to the lookup URL's, same bytes
for the same input, long lists flowing onto further pages, and a module that costs nothing to import."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

import pytest
import segno
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from motcua.forms import pdf as forms
from motcua.forms.pdf import (
    apology_pdf,
    completion_request_pdf,
    format_date,
    format_datetime,
    qr_matrix,
    qr_runs,
    receipt_slip_pdf,
    refusal_pdf,
)

ROOT = Path(__file__).resolve().parents[2]
APPLICANT = "Nguyễn Thị Ánh Tuyết"
AGENCY = "UBND phường Nha Trang"
CODE = "000.00.12.H34-250701-0001"
LOOKUP = f"https://dichvucong.khanhhoa.gov.vn/tra-cuu?ma={CODE}"


def slip(**changes: Any) -> dict[str, Any]:
    """What GET /v1/dossiers/{code}/slip returns (ReceiptSlip serialised by pydantic)."""
    data: dict[str, Any] = {
        "form": "Mẫu 01",
        "title": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "agency_code": "000.00.12.H34",
        "agency_name": AGENCY,
        "dossier_code": CODE,
        "procedure_code": "1.001612",
        "procedure_name": "Đăng ký khai sinh",
        "applicant_name": APPLICANT,
        "channel": "DIRECT",
        "received_at": "2025-07-01T01:30:00Z",  # 08:30 in Vietnam
        "due_at": "2025-07-15T17:00:00+07:00",
        "components": [
            {
                "code": "TP1",
                "name": "Tờ khai đăng ký khai sinh",
                "original_qty": 1,
                "copy_qty": 0,
                "digitised": True,
            },
            {"code": "TP2", "name": "Giấy chứng sinh", "original_qty": 1, "copy_qty": 2, "digitised": False},
        ],
        "lookup_url": LOOKUP,
        "qr_payload": LOOKUP,
    }
    data.update(changes)
    return data


COMPLETION = {
    "agency_name": AGENCY,
    "dossier_code": CODE,
    "applicant_name": APPLICANT,
    "procedure_name": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "requested_at": "2025-07-03T09:05:00+07:00",
    "items": [
        {"name": "Bản vẽ thiết kế mặt bằng", "reason": "Thiếu chữ ký của đơn vị thiết kế"},
        {"name": "Giấy chứng nhận quyền sử dụng đất", "reason": "Bản chụp không đọc được"},
    ],
    "note": "Nộp bổ sung trực tuyến hoặc tại Bộ phận Một cửa",
    "contact": "Trần Văn Bình, số điện thoại 0258 3822 111",
    "officer": "Trần Văn Bình",
}
REFUSAL = {
    "agency_name": AGENCY,
    "applicant_name": APPLICANT,
    "procedure_name": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "reasons": ["Thủ tục không thuộc thẩm quyền giải quyết của phường", "Hồ sơ đã được giải quyết trước đó"],
    "refused_at": "2025-07-02T14:45:00+07:00",
    "officer": "Lê Thị Hồng",
}
APOLOGY = {
    "agency_name": AGENCY,
    "dossier_code": CODE,
    "applicant_name": APPLICANT,
    "procedure_name": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "received_at": "2025-07-01T08:30:00+07:00",
    "original_due": "2025-07-15T17:00:00+07:00",
    "new_due": "2025-07-22T17:00:00+07:00",
    "sent_at": "2025-07-14T10:00:00+07:00",
    "reason": "Đang chờ ý kiến của Sở Xây dựng",
    "signer": "Phạm Quốc Hùng",
}
RENDERERS: list[tuple[Callable[[Mapping[str, Any]], bytes], Mapping[str, Any]]] = [
    (receipt_slip_pdf, slip()),
    (completion_request_pdf, COMPLETION),
    (refusal_pdf, REFUSAL),
    (apology_pdf, APOLOGY),
]
IDS = ["mau01", "mau02", "mau03", "mau04"]


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(data: bytes) -> str:
    """All the text, whitespace (line breaks included) collapsed to single spaces."""
    return " ".join(" ".join(pages(data)).split())


# -- every form ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("render", "data"), RENDERERS, ids=IDS)
def test_each_form_is_a_pdf_with_the_national_header(
    render: Callable[[Mapping[str, Any]], bytes], data: Mapping[str, Any]
) -> None:
    out = render(data)
    assert out.startswith(b"%PDF-")
    assert out.rstrip().endswith(b"%%EOF")
    text = flat(out)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert APPLICANT in text
    assert AGENCY in text
    assert "None" not in text


@pytest.mark.parametrize(("render", "data"), RENDERERS, ids=IDS)
def test_same_input_same_bytes(render: Callable[[Mapping[str, Any]], bytes], data: Mapping[str, Any]) -> None:
    assert render(data) == render(dict(data))


@pytest.mark.parametrize("render", [r for r, _ in RENDERERS], ids=IDS)
def test_missing_values_print_as_fill_in_lines_never_none(
    render: Callable[[Mapping[str, Any]], bytes],
) -> None:
    out = render({})
    text = flat(out)
    assert "None" not in text
    assert "....................." in text
    assert "ngày ..... tháng ..... năm" in text
    assert render({}) == out  # no date in the input: still a fixed creation date, not "now"


def test_fonts_ship_inside_the_package_and_are_embedded() -> None:
    fonts = Path(forms.__file__).parent / "fonts"
    assert (fonts / "DejaVuSans.ttf").stat().st_size > 100_000
    assert (fonts / "DejaVuSans-Bold.ttf").stat().st_size > 100_000
    assert "Bitstream" in (fonts / "LICENSE").read_text()
    page = PdfReader(io.BytesIO(receipt_slip_pdf(slip()))).pages[0]
    resources = cast(DictionaryObject, page["/Resources"].get_object())
    font_dict = cast(DictionaryObject, resources["/Font"].get_object())
    fonts_used = {
        str(cast(DictionaryObject, f.get_object())["/BaseFont"]).split("+")[-1] for f in font_dict.values()
    }
    assert fonts_used == {"DejaVuSansBook", "DejaVuSansBold"}  # embedded subsets, no core (Latin-1) font


# -- Mẫu 01 --------------------------------------------------------------------------------------------------


def test_receipt_slip_prints_every_field_of_the_endpoint() -> None:
    text = flat(receipt_slip_pdf(slip()))
    assert "Mẫu 01" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert f"Mã hồ sơ: {CODE}" in text
    assert f"Tiếp nhận hồ sơ của: {APPLICANT}" in text
    assert "Nội dung yêu cầu giải quyết: Đăng ký khai sinh" in text
    assert "1.001612" in text
    assert "Hình thức tiếp nhận: Trực tiếp" in text
    assert "1 Tờ khai đăng ký khai sinh 1 0 Đã số hoá" in text
    assert "2 Giấy chứng sinh 1 2" in text
    assert "Thời gian nhận hồ sơ: 01/07/2025 08:30" in text  # 01:30 UTC shown in Vietnam time
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 15/07/2025 17:00" in text
    assert "ngày 01 tháng 07 năm 2025" in text
    assert LOOKUP in text


def test_receipt_slip_prints_decomposed_diacritics_as_precomposed_text() -> None:
    nfd = unicodedata.normalize("NFD", APPLICANT)
    assert nfd != APPLICANT
    assert f"Tiếp nhận hồ sơ của: {APPLICANT}" in flat(receipt_slip_pdf(slip(applicant_name=nfd)))


def test_receipt_slip_creation_date_is_the_reception_not_now() -> None:
    reader = PdfReader(io.BytesIO(receipt_slip_pdf(slip())))
    assert reader.metadata is not None
    created = reader.metadata.creation_date
    assert created is not None
    assert created == datetime(2025, 7, 1, 8, 30, tzinfo=timezone(timedelta(hours=7)))


def test_another_dossier_gives_other_bytes() -> None:
    assert receipt_slip_pdf(slip()) != receipt_slip_pdf(slip(due_at="2025-07-16T17:00:00+07:00"))


def test_long_component_list_flows_onto_further_pages_without_losing_items() -> None:
    names = [f"Giấy tờ kèm theo số {n:03d} (bản sao chứng thực)" for n in range(1, 81)]
    components = [
        {"code": f"TP{n}", "name": name, "original_qty": 1, "copy_qty": 1, "digitised": False}
        for n, name in enumerate(names, start=1)
    ]
    out = receipt_slip_pdf(slip(components=components))
    texts = pages(out)
    assert len(texts) >= 2
    text = flat(out)
    for name in names:
        assert text.count(name) == 1, name
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)  # in the order received
    assert "Tên giấy tờ" in texts[1]  # the heading row repeats on the next page
    assert f"Trang 2/{len(texts)}" in texts[1]
    assert "15/07/2025 17:00" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text  # what follows the table survives


# -- the QR --------------------------------------------------------------------------------------------------


def expected_matrix(payload: str) -> list[list[bool]]:
    return [[bool(m) for m in row] for row in segno.make_qr(payload, error="m").matrix]


def drawn_qr(data: bytes) -> list[list[bool]]:
    """Rebuild the module grid from the filled rectangles ('x y w h re f') of the first page."""
    content = PdfReader(io.BytesIO(data)).pages[0].get_contents()
    assert content is not None
    rects = [
        tuple(float(v) for v in m.groups())
        for m in re.finditer(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re f\b", content.get_data())
    ]
    assert rects
    module = abs(rects[0][3])
    assert all(abs(abs(h) - module) < 0.02 for *_, h in rects)
    left, top = min(r[0] for r in rects), max(r[1] for r in rects)
    cells = set()
    for x, y, w, _ in rects:
        row, col, length = round((top - y) / module), round((x - left) / module), round(w / module)
        for c in range(col, col + length):
            assert (row, c) not in cells
            cells.add((row, c))
    size = max(max(r, c) for r, c in cells) + 1
    return [[(r, c) in cells for c in range(size)] for r in range(size)]


def test_the_qr_drawn_is_segnos_code_of_the_lookup_url() -> None:
    assert drawn_qr(receipt_slip_pdf(slip())) == expected_matrix(LOOKUP)


def test_the_qr_follows_the_payload() -> None:
    other = "https://dichvucong.khanhhoa.gov.vn/tra-cuu?ma=000.00.12.H34-250701-0002"
    assert drawn_qr(receipt_slip_pdf(slip(qr_payload=other, lookup_url=other))) == expected_matrix(other)
    assert expected_matrix(other) != expected_matrix(LOOKUP)


def test_qr_runs_cover_exactly_the_dark_modules() -> None:
    matrix = qr_matrix(LOOKUP)
    assert [list(row) for row in matrix] == expected_matrix(LOOKUP)
    covered = {(r, c + i) for r, c, length in qr_runs(matrix) for i in range(length)}
    dark = {(r, c) for r, row in enumerate(matrix) for c, d in enumerate(row) if d}
    assert covered == dark
    assert sum(length for *_, length in qr_runs(matrix)) == len(dark)
    assert qr_runs([[True, True, False, True], [False, False, False, True]]) == [
        (0, 0, 2),
        (0, 3, 1),
        (1, 3, 1),
    ]


def test_no_qr_without_a_lookup_url() -> None:
    out = receipt_slip_pdf(slip(lookup_url=None, qr_payload=None))
    content = PdfReader(io.BytesIO(out)).pages[0].get_contents()
    assert content is not None
    assert b" re f" not in content.get_data()
    assert "None" not in flat(out)


# -- Mẫu 02, 03, 04 ------------------------------------------------------------------------------------------


def test_completion_request_lists_every_item_with_its_reason() -> None:
    text = flat(completion_request_pdf(COMPLETION))
    assert "Mẫu 02" in text
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert f"Hồ sơ của: {APPLICANT}" in text
    assert "1. Bản vẽ thiết kế mặt bằng Lý do: Thiếu chữ ký của đơn vị thiết kế" in text
    assert "2. Giấy chứng nhận quyền sử dụng đất Lý do: Bản chụp không đọc được" in text
    assert "Thời gian yêu cầu: 03/07/2025 09:05" in text
    assert "ngày 03 tháng 07 năm 2025" in text
    assert "Trần Văn Bình, số điện thoại 0258 3822 111" in text
    assert "NGƯỜI HƯỚNG DẪN" in text


def test_refusal_gives_every_reason() -> None:
    text = flat(refusal_pdf(REFUSAL))
    assert "Mẫu 03" in text
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "1. Thủ tục không thuộc thẩm quyền giải quyết của phường" in text
    assert "2. Hồ sơ đã được giải quyết trước đó" in text
    assert "Thời gian: 02/07/2025 14:45" in text
    assert "Lê Thị Hồng" in text
    assert "Mã hồ sơ: ...." in text  # never registered: a fill-in line


def test_apology_gives_the_old_and_new_appointment() -> None:
    text = flat(apology_pdf(APOLOGY))
    assert "Mẫu 04" in text
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert f"Kính gửi: {APPLICANT}" in text
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 15/07/2025 17:00" in text
    assert "Thời gian hẹn trả kết quả mới: 22/07/2025 17:00" in text
    assert "Lý do: Đang chờ ý kiến của Sở Xây dựng" in text
    assert "ngày 14 tháng 07 năm 2025" in text
    assert "Phạm Quốc Hùng" in text


# -- dates ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-07-01T01:30:00Z", "01/07/2025 08:30"),
        ("2025-06-30T20:00:00+00:00", "01/07/2025 03:00"),  # the next day in Vietnam
        ("2025-07-01T08:30:00", "01/07/2025 08:30"),  # naive: Vietnam time
        ("2025-07-15", "15/07/2025"),
        (None, ""),
        ("", ""),
        ("sau khi bổ sung", "sau khi bổ sung"),
    ],
)
def test_format_datetime(value: object, expected: str) -> None:
    assert format_datetime(value) == expected


def test_format_date_takes_the_day_in_vietnam() -> None:
    assert format_date("2025-06-30T20:00:00Z") == "01/07/2025"
    assert format_date(None) == ""


# -- cold start ----------------------------------------------------------------------------------------------


def test_import_is_cheap() -> None:
    code = (
        "import sys, motcua.forms.pdf\n"
        "heavy = {'fpdf', 'segno', 'PIL', 'fontTools', 'boto3', 'pynamodb', 'chalice', 'aws_lambda_powertools'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "core" / "python")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
