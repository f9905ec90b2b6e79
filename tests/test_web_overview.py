"""Teamoverblik over HTTP: the week figures as charts and numbers, current, per role.

One small demo per store (two teams, four weeks of history; OE1 splits into
mini-teams on 2026-02-16); the pages only read, so the tests share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from domain.employees import employee_id
from domain.teams import team_id
from domain.values import AbsenceKind, Actor, Role
from projections.teamfigures import week_figures
from tests.conftest import STORES
from tests.overview_support import Demo, serve_demo
from web.charts import Reference, Series, number, week_chart

OE1 = str(team_id("OE1"))
OE2 = str(team_id("OE2"))
WEEKS = "fra=2026-W06&til=2026-W09"


@pytest.fixture(scope="module", params=STORES)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Demo]:
    yield from serve_demo(request.param, tmp_path_factory.mktemp(request.param))


def test_the_api_gives_each_weeks_figures_as_the_read_model_computes_them(demo: Demo) -> None:
    answer = demo.client("leder").get(
        f"/api/teams/{OE1}/overview?first=2026-W06&last=2026-W09").get_json()

    assert [w["week"] for w in answer["weeks"]] == ["2026-W06", "2026-W07", "2026-W08",
                                                    "2026-W09"]
    assert answer["team"]["code"] == "OE1"
    with demo.read_models() as models:
        expected = week_figures(models.view("TeamOverview"), OE1, "2026-W06", "2026-W09")
    for week, figures in zip(answer["weeks"], expected, strict=True):
        assert week["visits"] == figures.visits > 0
        assert week["continuity_n"] == figures.continuity_n > 0
        assert week["continuity_mean"] == pytest.approx(figures.continuity_mean)
        assert week["contact_share"] == pytest.approx(figures.contact_share)
        assert 0 < week["btp_direct"] < week["btp_buurtzorg"] < 1
        assert week["members"] > 0 and week["planned_minutes"] > 0
        assert sum(week["continuity_distribution"].values()) == week["continuity_n"]


def test_the_page_draws_every_figure_and_shows_its_numbers_beside_it(demo: Demo) -> None:
    page = demo.client("leder").get(f"/teams/OE1/overblik?{WEEKS}").get_data(as_text=True)
    api = demo.client("leder").get(
        f"/api/teams/{OE1}/overview?first=2026-W06&last=2026-W09").get_json()

    for title in ("Kontinuitet", "Kontaktpersonen kom", "Borgertid", "Sygefravær",
                  "Rehabiliteringseffekt", "Ønsker opfyldt", "Pusleaktivitet"):
        assert f">{title}</h2>" in page
    assert page.count("<svg") == 7 and "<script" not in page and 'src="http' not in page
    # Axis labels, units and legends are in the charts; each week is a table row.
    for text in ("medarbejdere pr. borger", "% af fremmødetid", "Uge 2026", "Gennemsnit",
                 "Buurtzorg-mål 61 %", "n (borgere)"):
        assert text in page
    continuity = page[page.index('id="kontinuitet"'):page.index('id="kontaktperson"')]
    rows = re.findall(r"<tr><th scope=\"row\">(\d+)</th>(.*?)</tr>", continuity)
    assert [week for week, _ in rows] == ["6", "7", "8", "9"]
    last = api["weeks"][-1]
    cells = re.findall(r">([^<]*)</td>", rows[-1][1])
    assert cells == [number(last["continuity_mean"]), number(last["continuity_median"]),
                     str(last["continuity_n"])]


def test_the_charts_scale_to_the_width_of_the_screen(demo: Demo) -> None:
    """On a phone the charts shrink to the card's width instead of being cut off: each
    SVG has a viewBox and no fixed size, and the stylesheet sets no minimum width."""
    client = demo.client("leder")
    overview = client.get(f"/teams/OE1/overblik?{WEEKS}").get_data(as_text=True)
    evaluation = client.get("/evaluering?team=OE1").get_data(as_text=True)
    with client.get("/static/style.css") as response:
        style = response.get_data(as_text=True)

    for page, charts in ((overview, 7), (evaluation, 8)):
        tags = re.findall(r'<svg class="chart[^"]*"[^>]*>', page)
        assert len(tags) == charts
        for tag in tags:
            assert 'viewBox="0 0 720 300"' in tag
            assert not re.search(r'\s(width|height)=', tag), tag
            assert "style=" not in tag
    rules = re.findall(r"svg\.chart\s*\{([^}]*)\}", style)
    assert any("width: 100%" in rule and "height: auto" in rule for rule in rules)
    assert not any("min-width" in rule for rule in rules)
    assert ".figure-chart { overflow-x" not in style


def test_a_legend_leaves_room_for_the_phones_larger_chart_text() -> None:
    chart = week_chart("Kontinuitet", ["40", "41"], [
        Series("Andre medarbejdere", [1.0, 2.0]), Series("Median", [1.0, 2.0])],
        unit="", y_label="medarbejdere", reference=Reference(61, "Buurtzorg-mål 61 %"))

    legend = chart[chart.index('class="chart-legend"'):]
    starts = [float(x) for x in re.findall(r'<text x="([\d.]+)"', legend)]
    names = re.findall(r"<text [^>]*>([^<]+)</text>", legend)
    assert names == ["Andre medarbejdere", "Median", "Buurtzorg-mål 61 %"]
    for start, name, following in zip(starts, names, starts[1:], strict=False):
        # 17 px text is about 0.6 × 17 wide per character; the next marker starts 28 before
        assert start + 0.6 * 17 * len(name) < following - 28
    assert starts[-1] + 0.6 * 17 * len(names[-1]) < 720


def test_the_overview_is_current_right_after_a_change(demo: Demo) -> None:
    client = demo.client("leder")
    url = f"/api/teams/{OE1}/overview?first=2026-W10&last=2026-W10"
    before = client.get(url).get_json()["weeks"][0]["sick_days"]

    demo.app.register_absence(Actor("leder", Role.LEADER), employee_id("OE1-02"), "test-syg",
                              AbsenceKind.SICK, date(2026, 3, 3), date(2026, 3, 4))

    assert client.get(url).get_json()["weeks"][0]["sick_days"] == before + 2


def test_without_weeks_it_shows_the_eight_weeks_up_to_the_latest_delivered_day(
        demo: Demo) -> None:
    answer = demo.client("evaluator").get(f"/api/teams/{OE1}/overview").get_json()

    assert (answer["first"], answer["last"]) == ("2026-W02", "2026-W09")
    assert len(answer["weeks"]) == 8
    assert answer["weeks"][0]["visits"] == 0 and answer["weeks"][-1]["visits"] > 0


@pytest.mark.parametrize(("user", "own", "other"), [
    ("leder", 200, 200), ("planlaegger", 200, 403), ("admin", 200, 200),
    ("evaluator", 200, 200), ("medlem1", 200, 403), ("medlem2", 403, 200),
])
def test_each_role_reads_the_overview_of_its_own_teams_only(demo: Demo, user: str, own: int,
                                                            other: int) -> None:
    client = demo.client(user)

    assert client.get("/teams/OE1/overblik").status_code == own
    assert client.get(f"/api/teams/{OE1}/overview").status_code == own
    assert client.get("/teams/OE2/overblik").status_code == other
    assert client.get(f"/api/teams/{OE2}/overview").status_code == other


def test_without_a_log_in_the_page_asks_for_one_and_the_api_says_401(demo: Demo) -> None:
    client = demo.client()

    response = client.get("/teams/OE1/overblik")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(f"/api/teams/{OE1}/overview").status_code == 401


@pytest.mark.parametrize(("query", "field"), [
    ("first=2026-W99", "first"), ("first=uge+5", "first"), ("last=2026-13", "last"),
    ("first=2026-W09&last=2026-W02", "last"), ("first=2020-W01&last=2026-W09", "last"),
    ("weeks=8", "weeks"), ("first=9999-W50&last=9999-W52", "first"),
])
def test_bad_weeks_in_the_api_answer_422_naming_the_field(demo: Demo, query: str,
                                                          field: str) -> None:
    response = demo.client("leder").get(f"/api/teams/{OE1}/overview?{query}")

    assert response.status_code == 422
    body = response.get_json()
    assert body["field"] == field and body["fields"][field]


def test_a_bad_week_on_the_page_is_explained_in_danish_at_the_field(demo: Demo) -> None:
    response = demo.client("leder").get("/teams/OE1/overblik?fra=2026-W09&til=2026-W02")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Til uge:" in page and "ligger før fra-ugen" in page
    assert 'id="til" name="til" type="week" value="2026-W02" placeholder="2026-W12" ' \
           'aria-invalid="true"' in page


def test_an_unknown_team_is_404(demo: Demo) -> None:
    client = demo.client("leder")

    assert client.get("/teams/XX9/overblik").status_code == 404
    assert client.get(f"/api/teams/{team_id('XX9')}/overview").status_code == 404


def test_the_team_page_links_to_the_overview_and_the_evaluation(demo: Demo) -> None:
    page = demo.client("medlem1").get("/teams/OE1").get_data(as_text=True)

    assert 'href="/teams/OE1/overblik"' in page and 'href="/evaluering?team=OE1"' in page


def test_the_openapi_document_describes_the_overview_and_evaluation(demo: Demo) -> None:
    spec = demo.client().get("/api/openapi.json").get_json()

    overview = spec["paths"]["/api/teams/{team_id}/overview"]["get"]
    assert {p["name"] for p in overview["parameters"]} >= {"first", "last"}
    evaluation = spec["paths"]["/api/evaluation"]["get"]
    assert {p["name"] for p in evaluation["parameters"]} >= {
        "team", "before_start", "before_end", "after_start", "after_end"}
    assert "FiguresAnswer" in spec["components"]["schemas"]
