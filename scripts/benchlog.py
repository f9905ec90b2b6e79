"""What every benchmark entry in BENCHMARKS.md names: the commit and the machine,
and the one way entries are appended (never overwritten)."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO_ROOT / "BENCHMARKS.md"
HEADER = """# Benchmarks

Measured figures, appended by the benchmark scripts (newest last). Each entry
names the date, the commit and the machine, so figures from different machines
are not compared by mistake.
"""


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def commit() -> str:
    """The short commit, marked when the work tree has uncommitted changes."""
    head = _git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" + uncommitted changes" if _git("status", "--porcelain") else "")


def machine() -> str:
    """Platform, Python, CPUs and the load average now (the machine is shared and noisy)."""
    load = f", load average {os.getloadavg()[0]:.1f} at the end" \
        if hasattr(os, "getloadavg") else ""
    return (f"{platform.platform()}, Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs{load}")


def append(text: str, path: Path = BENCHMARKS) -> None:
    """Append one entry to BENCHMARKS.md (created with its header if missing)."""
    existing = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if not existing.endswith("\n"):
        existing += "\n"
    path.write_text(existing + "\n" + text.lstrip("\n"), encoding="utf-8")
