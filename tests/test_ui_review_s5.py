"""UI review, round 5, through the Flask test client (both stores): no proposal for a day
that is over, the member's own name in the header, the Vagtplan grid's hours and norm
the same as the R5 recommendation's, and charts without data saying so in Danish."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from domain.values import AbsenceKind, Role
from planning.checker import check
from planning.danish import number_da
from tests.conftest import Store
from tests.factories import LEADER, MONDAY, at
from tests.web_support import (
    ADMIN,
    World,
    form_token,
    give_shift,
    make_world,
    password_hash,
    post,
)
from web import korelister
from web.charts import Series, week_chart
from web.figurepanels import PANELS
from web.rosterplan import load_context, to_plan

TUESDAY = MONDAY + timedelta(days=1)
KORELISTE = f"/teams/T1/korelister/{TUESDAY.isoformat()}"


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    yield from make_world(store, PUSLEPLAN_ROUTE_SECONDS=1)


def _freeze(monkeypatch: pytest.MonkeyPatch, day: date, hour: int = 9) -> None:
    """Make the run lists' "now" (and so "today") ``day`` at ``hour``."""
    monkeypatch.setattr(korelister, "now_local",
                        lambda: datetime(day.year, day.month, day.day, hour))


def _work_on_tuesday(world: World) -> None:
    """A member on the day shift on Tuesday and a citizen due a morning visit: a day the
    route planner could plan."""
    give_shift(world, world.a, 0, "tirsdag", at(TUESDAY, 7))
    world.app.change_visitation(ADMIN, world.a.citizen, date(2026, 1, 1), "services", [
        {"code": "PP1", "name": "Personlig pleje", "minutes": 25,
         "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
         "window_start": "07:00", "window_end": "10:30", "profession": "SSH",
         "double_staffed": False}])


# -- 1. Kørelister: no "Foreslå kørelister" for a day that is over ---------------------------


def test_a_past_day_without_run_lists_offers_no_proposal_and_the_server_refuses_one(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _work_on_tuesday(world)
    client = world.client("medlem")
    _freeze(monkeypatch, TUESDAY)
    on_the_day = client.get(KORELISTE).get_data(as_text=True)
    _freeze(monkeypatch, TUESDAY + timedelta(days=1))
    before = world.events()

    past = client.get(KORELISTE)

    # The day itself offers the planner; the day after, the page says the day is over.
    assert "Foreslå kørelister</button>" in on_the_day
    assert f'action="{KORELISTE}/foreslaa"' in on_the_day
    page = past.get_data(as_text=True)
    assert past.status_code == 200
    assert "Ingen godkendte kørelister for dagen" in page
    assert "Dagen er gået uden godkendte kørelister" in page
    assert "Foreslå kørelister</button>" not in page
    assert f'action="{KORELISTE}/foreslaa"' not in page
    assert "1 besøg var visiteret · 1 på vagt" in page
    # A stale form (or a hand-made request) is refused in Danish, naming the day.
    refused = client.post(f"{KORELISTE}/foreslaa", data={"csrf_token": form_token(page)})
    assert refused.status_code == 422
    assert ("Dagen er gået – der kan ikke foreslås kørelister for en dag, der er gået."
            in refused.get_data(as_text=True))
    answer = post(client, f"/api/teams/{world.a.team}/korelister/{TUESDAY}/proposals")
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["field"] == "dato"
    assert "Dagen er gået" in answer.get_json()["message"]
    assert world.events() == before


def test_today_and_days_to_come_still_take_a_proposal(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _work_on_tuesday(world)
    client = world.client("planner")
    _freeze(monkeypatch, TUESDAY)

    answer = post(client, f"/api/teams/{world.a.team}/korelister/{TUESDAY}/proposals"
                          "?wait=false")

    assert answer.status_code in (201, 202), answer.get_json()


# -- 2. The header names the member, not the account ----------------------------------------


@pytest.mark.parametrize(("user", "shown", "role"), [
    ("medlem", "Medarbejder 0", "teammedlem"),  # linked to employee a.members[0]
    ("medlemb", "Medarbejder 0", "teammedlem"),  # b.members[0] (team B's first)
    ("planner", "Planner", "planlægger"),  # no employee: the account's display name
    ("evaluator", "Evaluator", "evaluator"),
])
def test_the_header_shows_the_members_own_name(world: World, user: str, shown: str,
                                               role: str) -> None:
    page = world.client(user).get("/").get_data(as_text=True)

    header = page.split('<header class="site">')[1].split("</header>")[0]
    assert f'<span class="user">{shown} <span class="role">{role}</span></span>' in header


def test_any_account_linked_to_an_employee_shows_the_employees_name(world: World) -> None:
    # An account whose display name is the user name, linked to a hired employee.
    world.app.register_user(ADMIN, "udefra01", "udefra01", Role.PLANNER, password_hash(),
                            [world.a.team], world.a.outsider)

    page = world.client("udefra01").get("/").get_data(as_text=True)

    assert '<span class="user">Udefra <span class="role">planlægger</span></span>' in page
    assert "udefra01 <span" not in page


# -- 3. Vagtplan: the grid's hours and norm are the R5 recommendation's -----------------------


def _grid_figures(page: str) -> dict[str, tuple[str, str]]:
    """Each member row's (planned, norm) as the grid shows them, by name."""
    rows = re.findall(r'<span class="person">([^<]+)</span>\s*<span class="meta"[^>]*>'
                      r"[A-Z]+ · ([\d,]+)/([\d,]+) t</span>", page)
    return {name: (hours, norm) for name, hours, norm in rows}


def _without_zero_decimal(text: str) -> str:
    return text[:-2] if text.endswith(",0") else text


def test_the_grid_shows_the_norm_hours_of_the_r5_recommendation(world: World) -> None:
    # 8 weeks from 23 November: 24/12, 25/12 and 1/1 fall on weekdays and lower the
    # 37-hour norm by 3 × 7,4 h; a week's holiday (5 weekdays) lowers member 1's by 37.
    world.app.register_absence(ADMIN, world.a.members[1], "ferie", AbsenceKind.HOLIDAY,
                               MONDAY + timedelta(weeks=2), MONDAY + timedelta(weeks=2, days=6))
    give_shift(world, world.a, 0, "mandag", at(MONDAY, 7))
    context = load_context(world.app, world.a.roster)
    verdict = check(to_plan(context))

    page = world.client("planner").get(f"/teams/T1/vagtplan/{MONDAY}").get_data(as_text=True)

    grid = _grid_figures(page)
    assert grid == {"Medarbejder 0": ("8", "273,8"), "Medarbejder 1": ("0", "236,8"),
                    "Medarbejder 2": ("0", "273,8")}
    r5 = {v.employee: v for v in verdict.by_rule("R5")}
    for employee in world.a.members:
        name = context.employees[str(employee)]["name"]
        card = r5[str(employee)]
        assert grid[name] == (_without_zero_decimal(number_da(card.measured)),
                              _without_zero_decimal(number_da(card.limit)))
        # and the card in the rule check says the same norm
        assert f"{name} er planlagt {number_da(card.measured)} timer mod en norm på " \
               f"{number_da(card.limit)}" in page


def test_a_night_across_the_summer_time_switch_counts_its_real_hours(world: World) -> None:
    # 27–28 March 2027 the clocks go forward: the 23–07 night is 7 real hours, as R5
    # counts it. Easter (25, 26, 29 March) and Kristi himmelfart (6 May) lower the norm
    # by 4 × 7,4 h (2. pinsedag, 17 May, is the day after the 8 weeks).
    start = date(2027, 3, 22)
    roster = world.app.open_roster(LEADER, world.a.team, start, 8)
    night = date(2027, 3, 27)
    world.app.take_shift(ADMIN, roster, "nat", world.a.members[0], night, "nat",
                         at(night, 23), at(night + timedelta(days=1), 7))
    verdict = check(to_plan(load_context(world.app, roster)))

    page = world.client("planner").get(f"/teams/T1/vagtplan/{start}").get_data(as_text=True)

    card = next(v for v in verdict.by_rule("R5") if v.employee == str(world.a.members[0]))
    assert (card.measured, card.limit) == (7.0, 266.4)
    assert _grid_figures(page)["Medarbejder 0"] == ("7", "266,4")


# -- 4. Charts: units on the axes, and a Danish sentence where there is nothing to draw ------


def _charts(page: str) -> list[str]:
    return re.findall(r'<svg class="chart.*?</svg>', page, re.S)


#: With no visits delivered and no bids, swaps or courses, every figure but the sick
#: rate (0 % of the contracts' planned hours: a value) has nothing to draw.
EMPTY_PANELS = {"kontinuitet", "kontaktperson", "borgertid", "rehabilitering", "oensker",
                "pusling"}


def _assert_empty(chart: str, sentence: str) -> None:
    assert 'empty"' in chart.split(">")[0] and sentence in chart
    # no empty axis: no grid lines, tick labels, axis titles or legend
    assert 'class="grid"' not in chart and "rotate(-90)" not in chart
    assert "chart-legend" not in chart and "<polyline" not in chart
    assert 'viewBox="0 0 720 300"' in chart  # the same frame as a drawn chart


def test_an_overview_without_delivered_visits_says_so_instead_of_empty_axes(
        world: World) -> None:
    page = world.client("leader").get("/teams/T1/overblik?fra=2026-W48&til=2026-W51")

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    charts = _charts(text)
    assert len(charts) == len(PANELS) == 7
    for spec, chart in zip(PANELS, charts, strict=True):
        if spec.key in EMPTY_PANELS:
            _assert_empty(chart, spec.empty)
        else:  # drawn, with its axes labelled
            assert 'class="grid"' in chart and spec.y_label in chart and "Uge 2026" in chart
            assert "empty" not in chart.split(">")[0]
    assert "Ingen rehabiliteringsforløb er afsluttet i ugerne." in text
    assert "Ingen vagter er byttet, taget eller afgivet i ugerne." in text


def test_an_evaluation_without_visits_says_so_in_each_empty_chart(world: World) -> None:
    response = world.client("evaluator").get(
        "/evaluering?team=T1&before_start=2026-11-02&before_end=2026-11-15"
        "&after_start=2026-11-16&after_end=2026-11-29")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    distribution, *weekly = _charts(page)
    assert len(weekly) == len(PANELS)
    _assert_empty(distribution, "Ingen borgere fik leverede besøg i de to perioder – der er "
                                "intet at fordele.")
    for spec, chart in zip(PANELS, weekly, strict=True):
        if spec.key in EMPTY_PANELS:
            _assert_empty(chart, spec.empty)


def test_every_figure_chart_labels_both_axes_with_danish_units() -> None:
    for spec in PANELS:
        series = [Series(name, [1.0, None, 2.0], [3, 0, 4]) for name, _ in spec.series]
        chart = week_chart(spec.title, ["48", "49", "50"], series, unit=spec.unit,
                           y_label=spec.y_label, x_label="Uge 2026", bars=spec.bars,
                           reference=spec.reference, decimals=spec.decimals,
                           empty=spec.empty, zero_is_empty=spec.zero_is_empty)
        y_axis = re.search(r'rotate\(-90\)"[^>]*>([^<]+)</text>', chart)
        assert y_axis and y_axis.group(1) == spec.y_label, spec.key
        unit_word = {"%": "%", "personer": "medarbejdere", "min/uge": "minutter",
                     "vagter": "vagter"}[spec.unit]
        assert unit_word in spec.y_label, spec.key
        assert ">Uge 2026</text>" in chart and spec.empty not in chart
        assert 'class="grid"' in chart
    # A count with only zeros is nothing that happened; a measure of zero is a value.
    swaps = next(s for s in PANELS if s.zero_is_empty)
    nothing = week_chart("Pusleaktivitet", ["48"], [Series("Byttet", [0])], unit="vagter",
                         y_label="antal vagter", bars=True, empty=swaps.empty,
                         zero_is_empty=True)
    assert swaps.empty in nothing and 'class="grid"' not in nothing
    zero = week_chart("Rehabilitering", ["48"], [Series("Ændring", [0.0])], unit="min/uge",
                      y_label="minutter pr. uge", bars=True)
    assert 'class="grid"' in zero and "Ingen tal" not in zero


def test_the_figure_tables_name_the_unit_of_every_column(world: World) -> None:
    page = world.client("leader").get(
        "/teams/T1/overblik?fra=2026-W48&til=2026-W49").get_data(as_text=True)

    for column in ("Gennemsnit (personer)", "Median (personer)", "Kontaktperson (%)",
                   "Ændring pr. forløb (min/uge)", "Byttet (vagter)", "Afgivet (vagter)"):
        assert f">{column}</th>" in page, column
