"""The one clock every service reads (time is never taken from ``datetime.now`` elsewhere).

Production reads the system time. Tests and the local cloud shift it with ``MOTCUA_CLOCK_OFFSET_SECONDS``
so that a late dossier is tested by moving the clock, never by sleeping.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """The current moment, timezone-aware, in Vietnam time."""
    offset = float(os.environ.get("MOTCUA_CLOCK_OFFSET_SECONDS", "0") or 0)
    return (datetime.now(UTC) + timedelta(seconds=offset)).astimezone(VN_TZ)
