"""A member at the wall screen: log in, bid, puzzle a swap, see a rule explained — and be
refused in the other team. Every test saves screenshots to screenshots/."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from domain.rosters import roster_id
from domain.teams import team_id
from tests.browser.conftest import DemoServer, log_in, shot

pytestmark = pytest.mark.browser


def _open_own_vagtplan(page: Page, server: DemoServer, shots: bool = False) -> None:
    """Teams → team → Vagtplan, by clicking as a person would."""
    if shots:
        shot(page, "02-teams")
    page.get_by_role("link", name="Team Stensballe Vest").click()
    if shots:
        shot(page, "02-team")
    page.get_by_role("link", name="Åbn vagtplanen").click()
    expect(page.get_by_role("heading", name="Vagtplan · Team Stensballe Vest")).to_be_visible()


def _my_cell(page: Page, day: date) -> Locator:
    return page.locator("tr.me td.cell").nth(_index(page, day))


def _index(page: Page, day: date) -> int:
    first = date.fromisoformat(page.locator("tr.me td.cell a").first.get_attribute(
        "href").split("dato=")[1][:10])  # type: ignore[union-attr]
    return (day - first).days


def _free_days_in_a_row(page: Page, server: DemoServer, count: int) -> date:
    """The first of ``count`` days in a row, late in the period, where I have nothing."""
    cells = page.locator("tr.me td.cell")
    free = [not cells.nth(i).locator(".shift, .absence, .bid").count()
            and "absent" not in (cells.nth(i).get_attribute("class") or "")
            for i in range(cells.count())]
    for start in range(len(free) - count, 0, -1):
        if all(free[start:start + count]):
            return server.period_start + timedelta(days=start)
    raise AssertionError("no free days in a row for the member")


def test_a_member_logs_in_bids_for_a_shift_and_puzzles_a_swap(page: Page,
                                                               demo_server: DemoServer
                                                               ) -> None:
    page.goto(demo_server.url)
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    shot(page, "01-log-ind")
    log_in(page, demo_server, "medlem1")
    _open_own_vagtplan(page, demo_server, shots=True)
    shot(page, "02-vagtplan-medlem")

    # Bid: "I would like the evening shift" on a free day.
    day = _free_days_in_a_row(page, demo_server, 1)
    _my_cell(page, day).locator("a").click()
    page.locator("#handling").get_by_label("Ønske", exact=True).select_option("want_shift")
    page.locator("#handling").get_by_label("Vagtlag", exact=True).select_option("aften")
    page.get_by_role("button", name="Gem ønsket").click()
    expect(page.locator(".flash-ok")).to_contain_text("er gemt")
    expect(_my_cell(page, day).locator(".bid")).to_have_text("+A")
    shot(page, "03-oenske-gemt")

    # Swap: exchange one of my shifts for a colleague's shift in the same week.
    mine = page.locator("tr.me td.cell:has(.shift)").first
    mine.locator("a").click()
    select = page.locator("#handling select[name=target]").first
    exchange = select.locator("option[value*='|']").first
    label = exchange.inner_text()
    select.select_option(exchange.get_attribute("value"))
    shot(page, "04-byt-vaelg-kollega")
    page.locator("#handling").get_by_role("button", name="Byt vagten").first.click()
    expect(page.locator(".flash-ok")).to_have_text("Vagten er byttet.")
    colleague = label.removeprefix("Byt med ").split("s ")[0]
    expect(page.locator(".history-list li").first).to_contain_text("byttede")
    expect(page.locator(".history-list li").first).to_contain_text(colleague)
    shot(page, "05-byttet-historik", full_page=True)


def test_a_member_sees_a_rest_rule_violation_explained_beside_the_grid(
    page: Page, demo_server: DemoServer
) -> None:
    log_in(page, demo_server, "medlem1")
    _open_own_vagtplan(page, demo_server)
    evening = _free_days_in_a_row(page, demo_server, 2)
    morning = evening + timedelta(days=1)

    # An evening shift, then the next morning's day shift: only 8 hours of rest.
    _my_cell(page, evening).locator("a").click()
    page.locator("#handling").get_by_label("Tag en vagt", exact=True).select_option("aften")
    page.get_by_role("button", name="Tag vagten").click()
    expect(page.locator(".flash-ok")).to_contain_text("er taget")
    _my_cell(page, morning).locator("a").click()
    page.locator("#handling").get_by_label("Tag en vagt", exact=True).select_option("dag")
    page.get_by_role("button", name="Tag vagten").click()

    panel = page.locator("#handling")
    expect(panel.get_by_role("heading", name="Reglerne siger")).to_be_visible()
    expect(panel.locator(".rule").first).to_have_text("R1")
    expect(panel.locator(".violation").first).to_contain_text("hvile")
    expect(panel.locator(".suggestion").first).to_contain_text("Forslag:")
    assert "breach-hard" in (_my_cell(page, morning).get_attribute("class") or "")
    expect(page.locator(".verdict-head")).to_contain_text("brud på skarpe regler")
    shot(page, "06-regelbrud-forklaret")


def test_a_member_of_team_a_cannot_change_team_b(page: Page, demo_server: DemoServer) -> None:
    log_in(page, demo_server, "medlem1")
    own = page.get_by_role("link", name="Team Stensballe Vest")
    expect(own).to_be_visible()
    expect(page.get_by_role("link", name="Team Stensballe Øst")).to_have_count(0)

    response = page.goto(f"{demo_server.url}/teams/OE2/vagtplan/{demo_server.period_start}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Ingen adgang")).to_be_visible()
    shot(page, "07-andet-team-ingen-adgang")

    # Forged calls with my own valid CSRF token are refused too; nothing is stored.
    page.goto(f"{demo_server.url}/teams/OE1/vagtplan")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    roster_b = roster_id(team_id("OE2"), demo_server.period_start)
    before = demo_server.events()
    statuses = page.evaluate("""async ([url, roster, token]) => {
        const form = new URLSearchParams({csrf_token: token, employee_id: roster,
                                          date: "2030-01-01", kind: "day_off"});
        const page = await fetch(url + "/vagtplan/" + roster + "/oenske",
                                 {method: "POST", body: form, redirect: "manual"});
        const api = await fetch(url + "/api/rosters/" + roster + "/check",
                                {method: "POST", headers: {"X-CSRFToken": token}});
        const read = await fetch(url + "/api/rosters/" + roster);
        return [page.status, api.status, read.status];
    }""", [demo_server.url, str(roster_b), token])
    assert statuses == [403, 403, 403]
    assert demo_server.events() == before


def test_the_planner_sees_the_board_on_a_wall_screen_and_a_phone(browser, demo_server
                                                                 ) -> None:  # type: ignore[no-untyped-def]
    for name, viewport in (("08-vaegskaerm", {"width": 1920, "height": 1080}),
                           ("09-telefon", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport, locale="da-DK")
        page = context.new_page()
        log_in(page, demo_server, "planlaegger")
        page.goto(f"{demo_server.url}/teams/OE1/vagtplan")
        expect(page.get_by_role("button", name="Tjek og gem resultatet")).to_be_visible()
        shot(page, name)
        context.close()


def test_a_planner_asks_for_a_proposal_sees_the_difference_and_accepts_it(
    page: Page, fresh_demo_server: DemoServer
) -> None:
    # The planner prepares the next period: Teams → team → that period → Foreslå plan.
    server = fresh_demo_server
    log_in(page, server, "planlaegger")
    page.get_by_role("link", name="Team Stensballe Vest").click()
    later = server.later_start
    page.get_by_role("link", name=f"{later.day}/{later.month} {later.year}").click()
    page.get_by_role("button", name="Foreslå plan").click()
    expect(page.get_by_role("heading", name="Planlæggeren arbejder …")).to_be_visible()
    expect(page.locator("progress")).to_be_visible()
    shot(page, "10-foreslaa-plan-arbejder")

    accept = page.get_by_role("button", name=re.compile("Acceptér forslaget"))
    expect(accept).to_be_visible(timeout=60_000)
    expect(page.locator(".diff-new").first).to_be_visible()
    shot(page, "11-forslag-som-forskel")
    before = server.events()
    accept.click()
    expect(page.locator(".flash-ok")).to_contain_text("Forslaget er accepteret")
    expect(page.locator(".history-list li").first).to_contain_text("Forslag til vagtplan "
                                                                    "accepteret")
    assert server.events() == before + 1
    shot(page, "12-forslag-accepteret")
