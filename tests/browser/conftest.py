"""Browser tests: Playwright drives Debian's Chromium against a real server on loopback.

The server is waitress in a thread on a free port, serving a small demo
district (2 teams, 60 citizens, 8-week rosters; every password "demo").
Screenshots go to ``screenshots/`` at the repository root (gitignored).
Chromium comes from the distribution (``apt-get install chromium``); Playwright's
own browser download is not used. Without ``/usr/bin/chromium`` the tests skip.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"

if not CHROMIUM.exists():
    pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} "
                "(apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402
from waitress.server import create_server  # noqa: E402

from domain.application import Pusleplan  # noqa: E402
from domain.settings import Settings  # noqa: E402
from domain.teams import team_id  # noqa: E402
from domain.values import Actor, Role  # noqa: E402
from scripts.demo import build_demo  # noqa: E402
from web import create_app  # noqa: E402


@dataclass(frozen=True)
class DemoServer:
    """A running Pusleplan on loopback and the demo's open roster period."""

    url: str
    period_start: date  # the open roster, partly puzzled
    later_start: date  # the period after it, opened empty for the planner

    def events(self) -> int:
        """The event log's length, from the health check."""
        with urllib.request.urlopen(f"{self.url}/healthz", timeout=10) as response:
            return int(json.load(response)["events"])


def _serve(directory: Path) -> Iterator[DemoServer]:
    """Build the small demo in ``directory``, serve it with waitress on 127.0.0.1:<free>."""
    settings = Settings(data_dir=directory / "data")
    settings.validate()
    application = Pusleplan.from_settings(settings)
    try:
        summary = build_demo(application, seed=11, today=date.today(), teams=2,
                             citizens=60, history_weeks=8)
        period_start = summary.history_end + timedelta(days=1)
        later_start = period_start + timedelta(weeks=8)
        application.open_roster(Actor("planlaegger", Role.PLANNER), team_id("OE1"),
                                later_start, 8)
    finally:
        application.close()
    app = create_app({"PUSLEPLAN_SETTINGS": settings, "SECRET_KEY": "browser-tests",
                      "PUSLEPLAN_SOLVER_SECONDS": 10})
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield DemoServer(f"http://127.0.0.1:{server.effective_port}", period_start,
                         later_start)
    finally:
        server.close()
        thread.join(timeout=10)
        app.extensions["pusleplan"].close()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The demo shared by the tests that only puzzle."""
    yield from _serve(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def fresh_demo_server(tmp_path: Path) -> Iterator[DemoServer]:
    """A demo of its own, for a test that replaces the whole plan."""
    yield from _serve(tmp_path)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) with a wall-screen-sized window."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="da-DK")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def shot(page: Page, name: str, full_page: bool = False) -> Path:
    """Save a screenshot under screenshots/ and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def log_in(page: Page, server: DemoServer, username: str) -> None:
    """Log in through the Danish log-in page (password "demo")."""
    page.goto(f"{server.url}/login")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("demo")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{server.url}/")
