"""The dossier forms as PDF (Mẫu 01–04, TT 03/2025): pure functions from plain JSON-like data to bytes.

Every renderer takes a flat ``dict`` (the keys are listed in its docstring) and returns the PDF bytes. Nothing
here touches AWS or the stores; the caller gathers the data. Dates are ISO 8601 strings (``datetime``/``date``
objects are accepted too) and print in Vietnam time as ``dd/mm/yyyy`` (``dd/mm/yyyy HH:MM`` when there is a
time); a naive date-time is read as Vietnam time. A missing value prints as a dotted fill-in line, never
``None``. The same input gives the same bytes: the PDF's creation date comes from the form's own date.

The text is set in DejaVu Sans (bundled under ``fonts/``, Bitstream Vera licence), which covers Vietnamese.
``fpdf`` (fpdf2) and ``segno`` are imported inside the functions: importing this module costs nothing at
cold start, only rendering does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from motcua.clock import VN_TZ

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = [
    "FORM_RENDERERS",
    "apology_pdf",
    "completion_request_pdf",
    "format_date",
    "format_datetime",
    "qr_matrix",
    "qr_runs",
    "receipt_slip_pdf",
    "refusal_pdf",
]

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
RECEIPT_FORM = "Mẫu 01"
RECEIPT_TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
COMPLETION_FORM = "Mẫu 02"
COMPLETION_TITLE = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
REFUSAL_FORM = "Mẫu 03"
REFUSAL_TITLE = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
APOLOGY_FORM = "Mẫu 04"
APOLOGY_TITLE = "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
CHANNELS = {"DIRECT": "Trực tiếp", "ONLINE": "Trực tuyến", "POSTAL": "Qua dịch vụ bưu chính công ích"}

BLANK = "." * 60  # a fill-in line where a value is missing
SHORT_BLANK = "." * 20
QR_ERROR = "m"  # error correction level of the QR (segno may raise it when the size allows)
QR_QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks
_EPOCH = datetime(2000, 1, 1, tzinfo=VN_TZ)  # the creation date of a form that carries no date at all

_LINE = 6.0  # mm, body line height
_BODY_PT = 11.0
_QR_SIZE = 34.0  # mm, quiet zone included


# -- values -------------------------------------------------------------------------------------------------


def _text(value: object) -> str:
    """A printable string: ``None`` is empty, text is NFC-normalised (decomposed diacritics would not print)."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").strip()


def _or_blank(value: object, blank: str = BLANK) -> str:
    return _text(value) or blank


def _moment(value: object) -> datetime | date | None:
    """An aware datetime in Vietnam time, a plain date, or ``None`` (missing or unreadable)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    return moment.replace(tzinfo=VN_TZ) if moment.tzinfo is None else moment.astimezone(VN_TZ)


def format_date(value: object) -> str:
    """``dd/mm/yyyy`` of the day in Vietnam; ``""`` when missing; an unreadable string is printed as given."""
    moment = _moment(value)
    if moment is None:
        return "" if value is None else _text(value)
    return moment.strftime("%d/%m/%Y")


def format_datetime(value: object) -> str:
    """``dd/mm/yyyy HH:MM`` in Vietnam time (``dd/mm/yyyy`` for a date without time); ``""`` when missing."""
    moment = _moment(value)
    if moment is None:
        return "" if value is None else _text(value)
    if isinstance(moment, datetime):
        return moment.strftime("%d/%m/%Y %H:%M")
    return moment.strftime("%d/%m/%Y")


def _dated(value: object) -> str:
    """The place-and-date line of the header: ``ngày 01 tháng 07 năm 2025`` (dotted when missing)."""
    moment = _moment(value)
    if moment is None:
        return "ngày ..... tháng ..... năm ........."
    return f"ngày {moment.day:02d} tháng {moment.month:02d} năm {moment.year}"


def _creation_date(*values: object) -> datetime:
    for value in values:
        moment = _moment(value)
        if isinstance(moment, datetime):
            return moment
        if isinstance(moment, date):
            return datetime.combine(moment, time(), tzinfo=VN_TZ)
    return _EPOCH


def _strings(values: object) -> list[str]:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, Iterable) or isinstance(values, bytes | Mapping):
        return []
    return [text for text in (_text(v) for v in values) if text]


def _records(values: object) -> list[Mapping[str, Any]]:
    if not isinstance(values, Iterable) or isinstance(values, str | bytes | Mapping):
        return []
    return [v for v in values if isinstance(v, Mapping)]


# -- QR -----------------------------------------------------------------------------------------------------


def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of ``payload`` (segno, error level M or better), row by row, ``True`` for a dark module.

    Without the quiet zone: the drawing adds it.
    """
    import segno

    code = segno.make_qr(payload, error=QR_ERROR)
    return tuple(tuple(bool(module) for module in row) for row in code.matrix)


def qr_runs(matrix: Sequence[Sequence[bool]]) -> list[tuple[int, int, int]]:
    """The horizontal runs of dark modules as ``(row, column, length)``: one filled rectangle each.

    One rectangle per run, not per module, so that no hairline shows between adjacent dark modules.
    """
    runs: list[tuple[int, int, int]] = []
    for r, row in enumerate(matrix):
        start: int | None = None
        for c, dark in enumerate([*row, False]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                runs.append((r, start, c - start))
                start = None
    return runs


def _draw_qr(pdf: FPDF, payload: str, x: float, y: float, size: float) -> int:
    """Draw the QR of ``payload`` in the square ``size`` at (x, y), quiet zone included; returns rectangles."""
    matrix = qr_matrix(payload)
    module = size / (len(matrix) + 2 * QR_QUIET_ZONE)
    runs = qr_runs(matrix)
    with pdf.local_context(fill_color=(0, 0, 0)):
        for r, c, length in runs:
            pdf.rect(
                x + (QR_QUIET_ZONE + c) * module,
                y + (QR_QUIET_ZONE + r) * module,
                length * module,
                module,
                style="F",
            )
    return len(runs)


# -- layout -------------------------------------------------------------------------------------------------


def _document(title: str, created: datetime, footer: str) -> FPDF:
    from fpdf import FPDF

    class _Form(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, "", 8)
            self.cell(0, 5, f"{footer}Trang {self.page_no()}/{{nb}}", align="C")

    pdf = _Form(orientation="P", unit="mm", format="A4")
    pdf.set_margins(left=20, top=15, right=15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font(FONT, "", FONTS_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONTS_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_creation_date(created)
    pdf.set_title(title)
    pdf.set_lang("vi")
    pdf.set_creator("motcua")
    pdf.add_page()
    return pdf


def _fitting_size(pdf: FPDF, text: str, width: float, style: str, size: float, smallest: float) -> float:
    """The largest font size, from ``size`` down to ``smallest``, at which ``text`` fits on one line."""
    while size > smallest:
        pdf.set_font(FONT, style, size)
        if pdf.get_string_width(text) + 2 * pdf.c_margin <= width:
            return size
        size -= 0.5
    return smallest


def _header(pdf: FPDF, form: str, agency_name: object, dated: object) -> None:
    """Form number, agency (left) and national motto (right), then the date line and some air."""
    if form:
        pdf.set_font(FONT, "", 9)
        pdf.cell(0, 4, form, align="R", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y()
    left_w = 68.0
    right_w = pdf.epw - left_w

    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(left_w, 5, _or_blank(agency_name, SHORT_BLANK), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.line(pdf.l_margin + left_w / 2 - 12, pdf.get_y() + 1, pdf.l_margin + left_w / 2 + 12, pdf.get_y() + 1)
    left_bottom = pdf.get_y() + 1

    right_x = pdf.l_margin + left_w
    pdf.set_xy(right_x, top)
    pdf.set_font(FONT, "B", _fitting_size(pdf, NATION, right_w, "B", 10.5, 8))
    pdf.cell(right_w, 5, NATION, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "B", 10.5)
    pdf.cell(right_w, 5, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    rule = pdf.get_string_width(MOTTO)
    centre = right_x + right_w / 2
    pdf.line(centre - rule / 2, pdf.get_y() + 0.5, centre + rule / 2, pdf.get_y() + 0.5)
    pdf.set_y(pdf.get_y() + 2)
    pdf.set_x(right_x)
    pdf.set_font(FONT, "", 10)
    pdf.cell(right_w, 5, _dated(dated), align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)


def _title(pdf: FPDF, title: str) -> None:
    pdf.set_font(FONT, "B", _fitting_size(pdf, title, pdf.epw, "B", 13, 10))
    pdf.multi_cell(0, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _field(pdf: FPDF, label: str, value: object, *, strong: bool = False) -> None:
    """``label: value`` as one flowing paragraph, the label in bold (the value too when ``strong``)."""
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT, "B", _BODY_PT)
    pdf.write(_LINE, f"{label}: ")
    pdf.set_font(FONT, "B" if strong else "", _BODY_PT)
    pdf.write(_LINE, _or_blank(value))
    pdf.ln(_LINE)


def _paragraph(pdf: FPDF, text: str, *, style: str = "", indent: float = 0.0) -> None:
    pdf.set_font(FONT, style, _BODY_PT)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(pdf.epw - indent, _LINE, text, align="L", new_x="LMARGIN", new_y="NEXT")


def _numbered(pdf: FPDF, lines: Sequence[tuple[str, str]]) -> None:
    """``1. main`` with an optional indented detail under each; two dotted lines when there is nothing."""
    if not lines:
        _paragraph(pdf, BLANK, indent=6)
        _paragraph(pdf, BLANK, indent=6)
        return
    for n, (main, detail) in enumerate(lines, start=1):
        _paragraph(pdf, f"{n}. {main}", indent=6)
        if detail:
            _paragraph(pdf, detail, indent=11)


def _signatures(pdf: FPDF, blocks: Sequence[tuple[str, str, object]]) -> None:
    """Signature blocks side by side (right-aligned when alone): title, how to sign, space, the name."""
    height = 42.0
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(4)
    top = pdf.get_y()
    width = pdf.epw / 2
    first_x = pdf.l_margin + (width if len(blocks) == 1 else 0)
    for i, (title, note, name) in enumerate(blocks):
        x = first_x + i * width
        pdf.set_xy(x, top)
        pdf.set_font(FONT, "B", _BODY_PT)
        pdf.cell(width, _LINE, title, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font(FONT, "", 9)
        pdf.cell(width, 5, note, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_y(pdf.get_y() + 20)
        pdf.set_x(x)
        pdf.set_font(FONT, "B", _BODY_PT)
        pdf.cell(width, _LINE, _text(name), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_y(top + height - 4)


def _footer_text(dossier_code: object) -> str:
    code = _text(dossier_code)
    return f"Mã hồ sơ: {code} - " if code else ""


def _output(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


def _quantity(value: object) -> str:
    return _text(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""


# -- Mẫu 01 -------------------------------------------------------------------------------------------------


def receipt_slip_pdf(slip: Mapping[str, Any]) -> bytes:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01), from the JSON of ``GET /v1/dossiers/{code}/slip``.

    Keys (``motcua.web.views.ReceiptSlip``): ``form`` ("Mẫu 01"), ``title``, ``agency_code``, ``agency_name``,
    ``dossier_code``, ``procedure_code``, ``procedure_name``, ``applicant_name``, ``channel`` (DIRECT, ONLINE,
    POSTAL), ``received_at``, ``due_at``, ``components`` (list of ``{code, name, original_qty, copy_qty,
    digitised}``), ``lookup_url`` and ``qr_payload`` (what the QR encodes; ``lookup_url`` when absent).
    Optional extra: ``officer`` (the receiving officer's name under the signature).
    """
    from fpdf.enums import WrapMode

    code = _text(slip.get("dossier_code"))
    title = _text(slip.get("title")) or RECEIPT_TITLE
    pdf = _document(title, _creation_date(slip.get("received_at"), slip.get("due_at")), _footer_text(code))
    _header(pdf, _text(slip.get("form")) or RECEIPT_FORM, slip.get("agency_name"), slip.get("received_at"))
    _title(pdf, title)

    payload = _text(slip.get("qr_payload")) or _text(slip.get("lookup_url"))
    top = pdf.get_y()
    qr_bottom = top
    if payload:
        qr_x = pdf.w - pdf.r_margin - _QR_SIZE
        _draw_qr(pdf, payload, qr_x, top, _QR_SIZE)
        pdf.set_xy(qr_x, top + _QR_SIZE)
        pdf.set_font(FONT, "", 7)
        pdf.cell(_QR_SIZE, 3, "Quét mã để tra cứu hồ sơ", align="C")
        qr_bottom = top + _QR_SIZE + 4
        pdf.set_right_margin(pdf.r_margin + _QR_SIZE + 3)
    pdf.set_xy(pdf.l_margin, top)
    _field(pdf, "Mã hồ sơ", code, strong=True)
    _field(pdf, "Tiếp nhận hồ sơ của", slip.get("applicant_name"))
    _field(pdf, "Nội dung yêu cầu giải quyết", slip.get("procedure_name"))
    _field(pdf, "Mã thủ tục hành chính", slip.get("procedure_code"))
    channel = _text(slip.get("channel"))
    _field(pdf, "Hình thức tiếp nhận", CHANNELS.get(channel, channel))
    if payload:
        pdf.set_right_margin(pdf.r_margin - _QR_SIZE - 3)
    pdf.set_y(max(pdf.get_y(), qr_bottom) + 2)

    _paragraph(pdf, "1. Thành phần hồ sơ nộp gồm:", style="B")
    components = _records(slip.get("components"))
    if components:
        pdf.ln(1)
        pdf.set_font(FONT, "", 10)
        with pdf.table(
            col_widths=(12, 91, 22, 20, 30),
            text_align=("CENTER", "LEFT", "CENTER", "CENTER", "CENTER"),
            line_height=5.5,
            padding=1,
            width=pdf.epw,
        ) as table:
            heading = table.row()
            for name in ("STT", "Tên giấy tờ", "Bản chính", "Bản sao", "Số hoá"):
                heading.cell(name)
            for n, component in enumerate(components, start=1):
                row = table.row()
                row.cell(str(n))
                row.cell(_text(component.get("name")) or _text(component.get("code")) or SHORT_BLANK)
                row.cell(_quantity(component.get("original_qty")))
                row.cell(_quantity(component.get("copy_qty")))
                row.cell("Đã số hoá" if component.get("digitised") is True else "")
        pdf.ln(2)
    else:
        _numbered(pdf, [])
    _field(pdf, "2. Thời gian nhận hồ sơ", format_datetime(slip.get("received_at")))
    _field(
        pdf, "3. Thời gian hẹn trả kết quả giải quyết hồ sơ", format_datetime(slip.get("due_at")), strong=True
    )
    lookup = _text(slip.get("lookup_url")) or payload
    _field(pdf, "4. Tra cứu tình trạng hồ sơ", "quét mã QR hoặc truy cập địa chỉ" if lookup else "")
    if lookup:
        pdf.set_font(FONT, "", 10)
        pdf.set_x(pdf.l_margin + 6)
        pdf.multi_cell(
            pdf.epw - 6, 5, lookup, align="L", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT"
        )
    _signatures(
        pdf,
        [
            ("NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", slip.get("applicant_name")),
            ("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", slip.get("officer")),
        ],
    )
    return _output(pdf)


# -- Mẫu 02 -------------------------------------------------------------------------------------------------


def completion_request_pdf(form: Mapping[str, Any]) -> bytes:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02): everything to supply or correct, listed once.

    Keys: ``agency_name``, ``dossier_code``, ``applicant_name``, ``procedure_name``, ``requested_at`` (ISO),
    ``items`` (list of ``{name, reason}``), ``note``, ``contact`` (whom to ask, e.g. a name and phone number),
    ``officer`` (the guiding officer's name). All optional; missing ones print as fill-in lines.
    """
    code = _text(form.get("dossier_code"))
    pdf = _document(COMPLETION_TITLE, _creation_date(form.get("requested_at")), _footer_text(code))
    _header(pdf, COMPLETION_FORM, form.get("agency_name"), form.get("requested_at"))
    _title(pdf, COMPLETION_TITLE)
    _field(pdf, "Mã hồ sơ", code)
    _field(pdf, "Hồ sơ của", form.get("applicant_name"))
    _field(pdf, "Nội dung yêu cầu giải quyết", form.get("procedure_name"))
    _field(pdf, "Thời gian yêu cầu", format_datetime(form.get("requested_at")))
    pdf.ln(2)
    _paragraph(
        pdf,
        f"Sau khi xem xét thành phần hồ sơ, {_or_blank(form.get('agency_name'), SHORT_BLANK)} đề nghị Ông/Bà "
        "bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:",
    )
    items = _records(form.get("items"))
    _numbered(
        pdf,
        [
            (
                _or_blank(item.get("name")),
                f"Lý do: {_text(item.get('reason'))}" if _text(item.get("reason")) else "",
            )
            for item in items
        ],
    )
    note = _text(form.get("note"))
    if note:
        _field(pdf, "Ghi chú", note)
    pdf.ln(2)
    _paragraph(
        pdf,
        "Trong quá trình bổ sung, hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ "
        f"{_or_blank(form.get('contact'), SHORT_BLANK)} để được hướng dẫn.",
    )
    _signatures(pdf, [("NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)", form.get("officer"))])
    return _output(pdf)


# -- Mẫu 03 -------------------------------------------------------------------------------------------------


def refusal_pdf(form: Mapping[str, Any]) -> bytes:
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03).

    Keys: ``agency_name``, ``dossier_code`` (may be absent: the dossier is often never registered),
    ``applicant_name``, ``procedure_name``, ``reasons`` (list of strings; one string is accepted too),
    ``refused_at`` (ISO), ``officer`` (the receiving officer's name). All optional.
    """
    code = _text(form.get("dossier_code"))
    pdf = _document(REFUSAL_TITLE, _creation_date(form.get("refused_at")), _footer_text(code))
    _header(pdf, REFUSAL_FORM, form.get("agency_name"), form.get("refused_at"))
    _title(pdf, REFUSAL_TITLE)
    _field(pdf, "Tiếp nhận hồ sơ của", form.get("applicant_name"))
    _field(pdf, "Mã hồ sơ", code)
    _field(pdf, "Nội dung yêu cầu giải quyết", form.get("procedure_name"))
    _field(pdf, "Thời gian", format_datetime(form.get("refused_at")))
    pdf.ln(2)
    _paragraph(
        pdf,
        f"Qua xem xét, {_or_blank(form.get('agency_name'), SHORT_BLANK)} thông báo không tiếp nhận, giải "
        "quyết hồ sơ này với lý do cụ thể như sau:",
    )
    _numbered(pdf, [(reason, "") for reason in _strings(form.get("reasons"))])
    pdf.ln(2)
    _paragraph(pdf, "Xin thông báo cho Ông/Bà được biết và thực hiện./.")
    _signatures(pdf, [("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", form.get("officer"))])
    return _output(pdf)


# -- Mẫu 04 -------------------------------------------------------------------------------------------------


def apology_pdf(form: Mapping[str, Any]) -> bytes:
    """Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (Mẫu 04): the apology and new appointment.

    Keys: ``agency_name``, ``dossier_code``, ``applicant_name``, ``procedure_name``, ``received_at``,
    ``original_due``, ``new_due``, ``sent_at`` (all ISO), ``reason`` (why it is late), ``signer`` (the head of
    the agency who signs). All optional.
    """
    code = _text(form.get("dossier_code"))
    agency = _or_blank(form.get("agency_name"), SHORT_BLANK)
    pdf = _document(
        APOLOGY_TITLE, _creation_date(form.get("sent_at"), form.get("new_due")), _footer_text(code)
    )
    _header(pdf, APOLOGY_FORM, form.get("agency_name"), form.get("sent_at"))
    _title(pdf, APOLOGY_TITLE)
    _field(pdf, "Kính gửi", form.get("applicant_name"), strong=True)
    pdf.ln(1)
    received = format_datetime(form.get("received_at")) or SHORT_BLANK
    _paragraph(pdf, f"Ngày {received}, {agency} tiếp nhận giải quyết hồ sơ của Ông/Bà.")
    _field(pdf, "Mã hồ sơ", code)
    _field(pdf, "Nội dung yêu cầu giải quyết", form.get("procedure_name"))
    _field(pdf, "Thời gian hẹn trả kết quả giải quyết hồ sơ", format_datetime(form.get("original_due")))
    _paragraph(pdf, f"Tuy nhiên đến nay, {agency} chưa trả kết quả giải quyết hồ sơ của Ông/Bà.")
    _field(pdf, "Lý do", form.get("reason"))
    pdf.ln(1)
    _paragraph(
        pdf,
        f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {agency} xin lỗi Ông/Bà và đề nghị gia hạn thời gian "
        "giải quyết; kết quả giải quyết hồ sơ sẽ được trả cho Ông/Bà vào:",
    )
    _field(pdf, "Thời gian hẹn trả kết quả mới", format_datetime(form.get("new_due")), strong=True)
    pdf.ln(1)
    _paragraph(pdf, "Xin trân trọng cảm ơn./.")
    _signatures(pdf, [("THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)", form.get("signer"))])
    return _output(pdf)


# The dossier's printed forms by the name the API serves them under (GET /v1/dossiers/{code}/forms/{form}).
FORM_RENDERERS: dict[str, Callable[[Mapping[str, Any]], bytes]] = {
    "mau-01": receipt_slip_pdf,
    "mau-02": completion_request_pdf,
    "mau-04": apology_pdf,
}
