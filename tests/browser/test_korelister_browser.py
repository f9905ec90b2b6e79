"""The morning puslemøde at the wall screen: a member opens today's run lists, asks for
a proposal, accepts it, marks a colleague sick from 10:00, sees the moved visits
highlighted and accepts the replanning, then puts in an extra visit. Screenshots (wall
screen and phone) go to screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoServer, log_in, shot

pytestmark = pytest.mark.browser


def test_a_member_runs_the_puslemoede_on_todays_run_lists(
        page: Page, fresh_demo_server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSLEPLAN_ROUTE_SECONDS", "2")  # the server runs in this process
    server = fresh_demo_server
    page.set_default_timeout(60_000)  # the machine is shared: solving takes its time
    expect.set_options(timeout=60_000)  # the planner works in the background meanwhile
    log_in(page, server, "medlem1")
    page.get_by_role("link", name="Team Stensballe Vest").click()
    expect(page.get_by_role("heading", name="Kørelister", exact=True)).to_be_visible()
    shot(page, "20-team-med-koerelister")
    page.get_by_role("link", name="Dagens kørelister").click()
    expect(page.get_by_role("heading", name="Kørelister · Team Stensballe Vest")).to_be_visible()
    expect(page.get_by_text("Ingen godkendte kørelister for dagen")).to_be_visible()
    shot(page, "21-koerelister-tom")

    # Foreslå: the route planner proposes; nothing is stored until Godkend.
    before = server.events()
    # The planner works in the background; the page shows its progress and refreshes.
    page.get_by_role("button", name="Foreslå kørelister").click()
    page.wait_for_url(re.compile(r"[?&]forslag="))
    working = page.get_by_role("heading", name="Planlæggeren arbejder …")
    if working.is_visible():  # (a quick solve may already be done; the page reloads)
        shot(page, "21-koerelister-planlaegger-arbejder")
    expect(page.get_by_role("heading", name=re.compile("Forslag til kørelister"))).to_be_visible()
    assert server.events() == before
    expect(page.locator(".kl-run").first).to_be_visible()
    # Each person's route from the roster's shift stands in the run list's header.
    expect(page.locator(".kl-run header .kl-route").first).to_contain_text("Rute ")
    expect(page.locator("svg.kl-map polyline").first).to_be_visible()
    shot(page, "22-koerelister-forslag")
    page.locator(".kl-run").nth(1).hover()  # one person's route alone on the map
    expect(page.locator("svg.kl-map")).to_have_class(re.compile("kl-focus"))
    page.wait_for_timeout(400)  # the fade
    shot(page, "22-koerelister-forslag-en-rute")
    page.mouse.move(5, 5)
    shot(page, "22-koerelister-forslag-hele", full_page=True)

    page.get_by_role("button", name="Godkend kørelisterne").click()
    expect(page.locator(".flash-ok")).to_contain_text("Kørelisterne er godkendt")
    assert server.events() > before
    expect(page.locator(".kl-run header .kl-route").first).to_contain_text("Rute ")
    shot(page, "23-koerelister-godkendt")

    # Puslemøde: the day-shift person with most visits after 10:00 goes home sick then.
    sick_name = _busiest_after(page, "10:00")
    form = page.locator(".kl-sick-form")
    option = form.get_by_label("Medarbejder").locator("option", has_text=sick_name)
    form.get_by_label("Medarbejder").select_option(option.get_attribute("value"))
    form.get_by_label("Syg fra (TT:MM)").fill("10:00")
    before = server.events()
    form.get_by_role("button", name="Meld syg og fordel besøgene").click()
    expect(page.get_by_role("heading", name=re.compile("er syg fra 10:00"))).to_be_visible()
    expect(page.locator(".kl-replan")).to_contain_text("besøg flyttet")
    moved = page.locator(".kl-stop.kl-moved")
    expect(moved.first).to_be_visible()
    assert moved.count() >= 1
    expect(page.locator(".kl-badge-moved").first).to_contain_text("besøg flyttet hertil")
    expect(page.locator(".kl-badge-sick")).to_contain_text("Syg fra 10:00")
    assert sick_name in page.locator(".kl-replan h2").inner_text()
    assert server.events() == before  # nothing stored before Godkend
    shot(page, "24-puslemoede-flyttet")
    shot(page, "24-puslemoede-flyttet-hele", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "25-puslemoede-telefon")
    moved.first.scroll_into_view_if_needed()
    shot(page, "25-puslemoede-telefon-flyttet")
    page.set_viewport_size({"width": 1600, "height": 1000})

    page.get_by_role("button", name="Godkend ændringerne").click()
    expect(page.locator(".flash-ok")).to_contain_text("Ændringerne er godkendt")
    assert server.events() > before
    expect(page.locator(".kl-replan")).to_have_count(0)
    shot(page, "26-puslemoede-godkendt")

    # An extra visit comes in (a discharge): the planner finds room for it in its window.
    changes = page.locator(".kl-change-form")
    changes.get_by_text("Ekstra besøg i dag").click()
    changes.get_by_label("Ydelse (kode)").fill("SAAR")
    changes.get_by_label("Minutter").fill("15")
    changes.get_by_label("Tidligst (TT:MM)").fill("12:00")
    changes.get_by_label("Senest færdig (TT:MM)").fill("14:00")
    shot(page, "27-puslemoede-ekstra-besoeg-formular")
    before = server.events()
    changes.get_by_role("button", name="Læg besøget ind").click()
    expect(page.locator(".kl-replan h2")).to_contain_text("ekstra besøg hos")
    expect(page.locator(".kl-stop.kl-moved").first).to_be_visible()
    assert server.events() == before
    shot(page, "28-puslemoede-ekstra-besoeg")
    page.get_by_role("button", name="Godkend ændringerne").click()
    expect(page.locator(".flash-ok")).to_contain_text("Ændringerne er godkendt")
    assert server.events() > before


def _busiest_after(page: Page, when: str) -> str:
    """The name on the run list with most visits starting from ``when`` until 15:00."""
    counts: dict[str, int] = {}
    for run in page.locator(".kl-run").all():
        name = run.locator("h2 .kl-name").inner_text().strip()
        times = [t.split("\n")[0][:5] for t in run.locator(".kl-time").all_inner_texts()]
        counts[name] = sum(when <= t < "15:00" for t in times)
    return max(counts, key=lambda name: counts[name])
