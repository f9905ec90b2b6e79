"""Pseudonyms for citizens (borgere) shown to evaluators: a keyed hash, never the name.

``pseudonym(key, citizen_id)`` is ``B-`` and the first 10 hex digits of
HMAC-SHA256(key, citizen id): stable for one installation (the same citizen
always gets the same pseudonym, so an evaluator can follow a course over
time), but not reversible and not computable without the key, so it cannot be
matched against the case code or the id.

The key comes from ``PUSLEPLAN_PSEUDONYM_KEY`` (base64 or any text), else from
``<data dir>/pseudonym.key``, made once with 32 random bytes and readable by
the owner only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from domain.settings import Settings

KEY_FILE = "pseudonym.key"


def pseudonym(key: bytes, citizen_id: str) -> str:
    """The citizen's pseudonym under ``key``."""
    digest = hmac.new(key, str(citizen_id).encode(), hashlib.sha256).hexdigest()
    return f"B-{digest[:10].upper()}"


def pseudonym_key(settings: Settings) -> bytes:
    """The installation's pseudonym key (environment, else the key file, made if missing)."""
    configured = os.environ.get("PUSLEPLAN_PSEUDONYM_KEY")
    if configured:
        return configured.encode()
    path = Path(settings.data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made by another process just now
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()
