"""A leader and an evaluator read the team overview and compare before/after in the browser.

Screenshots: ``overblik-*`` and ``evaluering-*`` in screenshots/.
"""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoServer, log_in, shot

pytestmark = pytest.mark.browser


def test_a_leader_opens_the_team_overview_from_the_team_page(page: Page,
                                                              demo_server: DemoServer) -> None:
    log_in(page, demo_server, "leder")
    page.get_by_role("link", name="Team Stensballe Vest").click()
    page.get_by_role("link", name="Teamoverblik", exact=True).click()

    expect(page.get_by_role("heading", name="Teamoverblik OE1")).to_be_visible()
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(7)
    continuity = page.locator("#kontinuitet")
    expect(continuity.locator("svg.chart")).to_contain_text("medarbejdere pr. borger")
    expect(continuity.locator("table tbody tr")).to_have_count(8)
    assert continuity.locator("table tbody tr").first.locator("td").last.inner_text() != "0"
    shot(page, "overblik-leder")
    shot(page, "overblik-leder-hele-siden", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(continuity.locator("svg.chart")).to_be_visible()
    shot(page, "overblik-telefon", full_page=True)
    page.set_viewport_size({"width": 1600, "height": 1000})

    # A bad week names the field and keeps the page (no 500).
    page.get_by_label("Fra uge").fill("2026-W10")
    page.get_by_label("Til uge").fill("2026-W02")
    page.get_by_role("button", name="Vis").click()
    expect(page.get_by_role("alert")).to_contain_text("Til uge")
    shot(page, "overblik-fejl")


def test_an_evaluator_compares_before_and_after_and_downloads_the_csv(
        page: Page, demo_server: DemoServer) -> None:
    log_in(page, demo_server, "evaluator")
    page.goto(f"{demo_server.url}/evaluering")

    expect(page.get_by_role("heading", name="Evaluering: før og efter")).to_be_visible()
    expect(page.get_by_role("heading", name="Nøgletal")).to_be_visible()
    table = page.locator("table.comparison")
    expect(table).to_contain_text("Kontinuitet")
    expect(page.locator("svg.chart")).to_have_count(8)
    shot(page, "evaluering-evaluator")
    shot(page, "evaluering-evaluator-hele-siden", full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="nøgletal").click()
    download = info.value
    assert download.suggested_filename.startswith("evaluering-OE1-")
    with open(download.path(), encoding="utf-8") as handle:
        rows = {row["figure"]: row for row in csv.DictReader(io.StringIO(handle.read()))}
    assert int(rows["continuity_mean"]["n_before"]) > 0
    shown = table.locator("tr", has_text="(gennemsnit)").locator("td").nth(1).inner_text()
    assert float(shown.replace(",", ".")) == float(rows["continuity_mean"]["before"])

    # An end before the start is refused, naming the field, in Danish.
    page.get_by_label("Til").first.fill("2020-01-01")
    page.get_by_role("button", name="Sammenlign").click()
    expect(page.get_by_role("alert")).to_contain_text("Før: til")
    shot(page, "evaluering-fejl")


def test_a_leader_evaluates_another_team_from_the_form(page: Page,
                                                       demo_server: DemoServer) -> None:
    log_in(page, demo_server, "leder")
    page.goto(f"{demo_server.url}/teams/OE2")
    page.get_by_role("link", name="Evaluering før/efter").click()
    expect(page.get_by_role("heading", name="Nøgletal")).to_be_visible()
    expect(page.locator("#team")).to_have_value("OE2")
    shot(page, "evaluering-leder-OE2")


def test_a_leader_follows_a_citizens_course_and_an_evaluator_sees_pseudonyms(
        page: Page, demo_server: DemoServer) -> None:
    log_in(page, demo_server, "leder")
    page.get_by_role("link", name="Team Stensballe Vest").click()
    page.get_by_role("link", name="Teamets borgere").click()
    expect(page.get_by_role("heading", name="Teamets borgere OE1")).to_be_visible()
    rows = page.locator("table.borgere tbody tr")
    assert rows.count() >= 20
    shot(page, "borgere-liste")
    first = rows.first.locator("a")
    code = first.inner_text()
    first.click()

    expect(page.get_by_role("heading", name=f"Borgerforløb {code}")).to_be_visible()
    expect(page.get_by_role("heading", name="Forløbet")).to_be_visible()
    visits = page.locator("#besoeg").locator("xpath=..").locator("tbody tr")
    shot(page, "borgerforloeb-leder")
    assert visits.count() >= 10  # four weeks of the demo's history
    assert any("leveret" in text for text in visits.all_inner_texts())

    # The leader's audit trail: who changed what in the team, newest first.
    page.goto(f"{demo_server.url}/teams/OE1")
    page.get_by_role("link", name="Revisionsspor").click()
    expect(page.get_by_role("heading", name="Revisionsspor OE1")).to_be_visible()
    assert page.locator("table.trail tbody tr").count() >= 10
    shot(page, "revisionsspor-leder")

    page.get_by_role("button", name="Log ud").click()
    log_in(page, demo_server, "evaluator")
    page.goto(f"{demo_server.url}/teams/OE1/borgere")
    first = page.locator("table.borgere tbody tr a").first
    assert first.inner_text().startswith("B-")
    first.click()
    expect(page.get_by_role("heading", name="Forløbet")).to_be_visible()
    assert code not in page.content()
    shot(page, "borgerforloeb-evaluator", full_page=True)
