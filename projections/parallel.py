"""A rebuild on two cores: the read models in two groups, each caught up by its own process.

A full rebuild spends most of its time in the read models' own Python code,
which one process runs on one core. ``rebuild(...)`` splits the read models
into two groups of about equal work (``SECOND_GROUP`` goes to a second
process) and brings both up to the end of the same log at once: each process
reads and deserialises the log itself and runs the same projection code
(``projections.runner.catch_up_all``), and each view still commits its rows
with its tracking record in one transaction, so a crash of either process
loses or doubles nothing; a restarted catch-up continues from each view's own
position. With one group empty (``--only``, or a single read model) nothing
is started.

The second process is *spawned* (a fresh interpreter that opens its own
application and views from the settings): open database connections are never
shared across a fork.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from domain.application import Pusleplan
from domain.settings import Settings
from projections.catalogue import ReadModels, open_read_models
from projections.rows import RowView
from projections.runner import Progress, catch_up_all

#: The read models the second process rebuilds: with the others about half the work
#: (each handles every planned and delivered visit; the audit trail, the team
#: overview and the three small read models stay in the first).
SECOND_GROUP = ("RunLists", "CitizenHistory")
#: Seconds between looks at the second process while waiting for it.
POLL = 0.05
#: How long the machine is watched before choosing one or two processes, and how
#: much of a core must have been idle meanwhile for the second one.
IDLE_SAMPLE_S = 0.3
IDLE_CORES = 0.7


def processes_that_help() -> int:
    """2 when a second core is idle enough to run the second group, else 1.

    The two processes each read and deserialise the log, so together they use
    about a third more CPU than one: on a busy machine the second process only
    competes for the same cores and makes the rebuild slower. "Idle enough" is
    measured over ``IDLE_SAMPLE_S`` (the cores' idle time in ``/proc/stat``):
    at least ``IDLE_CORES`` of a core free. The load average, where that is not
    available, also counts this process's own recent work (a benchmark that has
    just written its history), so it is read less strictly than it looks.
    """
    cores = os.cpu_count() or 1
    if cores < 2:
        return 1
    idle = idle_cores(IDLE_SAMPLE_S)
    if idle is not None:
        return 2 if idle >= IDLE_CORES else 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available on this platform
        load = 0.0
    return 2 if load < cores - 1 else 1


def idle_cores(seconds: float, stat: Path = Path("/proc/stat")) -> float | None:
    """How many cores were idle on average over the next ``seconds`` (None: unknown)."""
    first = _cpu_times(stat)
    if first is None:
        return None
    time.sleep(seconds)
    second = _cpu_times(stat)
    if second is None:
        return None
    total = second[0] - first[0]
    if total <= 0:
        return None
    return (os.cpu_count() or 1) * (second[1] - first[1]) / total


def _cpu_times(stat: Path) -> tuple[int, int] | None:
    """(all jiffies, idle + iowait jiffies) from the ``cpu`` line of ``/proc/stat``."""
    try:
        line = stat.read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    fields = line.split()
    if not fields or fields[0] != "cpu":
        return None
    values = [int(v) for v in fields[1:]]
    return sum(values), values[3] + (values[4] if len(values) > 4 else 0)


def split(names: Sequence[str]) -> tuple[list[str], list[str]]:
    """The read models ``names`` as (first process, second process)."""
    return ([n for n in names if n not in SECOND_GROUP], [n for n in names if n in SECOND_GROUP])


def rebuild(
    app: Pusleplan, models: ReadModels, settings: Settings,
    extra_env: Mapping[str, str] | None = None, *, as_of: date | None = None,
    suffix: str = "", batch_size: int = 1000, transaction_size: int | None = None,
    progress: Progress | None = None, processes: int | None = None,
) -> int:
    """Bring ``models`` (opened with ``as_of``/``suffix`` from these settings) to the end
    of the log, in two processes when ``processes`` is 2 (``None``: when that helps,
    ``processes_that_help``); return notifications read
    (by this process: the whole log, as a one-process catch-up). At the end every
    view has its secondary indexes (left out by ``reset(defer_indexes=True)``).

    Raises RuntimeError if the second process fails; its views then stand where
    its last committed batch left them, like those of an interrupted catch-up.
    """
    here, there = split(list(models.projections))
    if processes is None:
        processes = processes_that_help()
    if processes < 2 or not here or not there:
        read = catch_up_all(app, list(models), batch_size=batch_size, as_of=as_of,
                            progress=progress, transaction_size=transaction_size)
        _create_indexes(list(models))
        return read
    context = multiprocessing.get_context("spawn")
    position = context.Value("q", 0, lock=False)
    child = context.Process(
        target=_catch_up_group, name="projections-rebuild",
        args=(settings, dict(extra_env or {}), there, as_of, suffix, batch_size,
              transaction_size, position))
    child.start()
    try:
        def both(own: int, last: int) -> None:
            if progress is not None:
                progress(min(own, position.value), last)

        read = catch_up_all(app, [models[n] for n in here], batch_size=batch_size,
                            as_of=as_of, progress=both, transaction_size=transaction_size)
        _create_indexes([models[n] for n in here])
        last = app.recorder.max_notification_id() or 0
        while child.is_alive():
            both(last, last)
            child.join(POLL)
    except BaseException:
        if child.is_alive():
            child.kill()
        child.join()
        raise
    for name in there:  # written by the other process: forget what this one cached
        view = models.view(name)
        if hasattr(view, "reset"):
            view.reset()
    if child.exitcode != 0:
        raise RuntimeError(f"rebuilding {', '.join(there)} failed (exit code {child.exitcode})")
    if progress is not None:
        progress(position.value, max(position.value, last))
    return read


def _catch_up_group(settings: Settings, extra_env: dict[str, str], names: list[str],
                    as_of: date | None, suffix: str, batch_size: int,
                    transaction_size: int | None, position: Any) -> None:
    """The second process: open the application and the views ``names``, catch them up."""
    app = Pusleplan.from_settings(settings, **extra_env)
    try:
        with open_read_models(settings, extra_env, as_of=as_of, suffix=suffix,
                              names=names) as models:
            def report(own: int, last: int) -> None:
                position.value = own

            catch_up_all(app, list(models), batch_size=batch_size, as_of=as_of,
                         progress=report, transaction_size=transaction_size)
            _create_indexes(list(models))
    finally:
        app.close()


def _create_indexes(projections: list[Any]) -> None:
    """Make the secondary indexes a rebuild left out (``reset(defer_indexes=True)``)."""
    for projection in projections:
        view = projection.view
        if isinstance(view, RowView):
            view.create_indexes()
