"""Follow the event log into read models: one code path for SQLite and PostgreSQL.

Two ways in, the same projection code (``projection.process_event``) behind both:

* ``catch_up(app, projection)`` — one read model, events read filtered by its
  topics (below). The web calls it to make the team directory current.
* ``catch_up_all(app, projections)`` — every read model in one pass over the
  log: each notification is read and deserialised once and given to each
  read model that wants its topic, which writes a batch of events per
  transaction (``RowView.batching``) with the tracking record of its last
  event; at the end of each page every view's position moves to the page's
  last notification, so events a read model ignores are tracked too. This is
  the rebuild, the SQLite follower (``follow`` polls it) and the first step of
  the PostgreSQL follower, which then hands over to eventsourcing's
  ``ProjectionRunner`` (LISTEN/NOTIFY), one event per transaction.

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

import functools
import gc
import inspect
import logging
import threading
import time
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import date
from typing import Any, cast

from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    Tracking,
    TrackingRecorder,
)
from eventsourcing.projection import Projection, ProjectionRunner
from eventsourcing.utils import Environment, resolve_topic

from domain.application import Pusleplan
from domain.settings import Settings
from projections.asof import AsOfDating
from projections.rows import RowView
from projections.teams import TeamDirectory, TeamDirectoryView

Progress = Callable[[int, int], None]

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


def position_of(app: Pusleplan, projection: Projection[Any]) -> int:
    """The projection's position in the log, counting events buffered in a batch."""
    view = projection.view
    if isinstance(view, RowView):
        return view.position(app.name)
    return view.max_tracking_id(app.name) or 0


def catch_up_all(
    app: Pusleplan, projections: Sequence[Projection[Any]], *, batch_size: int = 1000,
    as_of: date | None = None, progress: Progress | None = None, pause: float = 0.0,
    transaction_size: int | None = None,
) -> int:
    """Bring every projection up to the end of the log in one pass; return notifications read.

    Args:
        app: the application whose notification log is read.
        projections: the read models; each may stand at its own position.
        batch_size: notifications per page, and (unless ``transaction_size`` says
            otherwise) events per view transaction.
        as_of: only events whose as-of date (``projections.asof``) is on or
            before this date change the views; later ones are only tracked.
        progress: called with (position, last notification id) after each page.
        pause: seconds to sleep between pages (throttle a catch-up on a busy store).
        transaction_size: events per view transaction (a rebuild: larger batches,
            fewer commits; each still commits its rows with its position).

    A batch refused because another runner moved a view meanwhile is dropped;
    the pass then continues from the positions the views really have.

    The cyclic garbage collector is paused during the pass: a rebuild keeps
    many rows and buffered writes alive, which makes every collection scan
    them again (a third of the time); nothing the pass makes forms cycles.
    """
    read = 0
    with ExitStack() as stack:
        stack.enter_context(_gc_paused())
        for projection in projections:
            if isinstance(projection.view, RowView):
                stack.enter_context(projection.view.batching(transaction_size or batch_size))
        while True:
            try:
                read += _one_pass(app, projections, batch_size, as_of, progress, pause)
                return read
            except IntegrityError:
                log.info("a view moved on under this runner; continuing from its position")


@contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _handler(projection: Projection[Any], topic: str) -> Callable[[Any, Tracking], None]:
    """The projection's handler for events of ``topic``, resolved once (not per event)."""
    bound = projection.process_event  # applies registrations deferred by eventsourcing
    method = inspect.getattr_static(type(projection), "process_event")
    if isinstance(method, functools.singledispatchmethod):
        return types.MethodType(method.dispatcher.dispatch(resolve_topic(topic)), projection)
    return bound


def _wants(topics: frozenset[str] | None, topic: str) -> bool:
    return topics is None or topic in topics


def _one_pass(app: Pusleplan, projections: Sequence[Projection[Any]], batch_size: int,
              as_of: date | None, progress: Progress | None, pause: float) -> int:
    positions = [position_of(app, p) for p in projections]
    wanted = [frozenset(p.topics) if p.topics else None for p in projections]
    routes: dict[str, list[tuple[int, Callable[[Any, Tracking], None]]]] = {}
    start = min(positions, default=0) + 1
    dating = _warmed_up_dating(app, start - 1) if as_of is not None else None
    last_id = app.recorder.max_notification_id() or 0
    read = 0
    name, decode = app.name, app.mapper.to_domain_event
    while True:
        page = app.recorder.select_notifications(start=start, limit=batch_size)
        for notification in page:
            event = None
            if dating is not None and as_of is not None:
                event = decode(notification)
                if dating.date_of(event) > as_of:
                    continue  # tracked at the end of the page
            topic, notification_id = notification.topic, notification.id
            route = routes.get(topic)
            if route is None:
                route = routes[topic] = [
                    (index, _handler(p, topic)) for index, p in enumerate(projections)
                    if _wants(wanted[index], topic)]
            tracking = Tracking(name, notification_id)
            for index, handler in route:
                if positions[index] < notification_id:
                    if event is None:  # read once, handed to every read model
                        event = decode(notification)
                    handler(event, tracking)
                    positions[index] = notification_id
        read += len(page)
        if page:
            end = page[-1].id
            for index, projection in enumerate(projections):
                if positions[index] < end:
                    projection.view.insert_tracking(Tracking(app.name, end))
                    positions[index] = end
            start = end + 1
            if progress is not None:
                progress(end, max(end, last_id))
        if len(page) < batch_size:
            return read
        if pause:
            time.sleep(pause)


def _warmed_up_dating(app: Pusleplan, until: int) -> AsOfDating:
    """The as-of dating as it stood after notification ``until`` (after a restart)."""
    dating = AsOfDating()
    start = 1
    while start <= until:
        page = app.recorder.select_notifications(start=start, limit=1000, stop=until)
        for notification in page:
            dating.date_of(app.mapper.to_domain_event(notification))
        if not page:
            break
        start = page[-1].id + 1
    return dating


def log_behind(app: Pusleplan, projection: Projection[Any], cap: int = 100_000) -> int:
    """How many notifications of the projection's topics lie after its position (≤ cap)."""
    position = projection.view.max_tracking_id(app.name) or 0
    behind = 0
    while behind < cap:
        page = app.recorder.select_notifications(start=position + 1, limit=5000,
                                                 topics=projection.topics)
        behind += len(page)
        if len(page) < 5000:
            break
        position = page[-1].id
    return min(behind, cap)


def follow(
    app: Pusleplan, projections: Sequence[Projection[Any]], stop: threading.Event, *,
    settings: Settings, extra_env: Mapping[str, str] | None = None, poll: float = 0.5,
    batch_size: int = 1000, on_round: Callable[[int], None] | None = None,
) -> None:
    """Keep the projections current until ``stop`` is set.

    Both stores first catch up in one batched pass. SQLite then polls the
    notification log every ``poll`` seconds (its recorder cannot subscribe in
    eventsourcing 9.5). PostgreSQL hands each read model to eventsourcing's
    ``ProjectionRunner``, which follows the log with LISTEN/NOTIFY and writes
    each event with its tracking record in one transaction; the views given
    here are then only used for the first pass.
    """
    catch_up_all(app, projections, batch_size=batch_size)
    if not settings.uses_postgres:
        while not stop.is_set():
            read = catch_up_all(app, projections, batch_size=batch_size)
            if on_round is not None:
                on_round(read)
            stop.wait(poll)
        return
    env = {**settings.eventsourcing_env(), **(extra_env or {}),
           "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "2"}
    with ExitStack() as stack:
        runners = [stack.enter_context(ProjectionRunner(
            application_class=Pusleplan, projection_class=type(p),
            view_class=type(p.view), env=env)) for p in projections]
        while not stop.is_set():
            for runner in runners:
                runner.run_forever(timeout=poll / max(1, len(runners)))
            if on_round is not None:
                on_round(0)
