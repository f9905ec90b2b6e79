"""Real elapsed time in Europe/Copenhagen, and free intervals between shifts."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import islice
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


def shift_hours(shift: Shift) -> float:
    """A shift's real length in hours (a DST night is 1 h shorter or longer)."""
    return span_hours(shift.start, shift.end)


@lru_cache(maxsize=65536)
def span_hours(start: datetime, end: datetime) -> float:
    """Real hours from ``start`` to ``end``; cached by the two moments (many shifts of a
    roster share them, and hashing two datetimes is cheaper than hashing a Shift)."""
    return hours(start, end)


def work_blocks(shifts: Iterable[Shift]) -> list[tuple[datetime, datetime]]:
    """Merge overlapping or touching shifts into blocks of continuous work (UTC)."""
    return merge_intervals([(to_utc(s.start), to_utc(s.end)) for s in shifts])


def merge_intervals(intervals: list[tuple[datetime, datetime]]
                    ) -> list[tuple[datetime, datetime]]:
    """Merge overlapping or touching (UTC) intervals into blocks, in time order."""
    blocks: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if blocks and start <= blocks[-1][1]:
            blocks[-1] = (blocks[-1][0], max(blocks[-1][1], end))
        else:
            blocks.append((start, end))
    return blocks


def longest_free(
    blocks: list[tuple[datetime, datetime]], window_start: datetime, window_end: datetime,
    first: int = 0,
) -> tuple[timedelta, datetime, datetime]:
    """The longest work-free interval inside [window_start, window_end] (UTC times).

    ``first`` skips blocks known to end at or before ``window_start`` (see ``FreeTime``).
    """
    cursor = window_start
    best = (timedelta(0), window_start, window_start)
    for start, end in islice(blocks, first, None):
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


#: Bounds of the free time before a person's first and after their last block.
_NEVER_BEFORE = datetime.min.replace(tzinfo=UTC)
_NEVER_AFTER = datetime.max.replace(tzinfo=UTC)


@lru_cache(maxsize=64)
def rest_threshold(rest_h: float) -> timedelta:
    """The shortest free time that counts as ``rest_h`` hours under the rules' test
    ``free.total_seconds() / 3600 + 1e-9 >= rest_h`` (the test only grows with
    ``free``, so comparing with this timedelta gives the same verdict, exactly)."""
    low, high = 0, int(rest_h * 3600 * 1_000_000) + 1_000_000  # microseconds
    while low < high:
        middle = (low + high) // 2
        if timedelta(microseconds=middle).total_seconds() / 3600 + 1e-9 >= rest_h:
            high = middle
        else:
            low = middle + 1
    return timedelta(microseconds=low)


class FreeTime:
    """One person's work blocks (UTC), indexed for the rest rules' questions about the
    free time in a window (R1 asks for every shift end, R2 for every day), answered
    exactly as ``longest_free`` would."""

    def __init__(self, blocks: list[tuple[datetime, datetime]]) -> None:
        self.blocks = blocks
        self._ends = [end for _, end in blocks]
        #: The free intervals between the blocks, unbounded before the first and after
        #: the last; inside a window, the free time is these intervals clipped to it.
        self._gaps = list(zip([_NEVER_BEFORE, *self._ends],
                              [start for start, _ in blocks] + [_NEVER_AFTER], strict=True))

    def longest(self, window_start: datetime, window_end: datetime
                ) -> tuple[timedelta, datetime, datetime]:
        """``longest_free(blocks, window_start, window_end)``, skipping earlier blocks."""
        first = bisect_right(self._ends, window_start)
        return longest_free(self.blocks, window_start, window_end, first)

    def without_rest(self, windows: list[tuple[datetime, datetime]], rest_h: float
                     ) -> list[int]:
        """The indices (ascending) of the windows whose longest free interval is shorter
        than ``rest_h`` hours by the rules' test (see ``rest_threshold``).

        A free interval (a, b) gives a window [s, e] the rest when b − a, e − a, b − s
        and e − s all reach the threshold. When the windows' starts and ends both grow
        (R2's days; R1's 24 hours before each shift end, unless shifts overlap), the
        windows one free interval serves form a run found by bisection, so a person
        costs a few bisections rather than a scan per window.
        """
        need = rest_threshold(rest_h)
        starts = [start for start, _ in windows]
        ends = [end for _, end in windows]
        if starts != sorted(starts) or ends != sorted(ends):
            return [i for i, window in enumerate(windows) if not self._rests(*window, need)]
        short: list[int] = []
        served = 0  # windows before this one are served or already listed as short
        for gap_start, gap_end in self._gaps:
            if gap_end - gap_start < need:
                continue
            low = bisect_left(ends, gap_start + need)
            high = bisect_right(starts, gap_end - need)
            if low < high:
                short.extend(range(served, low))
                served = max(served, high)
        short.extend(range(served, len(windows)))
        too_short = [i for i, (start, end) in enumerate(windows) if end - start < need]
        return sorted({*short, *too_short}) if too_short else short

    def _rests(self, window_start: datetime, window_end: datetime, need: timedelta) -> bool:
        return any(min(end, window_end) - max(start, window_start) >= need
                   for start, end in self._gaps)


def local(moment: datetime) -> datetime:
    """A UTC moment back to naive Copenhagen wall-clock time."""
    return moment.astimezone(COPENHAGEN).replace(tzinfo=None)
