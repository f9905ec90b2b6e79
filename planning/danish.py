"""Danish wording for explanations: weekdays, dates, durations."""

from __future__ import annotations

from datetime import date, datetime

WEEKDAYS_DA = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
             "september", "oktober", "november", "december")


def day_da(day: date) -> str:
    """'tirsdag 24. november'."""
    return f"{WEEKDAYS_DA[day.weekday()]} {day.day}. {MONTHS_DA[day.month - 1]}"


def moment_da(moment: datetime) -> str:
    """'tirsdag 24. november kl. 15:00'."""
    return f"{day_da(moment.date())} kl. {moment:%H:%M}"


def duration_da(hours: float) -> str:
    """'10 t 59 min' (rounded down to whole minutes, so 10:59:59 never reads as 11 t)."""
    total_minutes = int(hours * 60 + 1e-9) if hours >= 0 else -int(-hours * 60 + 1e-9)
    sign = "-" if total_minutes < 0 else ""
    h, m = divmod(abs(total_minutes), 60)
    return f"{sign}{h} t {m} min" if m else f"{sign}{h} t"


def number_da(value: float, decimals: int = 1) -> str:
    """'37,5' — Danish decimal comma."""
    return f"{value:.{decimals}f}".replace(".", ",")


def kroner_da(amount: float) -> str:
    """'2.371,83 kr.' — thousands point, decimal comma."""
    text = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{text} kr."
