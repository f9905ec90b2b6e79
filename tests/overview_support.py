"""A small demo district served by the web app, for the Teamoverblik and Evaluering tests.

Two teams (OE1 splits into mini-teams halfway), 40 citizens, 4 weeks of history
2026-02-02 … 2026-03-01; the demo's log-ins (password ``demo``). Built once per
test module and store, since the pages only read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from domain.application import Pusleplan
from projections.catalogue import open_read_models
from projections.runner import catch_up_all
from scripts.demo import build_demo
from tests.conftest import Store, _store
from tests.web_support import csrf_token, web_app
from web import services

TODAY = date(2026, 3, 4)
HISTORY = (date(2026, 2, 2), date(2026, 3, 1))
SPLIT = date(2026, 2, 16)


@dataclass
class Demo:
    web: Flask
    store: Store

    @property
    def app(self) -> Pusleplan:
        with self.web.app_context():
            return services().app

    def client(self, username: str | None = None) -> FlaskClient:
        """A test client, logged in as the demo user ``username`` unless None."""
        client = self.web.test_client()
        if username is not None:
            response = client.post("/api/session",
                                   json={"username": username, "password": "demo"},
                                   headers={"X-CSRFToken": csrf_token(client)})
            assert response.status_code == 200, response.get_json()
        return client

    def read_models(self) -> Any:
        """The team overview opened apart from the web app's and caught up (for checking)."""
        models = open_read_models(self.store.settings, self.store.extra_env,
                                  names=["TeamOverview"], suffix="Check")
        catch_up_all(self.app, list(models))
        return models


def serve_demo(kind: str, tmp: Any) -> Iterator[Demo]:
    stores = _store(kind, tmp)
    store = next(stores)
    web = web_app(store, RATELIMIT_ENABLED=False)  # many log-ins, one address
    try:
        with web.app_context():
            build_demo(services().app, seed=2026, today=TODAY, teams=2, citizens=40,
                       history_weeks=4)
        yield Demo(web, store)
    finally:
        with web.app_context():
            services().close()
        for _ in stores:
            pass
