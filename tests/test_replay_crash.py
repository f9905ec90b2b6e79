"""Never lose, never double-count: a projection process killed with SIGKILL in the
middle of a long catch-up, then restarted, leaves views equal to a clean rebuild
(both stores)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from domain.application import Pusleplan
from projections.catalogue import open_read_models
from projections.runner import catch_up_all
from scripts.demo import build_demo
from tests.conftest import Store

ROOT = Path(__file__).resolve().parent.parent


def projection_process(store: Store, log: Path, *args: str) -> subprocess.Popen[bytes]:
    """``python -m scripts.projections_cli catch-up …`` on the test's store."""
    env = {**os.environ, "PUSLEPLAN_DATA_DIR": str(store.settings.data_dir),
           **store.extra_env}
    if store.settings.database_url:
        env["PUSLEPLAN_DATABASE_URL"] = store.settings.database_url
    with log.open("ab") as output:
        return subprocess.Popen([sys.executable, "-m", "scripts.projections_cli", "catch-up",
                                 *args], cwd=ROOT, env=env, stdout=output, stderr=output)


def test_a_projection_process_killed_midway_and_restarted_equals_a_clean_rebuild(
    app: Pusleplan, store: Store, tmp_path: Path
) -> None:
    log = tmp_path / "projections.log"
    build_demo(app, seed=5, today=date(2026, 3, 4), teams=2, citizens=30, history_weeks=2)
    last = app.recorder.max_notification_id()
    watched = open_read_models(store.settings, store.extra_env, names=["AuditTrail"])
    trail = watched.view("AuditTrail")

    # A slow catch-up (small batches, a pause between them) is killed once it has
    # committed some batches but not all.
    process = projection_process(store, log, "--batch-size", "40", "--pause", "0.02")
    deadline = time.monotonic() + 120
    while (trail.max_tracking_id(app.name) or 0) < 400 and time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    killed_at = trail.max_tracking_id(app.name) or 0
    watched.close()
    assert 0 < killed_at < last

    # Restarted, it carries on from each view's own position to the end.
    restarted = projection_process(store, log, "--batch-size", "500")
    assert restarted.wait(timeout=300) == 0, log.read_text()

    with open_read_models(store.settings, store.extra_env) as views, \
            open_read_models(store.settings, store.extra_env, suffix="Clean") as clean:
        catch_up_all(app, list(clean))
        for name, projection in views.projections.items():
            assert projection.view.max_tracking_id(app.name) == last, name
            assert projection.view.digest() == clean.view(name).digest(), name
