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
from collections.abc import Mapping, Sequence
from datetime import date
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


def processes_that_help() -> int:
    """2 when a second core is idle enough to run the second group, else 1.

    The two processes each read and deserialise the log, so together they use
    about a third more CPU than one: on a busy machine (load average at or above
    the number of cores less one) the second process only competes for the
    same cores and makes the rebuild slower.
    """
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available on this platform
        load = 0.0
    return 2 if cores >= 2 and load < cores - 1 else 1


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
