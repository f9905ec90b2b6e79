"""``pusleplan projections rebuild|status|catch-up`` on the embedded store."""

from __future__ import annotations

from typing import Any

import pytest

from projections.catalogue import READ_MODELS
from scripts.cli import main
from tests.conftest import Store
from tests.factories import team_scenario


def test_rebuild_reports_progress_and_throughput_and_status_shows_every_view_current(
    store_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    store: Store = store_factory("sqlite")
    app = store.app()
    try:
        team_scenario(app, "C1", members=2)
        last = app.recorder.max_notification_id()
    finally:
        app.close()
    where = ["--data-dir", str(store.settings.data_dir)]

    assert main(["projections", "rebuild", *where]) == 0
    err = capsys.readouterr().err
    assert "100%" in err and f"{last}/{last} events" in err
    assert f"Rebuilt {len(READ_MODELS)} read models from {last} events" in err
    assert "events/s" in err

    assert main(["projections", "status", *where]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.split()[0] for line in lines] == [cls.name for cls in READ_MODELS]
    assert all(line.split()[1:] == [str(last), str(last), "0"] for line in lines)


def test_an_unknown_read_model_is_refused(
    store_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    store: Store = store_factory("sqlite")
    assert main(["projections", "catch-up", "--only", "Nonsense",
                 "--data-dir", str(store.settings.data_dir)]) == 2
    assert "unknown read model 'Nonsense'" in capsys.readouterr().err
