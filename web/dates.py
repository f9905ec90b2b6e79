"""Dates and times as Danes write them (the UI's one format)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def danish_date(value: Any) -> str:
    """A date as Danes write it, ``18.11.2026``; with a time ``18.11.2026 kl. 14:25``.

    Takes a date, a datetime or their ISO text (as the read models store them); a
    time with a zone is shown in Copenhagen time. Anything else comes back as it is,
    and nothing as "" (the Jinja filter ``dato``).
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = (datetime.fromisoformat(value) if len(value) > 10
                     else date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(COPENHAGEN)
        return f"{value:%d.%m.%Y} kl. {value:%H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    return str(value)
