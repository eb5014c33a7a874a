"""Dossier codes (mã hồ sơ, DOMAIN §3.2): ``{receiving agency code}-{yyMMdd}-{NNNN}``."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.dossiers.codes import CODE_PATTERN, format_code, is_dossier_code, sequence_scope


# ----------------------------------------------------------------------------- format
def test_the_example_of_domain_3_2_is_reproduced() -> None:
    # Given agency 000.17.22.H56 receiving its first dossier on 31 May 2021
    # When the code is formatted
    code = format_code("000.17.22.H56", date(2021, 5, 31), 1)
    # Then it is the one DOMAIN §3.2 quotes
    assert code == "000.17.22.H56-210531-0001"


@pytest.mark.parametrize(
    ("sequence", "suffix"),
    [(1, "0001"), (7, "0007"), (42, "0042"), (305, "0305"), (9999, "9999"), (10000, "10000")],
)
def test_the_sequence_is_zero_padded_to_four_digits(sequence: int, suffix: str) -> None:
    code = format_code("H32.201", date(2026, 12, 4), sequence)
    assert code == f"H32.201-261204-{suffix}"
    assert is_dossier_code(code)


def test_the_day_is_two_digit_year_month_day() -> None:
    assert format_code("H32", date(2009, 1, 2), 3) == "H32-090102-0003"


@pytest.mark.parametrize("sequence", [0, -1, -9999])
def test_the_sequence_starts_at_one(sequence: int) -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        format_code("H32.201", date(2026, 12, 4), sequence)


def test_each_agency_and_day_draws_from_its_own_counter() -> None:
    day = date(2026, 12, 4)
    assert sequence_scope("H32.201", day) == "H32.201#261204"
    assert sequence_scope("H32.201", day) != sequence_scope("H32.202", day)
    assert sequence_scope("H32.201", day) != sequence_scope("H32.201", date(2026, 12, 5))


# ----------------------------------------------------------------------------- recognising codes
@pytest.mark.parametrize(
    "code",
    [
        "000.17.22.H56-210531-0001",  # DOMAIN §3.2 example, long agency identifier
        "H32.201-261204-0001",  # Khánh Hòa ward, short agency code
        "H32-250101-0042",  # the province itself
        "000.00.14.H56-991231-9999",
        "H32.201-261204-12345",  # more than 9999 in a day still reads as a code
    ],
)
def test_real_codes_are_recognised(code: str) -> None:
    assert is_dossier_code(code)


@pytest.mark.parametrize(
    "junk",
    [
        "",
        " ",
        "../../etc/passwd",
        "H32.201/../../x-261204-0001",
        "..%2F..%2Fetc-261204-0001",
        "h32.201-261204-0001",  # lowercase agency
        "H32.201-261204",  # no sequence
        "H32.201-0001",  # no day
        "261204-0001",  # no agency
        "-261204-0001",  # empty agency
        "H32.201-261204-",  # empty sequence
        "H32.201-261204-001",  # sequence not padded to four digits
        "H32.201-2612041-0001",  # seven-digit day
        "H32.201-26124-0001",  # five-digit day
        "H32.201-261204-0001-0002",  # extra part
        "H32.201_261204_0001",  # wrong separators
        " H32.201-261204-0001",  # leading space
        "H32.201-261204-0001 ",  # trailing space
        "H32 201-261204-0001",
        "H32.201-26I204-0001",  # letter in the day
    ],
)
def test_junk_is_not_a_dossier_code(junk: str) -> None:
    # Given text that only looks like a code, or not at all (e.g. a path parameter)
    # Then it is refused before any lookup
    assert not is_dossier_code(junk)


def test_a_code_followed_by_a_newline_is_not_a_code() -> None:
    # Given a path parameter that ends in a newline (``%0A``)
    # Then it is not a dossier code: ``$`` in CODE_PATTERN also matches before a final "\n", so the
    # pattern must anchor with ``\Z`` (or be used with ``fullmatch``).
    assert not is_dossier_code("H32.201-261204-0001\n")


@pytest.mark.parametrize("code", ["H32.201-261204-000١", "H32.201-２６１２０４-0001"])
def test_only_ascii_digits_make_a_code(code: str) -> None:
    # Given a code whose digits are Arabic-Indic or full-width (``\d`` matches every Unicode digit)
    # Then it is not a dossier code: format_code only ever writes 0-9
    assert not is_dossier_code(code)


# ----------------------------------------------------------------------------- round trip
AGENCY = st.from_regex(r"\A([0-9]{3}\.[0-9]{2}\.[0-9]{2}\.H[0-9]{2}|H[0-9]{2}(\.[0-9]{2,3}){0,2})\Z")
DAY = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(agency=AGENCY, day=DAY, sequence=st.integers(min_value=1, max_value=99_999))
def test_every_formatted_code_is_recognised_and_parses_back_to_its_parts(
    agency: str, day: date, sequence: int
) -> None:
    # Given any agency identifier, day and sequence
    # When a code is formatted
    code = format_code(agency, day, sequence)
    # Then it is a dossier code, and its parts come back unchanged
    assert is_dossier_code(code)
    match = CODE_PATTERN.fullmatch(code)
    assert match is not None
    assert match["agency"] == agency
    assert match["day"] == f"{day:%y%m%d}"
    assert int(match["seq"]) == sequence
    assert len(match["seq"]) == max(4, len(str(sequence)))


@given(agency=AGENCY, day=DAY, a=st.integers(1, 9999), b=st.integers(1, 9999))
def test_distinct_sequences_give_distinct_codes(agency: str, day: date, a: int, b: int) -> None:
    assert (format_code(agency, day, a) == format_code(agency, day, b)) == (a == b)
