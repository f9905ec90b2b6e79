"""Every read model, opened together on the store the settings name.

``open_read_models(settings)`` opens the live views; with ``as_of`` (or
another ``suffix``) it opens a separate set of views — SQLite files or
PostgreSQL tables of their own — so a view "as of 1 February" never disturbs
the live ones. ``reset`` empties views before a rebuild.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.projection import Projection

from domain.settings import Settings
from projections.audittrail import AuditTrail
from projections.citizenhistory import CitizenHistory
from projections.rostergrid import RosterGrid
from projections.rows import RowView
from projections.rulechecks import RuleChecks
from projections.runlists import RunLists
from projections.runner import make_view
from projections.teamoverview import TeamOverview
from projections.teams import TeamDirectory

#: Every read model, in the order status and rebuild list them.
READ_MODELS: tuple[type[Projection[Any]], ...] = (
    TeamDirectory, TeamOverview, RosterGrid, RuleChecks, RunLists, CitizenHistory, AuditTrail,
)
#: Small connection pools: one process holds a view of each read model.
VIEW_POOL = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "2"}


def storage_name(projection_class: type[Projection[Any]], as_of: date | None = None,
                 suffix: str = "") -> str:
    """Where a read model's view lives: its name, plus ``AsOfYYYYMMDD`` or a suffix."""
    name = projection_class.name
    if as_of is not None:
        name += f"AsOf{as_of:%Y%m%d}"
    return name + suffix


@dataclass
class ReadModels:
    """Opened read models by name; close them when done."""

    projections: dict[str, Projection[Any]]

    def __getitem__(self, name: str) -> Projection[Any]:
        return self.projections[name]

    def __iter__(self) -> Iterator[Projection[Any]]:
        return iter(self.projections.values())

    def view(self, name: str) -> Any:
        """The view of the read model ``name`` (e.g. ``"TeamOverview"``)."""
        return self.projections[name].view

    def close(self) -> None:
        for projection in self.projections.values():
            projection.view.close()  # type: ignore[attr-defined]

    def __enter__(self) -> ReadModels:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_read_models(
    settings: Settings, extra_env: Mapping[str, str] | None = None, *,
    as_of: date | None = None, suffix: str = "", names: Sequence[str] | None = None,
) -> ReadModels:
    """Open the views of every read model (or those ``names``) for these settings."""
    env = {**VIEW_POOL, **(extra_env or {})}
    opened: dict[str, Projection[Any]] = {}
    try:
        for cls in READ_MODELS:
            if names is not None and cls.name not in names:
                continue
            view = make_view(settings, env, projection_class=cls,
                             name=storage_name(cls, as_of, suffix))
            opened[cls.name] = cls(view)
    except BaseException:
        ReadModels(opened).close()
        raise
    return ReadModels(opened)


def reset(read_models: ReadModels, *, defer_indexes: bool = False) -> None:
    """Empty every view (tables dropped and made again, positions back to the start);
    ``defer_indexes``: without their secondary indexes, made at the end of the rebuild
    (``projections.parallel.rebuild``) or when the view is next opened."""
    for projection in read_models:
        view = projection.view
        if not isinstance(view, RowView):
            raise TypeError(f"{projection.name} cannot be reset")
        view.drop_tables(defer_indexes=defer_indexes)
