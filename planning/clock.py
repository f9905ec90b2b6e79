"""Real elapsed time in Europe/Copenhagen, and free intervals between shifts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from planning.model import Shift

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
UTC = ZoneInfo("UTC")


def aware(moment: datetime) -> datetime:
    """Attach Europe/Copenhagen to a naive local time (the earlier reading if ambiguous)."""
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=COPENHAGEN)


@lru_cache(maxsize=131072)
def to_utc(moment: datetime) -> datetime:
    """A local (naive = Copenhagen) or aware moment in UTC; cached, as rules ask often."""
    return aware(moment).astimezone(UTC)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Real elapsed time between two local times, across DST switches."""
    return to_utc(end) - to_utc(start)


def hours(start: datetime, end: datetime) -> float:
    return elapsed(start, end).total_seconds() / 3600


@lru_cache(maxsize=65536)
def shift_hours(shift: Shift) -> float:
    """A shift's real length in hours (a DST night is 1 h shorter or longer)."""
    return hours(shift.start, shift.end)


def work_blocks(shifts: Iterable[Shift]) -> list[tuple[datetime, datetime]]:
    """Merge overlapping or touching shifts into blocks of continuous work (UTC)."""
    intervals = sorted((to_utc(s.start), to_utc(s.end)) for s in shifts)
    blocks: list[tuple[datetime, datetime]] = []
    for start, end in intervals:
        if blocks and start <= blocks[-1][1]:
            blocks[-1] = (blocks[-1][0], max(blocks[-1][1], end))
        else:
            blocks.append((start, end))
    return blocks


def longest_free(
    blocks: list[tuple[datetime, datetime]], window_start: datetime, window_end: datetime
) -> tuple[timedelta, datetime, datetime]:
    """The longest work-free interval inside [window_start, window_end] (UTC times)."""
    cursor = window_start
    best = (timedelta(0), window_start, window_start)
    for start, end in blocks:
        if end <= window_start:
            continue
        if start >= window_end:
            break
        if start > cursor and start - cursor > best[0]:
            best = (start - cursor, cursor, start)
        cursor = max(cursor, end)
    if window_end > cursor and window_end - cursor > best[0]:
        best = (window_end - cursor, cursor, window_end)
    return best


def local(moment: datetime) -> datetime:
    """A UTC moment back to naive Copenhagen wall-clock time."""
    return moment.astimezone(COPENHAGEN).replace(tzinfo=None)
