"""Evaluering over HTTP: two periods compared as ``pusleplan evaluate`` compares them.

One small demo per store (two teams, history 2026-02-02 … 2026-03-01; OE1 splits
into mini-teams on 2026-02-16, halfway); the pages only read, so the tests share it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.teams import team_id
from projections.evaluation import Period
from scripts.evaluate import evaluate
from scripts.evaluate_report import write_report
from tests.conftest import STORES
from tests.overview_support import HISTORY, SPLIT, Demo, serve_demo
from web.charts import number

PERIODS = ("before_start=2026-02-02&before_end=2026-02-15"
           "&after_start=2026-02-16&after_end=2026-03-01")


@pytest.fixture(scope="module", params=STORES)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Demo]:
    yield from serve_demo(request.param, tmp_path_factory.mktemp(request.param))


def test_by_default_the_history_is_cut_halfway_at_the_reorganisation(demo: Demo) -> None:
    answer = demo.client("evaluator").get("/api/evaluation?team=OE1").get_json()

    assert (answer["before"]["start"], answer["after"]["end"]) == tuple(
        d.isoformat() for d in HISTORY)
    assert answer["after"]["start"] == SPLIT.isoformat()
    assert answer["before"]["days"] == answer["after"]["days"] == 14
    assert answer["team"]["id"] == str(team_id("OE1")) and answer["team"]["code"] == "OE1"


def test_the_csv_download_is_the_file_pusleplan_evaluate_writes(demo: Demo,
                                                               tmp_path: Path) -> None:
    client = demo.client("leder")
    before, after = Period("before", HISTORY[0], SPLIT.replace(day=15)), Period(
        "after", SPLIT, HISTORY[1])
    evaluation = evaluate(demo.app, demo.store.settings, demo.store.extra_env, "OE1", before,
                          after, replan_days=0)
    write_report(evaluation, tmp_path)

    for table in ("figures", "weeks", "continuity_distribution"):
        response = client.get(f"/evaluering/{table}.csv?team=OE1&{PERIODS}")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="evaluering-OE1-2026-02-02-2026-03-01-{table}.csv"')
        assert response.get_data() == (tmp_path / f"{table}.csv").read_bytes()


def test_the_api_compares_every_figure_with_difference_and_observations(demo: Demo) -> None:
    answer = demo.client("evaluator").get(f"/api/evaluation?team=oe1&{PERIODS}").get_json()

    figures = {row["figure"]: row for row in answer["figures"]}
    continuity = figures["continuity_mean"]
    assert continuity["difference"] == pytest.approx(
        continuity["after"] - continuity["before"], abs=0.011)
    assert continuity["n_before"] == answer["periods"]["before"]["continuity_n"] > 0
    assert continuity["before"] == round(answer["periods"]["before"]["continuity_mean"], 2)
    assert figures["contact_share"]["after"] == round(
        100 * answer["periods"]["after"]["contact_share"], 2)
    assert [w["period"] for w in answer["weeks"]] == ["before"] * 2 + ["after"] * 2
    assert sum(r["before"] for r in answer["distribution"]) == continuity["n_before"]


def test_the_page_shows_the_comparison_with_charts_and_download_links(demo: Demo) -> None:
    client = demo.client("evaluator")
    page = client.get(f"/evaluering?team=OE1&{PERIODS}").get_data(as_text=True)
    answer = client.get(f"/api/evaluation?team=OE1&{PERIODS}").get_json()

    continuity = next(r for r in answer["figures"] if r["figure"] == "continuity_mean")
    row = page[page.index("(gennemsnit)"):]
    row = row[:row.index("</tr>")]
    assert f'<td class="num">{number(continuity["before"], 2)}</td>' in row
    assert f'<td class="num">{number(continuity["after"], 2)}</td>' in row
    assert page.count("<svg") == 8 and "<script" not in page
    for text in ("Kontinuitet: fordeling", "% af borger-perioder", "Før", "Efter",
                 "/evaluering/figures.csv?team=OE1", "n før", "n efter"):
        assert text in page


def test_the_form_defaults_to_the_first_team_the_user_may_read(demo: Demo) -> None:
    page = demo.client("medlem2").get("/evaluering").get_data(as_text=True)

    assert '<option value="OE2" selected>' in page and 'value="OE1"' not in page
    assert "Nøgletal" in page


@pytest.mark.parametrize(("user", "own", "other"), [
    ("leder", 200, 200), ("planlaegger", 200, 403), ("admin", 200, 200),
    ("evaluator", 200, 200), ("medlem1", 200, 403),
])
def test_each_role_evaluates_its_own_teams_only(demo: Demo, user: str, own: int,
                                                other: int) -> None:
    client = demo.client(user)

    for team, status in (("OE1", own), ("OE2", other)):
        assert client.get(f"/evaluering?team={team}").status_code == status
        assert client.get(f"/api/evaluation?team={team}").status_code == status
        assert client.get(f"/evaluering/figures.csv?team={team}").status_code == status


def test_without_a_log_in_nothing_is_shown(demo: Demo) -> None:
    client = demo.client()

    assert client.get("/evaluering").status_code == 302
    assert client.get("/evaluering/figures.csv?team=OE1").status_code == 302
    assert client.get("/api/evaluation?team=OE1").status_code == 401


@pytest.mark.parametrize(("query", "field", "danish"), [
    ("team=OE1&before_start=2026-02-10&before_end=2026-02-01", "before_end",
     "'Før: til' (01-02-2026) ligger før 'Før: fra' (10-02-2026)."),
    ("team=OE1&after_end=2026-02-01", "after_end", "ligger før 'Efter: fra'"),
    ("team=OE1&after_start=2026-02-30", "after_start", "Ikke en gyldig dato"),
    ("team=OE1&before_start=1.2.2026", "before_start", "Ikke en gyldig dato"),
    ("team=XX9", "team", "Der findes intet team 'XX9'."),
    ("team=OE1&before_start=2020-01-01", "before_end", "højst vare to år"),
    ("team=OE1&after_start=9999-12-01&after_end=9999-12-31", "after_start",
     "skal ligge mellem 01-01-2000 og 31-12-2099"),
])
def test_bad_periods_and_teams_answer_422_naming_the_field(demo: Demo, query: str,
                                                           field: str, danish: str) -> None:
    client = demo.client("leder")

    api = client.get(f"/api/evaluation?{query}")
    assert api.status_code == 422
    assert api.get_json()["field"] == field and danish in api.get_json()["fields"][field][0]
    page = client.get(f"/evaluering?{query}")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert f'id="{field}-fejl"' in text
    assert danish.replace("'", "&#39;") in text
    assert client.get(f"/evaluering/figures.csv?{query}").status_code == 422


def test_the_api_refuses_unknown_parameters_and_needs_a_team(demo: Demo) -> None:
    client = demo.client("leder")

    assert client.get("/api/evaluation?team=OE1&foer=2026-01-01").get_json()["field"] == "foer"
    assert client.get("/api/evaluation").get_json()["field"] == "team"
    assert client.get("/evaluering/andet.csv?team=OE1").status_code == 404


QUERY_TEXT = st.text(max_size=24) | st.sampled_from(
    ["2026-02-02", "2026-W05", "2026-02-30", "OE1", "oe2", "", "0000-01-01", "9999-12-31"])


@pytest.fixture(scope="module")
def admin(demo: Demo) -> FlaskClient:
    return demo.client("admin")


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["team", "before_start", "before_end", "after_start",
                                        "after_end", "first", "last", "fra", "til"]),
                       QUERY_TEXT, max_size=5))
def test_no_query_makes_a_server_error(admin: FlaskClient, query: dict[str, str]) -> None:
    for path in ("/api/evaluation", "/evaluering", "/evaluering/figures.csv",
                 f"/api/teams/{team_id('OE1')}/overview", "/teams/OE1/overblik"):
        response = admin.get(path, query_string=query)
        assert response.status_code < 500, (path, query, response.get_data(as_text=True))
