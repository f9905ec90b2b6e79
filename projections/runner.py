"""Follow the event log into read models: one code path for SQLite and PostgreSQL.

``catch_up`` reads the application's notification log after the view's tracked
position and feeds each event to the projection, which writes the view and the
tracking record in one transaction. It works the same on both stores (the
SQLite application recorder cannot ``subscribe`` in eventsourcing 9.5, see the
"Known trap" in STYLE.md), so a web request, a test or a projection process
can call it whenever it wants the view current.

Position and topics: the log is read with the projection's ``topics``, so
events the projection does not use never reach it and are skipped by the
database. The tracked position is therefore the id of the last *relevant*
event; after ``catch_up`` returns, ``view.max_tracking_id(app.name)`` equals
the id of the last notification whose topic is in ``projection.topics``. The
next call starts after it and the filter skips the irrelevant ones again, so
nothing is lost or counted twice. A projection whose ``topics`` change must be
rebuilt into a fresh view (a new ``name``), since older events of a new topic
lie before its tracked position.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, cast

from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    Tracking,
    TrackingRecorder,
)
from eventsourcing.projection import Projection
from eventsourcing.utils import Environment

from domain.application import Pusleplan
from domain.settings import Settings
from projections.teams import TeamDirectory, TeamDirectoryView

log = logging.getLogger(__name__)

#: Where SQLite views live, one file per read model, inside the data directory.
VIEWS_DIR = "views"


def catch_up(
    app: Pusleplan, projection: Projection[Any], view: TrackingRecorder | None = None,
    batch_size: int = 500,
) -> int:
    """Process every new relevant event into the projection's view.

    Args:
        app: the application whose notification log is followed.
        projection: the projection; it writes to ``projection.view``.
        view: the projection's view (optional; must be ``projection.view``).
        batch_size: how many notifications to read at a time.

    Returns:
        The number of events this call processed.

    Two runners catching up the same view at once (two web threads, two
    processes) are safe: the loser's transaction fails on the tracking record
    and rolls back; it then continues after the winner's position.
    """
    if view is not None and view is not projection.view:
        raise ValueError("view must be the projection's own view")
    view = projection.view
    processed = 0
    position = view.max_tracking_id(app.name) or 0
    while True:
        notifications = app.recorder.select_notifications(
            start=position + 1, limit=batch_size, topics=projection.topics
        )
        for notification in notifications:
            event = app.mapper.to_domain_event(notification)
            try:
                projection.process_event(event, Tracking(app.name, notification.id))
            except IntegrityError:
                latest = view.max_tracking_id(app.name) or 0
                if latest < notification.id:
                    raise  # not a race with another runner: a defect
                log.info("%s: another runner got to %d first", projection.name, latest)
                position = latest
                break
            position = notification.id
            processed += 1
        else:
            if len(notifications) < batch_size:
                return processed


def view_environment(settings: Settings, extra_env: Mapping[str, str] | None, name: str
                     ) -> Environment:
    """The eventsourcing environment for a read model's view named ``name``.

    SQLite: a file of its own, ``<data dir>/views/<name>.sqlite`` (views have no
    tables in common, and each file has one ``tracking`` table). PostgreSQL: the
    event store's database and ``POSTGRES_SCHEMA``, tables prefixed ``<name>_``.
    """
    env = {**settings.eventsourcing_env(), **(extra_env or {})}
    for key in ("CIPHER_TOPIC", "CIPHER_KEY"):  # views are not event stores
        env.pop(key, None)
    if not settings.uses_postgres:
        views_dir = settings.data_dir / VIEWS_DIR
        views_dir.mkdir(parents=True, exist_ok=True)
        env["SQLITE_DBNAME"] = str(views_dir / f"{name.lower()}.sqlite")
    return Environment(name, env)


def make_view(
    settings: Settings, extra_env: Mapping[str, str] | None = None, *,
    projection_class: type[Projection[Any]] = TeamDirectory, name: str | None = None,
    view_class: type[TrackingRecorder] | None = None,
) -> TrackingRecorder:
    """Construct (and create the tables of) the view for the store the settings name.

    Args:
        settings: the store settings (SQLite data directory or PostgreSQL URL).
        extra_env: extra eventsourcing env, e.g. ``POSTGRES_SCHEMA``.
        projection_class: the read model; its ``view_classes`` hold one view
            class per store.
        name: the view's storage name (default the projection's name); another
            name gives a fresh, empty view, e.g. for a rebuild.
        view_class: use this class instead (tests: a view that crashes).

    Returns:
        The view, a tracking recorder; close it with ``view.close()``.
    """
    env = view_environment(settings, extra_env, name or projection_class.name)
    factory = InfrastructureFactory[Any].construct(env=env)
    if view_class is None:
        # The store's own tracking recorder class (SQLite or PostgreSQL) picks the view.
        base = getattr(factory, "tracking_recorder_class", None)
        choices = getattr(projection_class, "view_classes", ())
        view_class = next((c for c in choices if base and issubclass(c, base)), None)
        if view_class is None:
            raise TypeError(f"{projection_class.__name__} has no view for {type(factory)}")
    return factory.tracking_recorder(view_class)


def open_team_directory(settings: Settings, extra_env: Mapping[str, str] | None = None
                        ) -> TeamDirectory:
    """The team directory projection on its view for these settings."""
    return TeamDirectory(cast(TeamDirectoryView, make_view(settings, extra_env)))
