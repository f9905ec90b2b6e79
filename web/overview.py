"""Teamoverblik: a team's figures per ISO week as charts, with the numbers beside them.

``/teams/<code>/overblik?fra=2026-W02&til=2026-W09`` shows continuity,
contact-person share, client time (Danish BTP and Buurtzorg-style), sick
leave, the rehabilitation effect, bids met and puzzling activity for each
week, every figure with its number of observations. Without ``fra``/``til``
it shows the eight weeks up to the latest delivered day. The figures come from
the team overview read model (``projections.teamoverview``), caught up with
the event log on each request. No personal data: citizens and staff appear
only as counts, so every role that may read the team sees the same page.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from domain.errors import ValidationFailed
from domain.teams import team_id
from projections.catalogue import VIEW_POOL
from projections.events import iso_week
from projections.runner import make_view
from projections.teamfigures import Figures, week_figures
from projections.teamoverview import TeamOverview, TeamOverviewView
from web import services
from web.authz import require_team
from web.figurepanels import panels

bp = Blueprint("overview", __name__)

T = TypeVar("T")
log = logging.getLogger(__name__)

DEFAULT_WEEKS = 8
CACHE_SIZE = 64
MAX_WEEKS = 104
WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")
WEEK_DA = "Skriv ugen som ÅÅÅÅ-Wuu, fx 2026-W05."


def invalid(field: str, english: str, danish: str) -> ValidationFailed:
    """A 422 naming ``field``, in English (logs, programs) and Danish (people)."""
    return ValidationFailed({field: [english]}, {field: [danish]})


def parse_week(field: str, text: str) -> date:
    """The Monday of ISO week ``2026-W05``; :raise ValidationFailed: naming ``field``."""
    match = WEEK.match(text.strip())
    try:
        if match is None or not 2000 <= int(match[1]) <= 2099:
            raise ValueError
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise invalid(field, f"not an ISO week like 2026-W05: {text[:20]!r}",
                      f"'{text[:20]}' er ikke en uge. {WEEK_DA}") from None


def latest_day(view: TeamOverviewView) -> date:
    """The latest delivered day in the log (the business clock), else today."""
    rows = view.select("SELECT day FROM {clock} WHERE name = ?", ("business",))
    return date.fromisoformat(rows[0]["day"]) if rows and rows[0]["day"] else date.today()


def week_range(view: TeamOverviewView, first: str | None, last: str | None,
               names: tuple[str, str] = ("first", "last")) -> tuple[date, date]:
    """The Mondays of the first and last week to show (defaults: the 8 latest weeks).

    :raise ValidationFailed: naming the field when a week is not ``YYYY-Www``, the last
        lies before the first, or the range is longer than ``MAX_WEEKS``.
    """
    start = parse_week(names[0], first) if first else None
    end = parse_week(names[1], last) if last else None
    if end is None:
        latest = latest_day(view)
        latest -= timedelta(days=latest.weekday())
        end = latest if start is None or start <= latest else (
            start + timedelta(weeks=DEFAULT_WEEKS - 1))
    if start is None:
        start = end - timedelta(weeks=DEFAULT_WEEKS - 1)
    if end < start:
        raise invalid(names[1], f"{iso_week(end)} lies before {iso_week(start)}",
                      f"Til-ugen ({iso_week(end)}) ligger før fra-ugen ({iso_week(start)}).")
    if (end - start).days // 7 + 1 > MAX_WEEKS:
        raise invalid(names[1], f"more than {MAX_WEEKS} weeks",
                      f"Vis højst {MAX_WEEKS} uger ad gangen.")
    return start, end


def cached(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, remembered per key and position in the event log.

    The position is read before the read model catches up, so a result is never
    kept under a position older than the events it includes; any new event makes
    a new key. A wall screen reloading every minute then costs a dictionary look-up.
    """
    cache, lock = current_app.extensions.setdefault(
        "pusleplan_figure_cache", (OrderedDict(), threading.Lock()))
    key = (*key, services().event_count())
    with lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]  # type: ignore[no-any-return]
    value = compute()
    with lock:
        cache[key] = value
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return value


def team_weeks(code_or_id: Any, first: str | None, last: str | None,
               names: tuple[str, str] = ("first", "last")
               ) -> tuple[dict[str, Any], list[Figures]]:
    """The team (404 if unknown, 403 if not the user's) and its figures per week."""
    team = services().app.team(code_or_id if not isinstance(code_or_id, str)
                               else team_id(code_or_id))
    require_team(current_user, team["id"])

    def compute() -> list[Figures]:
        with services().overview() as view:
            start, end = week_range(view, first, last, names)
            return week_figures(view, str(team["id"]), iso_week(start), iso_week(end))

    return team, cached(("weeks", str(team["id"]), first, last, names), compute)


@bp.get("/teams/<code>/overblik")
def page(code: str) -> tuple[str, int] | str:
    """The Teamoverblik page; bad weeks give the page again with the field named (422)."""
    first, last = request.args.get("fra") or None, request.args.get("til") or None
    try:
        team, weeks = team_weeks(code, first, last, ("fra", "til"))
    except ValidationFailed as error:
        team = services().app.team(team_id(code))
        field = error.field or ""
        message = error.errors_da.get(field, [error.message])[0]
        return render_template("overblik.html", team=team, weeks=[], panels=[],
                               error={"field": field, "message": message},
                               fra=first or "", til=last or ""), 422
    return render_template("overblik.html", team=team, weeks=weeks, panels=panels(weeks),
                           error=None, fra=weeks[0].week if weeks else "",
                           til=weeks[-1].week if weeks else "",
                           observed=sum(w.visits for w in weeks))


def init_app(app: Any) -> None:
    """Register Teamoverblik, Evaluering and their JSON API (after ``web.api.init_app``)."""
    from web import api_overview, evaluation

    settings = app.config["PUSLEPLAN_SETTINGS"]
    extra_env = dict(app.config.get("PUSLEPLAN_EXTRA_ENV") or {})
    view = make_view(settings, {**VIEW_POOL, **extra_env}, projection_class=TeamOverview)
    app.extensions["pusleplan"].team_overview = TeamOverview(view)
    if not app.testing:  # catch up now, so the first visitor does not wait for the whole log
        threading.Thread(target=_warm_up, args=(app.extensions["pusleplan"],),
                         name="overview-warm-up", daemon=True).start()
    app.register_blueprint(bp)
    app.register_blueprint(evaluation.bp)
    api_overview.init_app(app)


def _warm_up(svc: Any) -> None:
    """Bring the team overview up to the end of the log in the background."""
    try:
        with svc.overview():
            pass
    except Exception:  # the app was closed meanwhile, or the store is unreachable
        log.warning("the team overview could not catch up in the background", exc_info=True)
