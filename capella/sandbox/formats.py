"""How the API writes times and money."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["format_time", "money", "parse_time"]


def format_time(moment: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SS.mmmZ`, the API's timestamp format."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 string as an aware UTC datetime (naive means UTC), or None if it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def money(amount: float) -> str:
    """`$1,200.00`."""
    return f"${amount:,.2f}"
