"""The build's notion of now: SOURCE_DATE_EPOCH when set (reproducible builds), else the clock."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime


def build_time() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def build_day() -> date:
    """Today, for every date a page works out (blocked for, overdue, uncommitted)."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return build_time().date()
    return date.today()
