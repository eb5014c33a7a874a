"""Dossier codes (mã hồ sơ): ``{receiving agency code}-{yyMMdd}-{NNNN}`` (DOMAIN §3.2). Pure."""

from __future__ import annotations

import re
from datetime import date

# ASCII digits only and no trailing newline: \d and $ would accept "０" and "…0001\n".
CODE_PATTERN = re.compile(r"(?P<agency>[0-9A-Z.]+)-(?P<day>[0-9]{6})-(?P<seq>[0-9]{4,})")


def sequence_scope(agency_code: str, day: date) -> str:
    """The counter a code draws from: one per receiving agency per day, without gaps."""
    return f"{agency_code}#{day:%y%m%d}"


def format_code(agency_code: str, day: date, sequence: int) -> str:
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def is_dossier_code(text: str) -> bool:
    return CODE_PATTERN.fullmatch(text) is not None
