"""Danish public holidays (søgnehelligdage) from the maintained ``holidays`` library.

R12 in AGREEMENT.md: the norm is reduced by weekly_h/5 per holiday on a
weekday; 24/12 counts from the start of the day shift; 31/12 from 12:00 pays
the holiday supplement; 1 May and Grundlovsdag from 12:00 are paid as Sunday
without norm reduction. Store Bededag is not a holiday from 2024 (the library
knows).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

#: Holidays that reduce the norm, in addition to the library's public ones.
FULL_EXTRA = {(12, 24): "Juleaftensdag"}
#: Days paid as holiday from 12:00 without norm reduction.
AFTERNOON = {(12, 31): "Nytårsaftensdag", (5, 1): "1. maj", (6, 5): "Grundlovsdag"}


@lru_cache(maxsize=64)
def public_holidays(year: int) -> dict[date, str]:
    """The year's søgnehelligdage with Danish names (incl. 24/12), Sundays included."""
    days = dict(holidays.country_holidays("DK", years=year, language="da").items())
    for (month, day), name in FULL_EXTRA.items():
        days[date(year, month, day)] = name
    return days


def holidays_between(start: date, end: date) -> dict[date, str]:
    """Holidays in [start, end)."""
    found: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        found.update({d: n for d, n in public_holidays(year).items() if start <= d < end})
    return found


def norm_reducing_holidays(start: date, end: date) -> dict[date, str]:
    """Holidays in [start, end) that fall on a weekday (Mon–Fri) and so reduce the norm."""
    return dict(_norm_reducing(start, end))


@lru_cache(maxsize=256)
def _norm_reducing(start: date, end: date) -> tuple[tuple[date, str], ...]:
    """``norm_reducing_holidays`` cached (R5 asks once per person of a plan)."""
    return tuple((d, n) for d, n in holidays_between(start, end).items() if d.weekday() < 5)


def is_holiday_moment(moment: datetime, day_shift_start: time = time(7, 0)) -> bool:
    """Whether work at this local moment is paid as Sunday/holiday (R11 holiday band)."""
    day = moment.date()
    if (day.month, day.day) == (12, 24):
        return moment.time() >= day_shift_start
    if (day.month, day.day) in AFTERNOON:
        return moment.time() >= time(12, 0)
    return day in public_holidays(day.year) or day.weekday() == 6


def next_day(day: date) -> date:
    return day + timedelta(days=1)
