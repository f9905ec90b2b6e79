"""Where events are stored: SQLite in a data directory, or PostgreSQL; optional encryption.

Settings come from arguments or the environment:

* ``PUSLEPLAN_DATA_DIR`` — directory of the embedded SQLite store (default
  ``$XDG_DATA_HOME/pusleplan`` or ``~/.local/share/pusleplan``).
* ``PUSLEPLAN_DATABASE_URL`` — ``postgresql://user:password@host:port/dbname``
  selects PostgreSQL instead.
* ``PUSLEPLAN_ENCRYPTION_KEY`` — a base64 AES key (``pusleplan keygen``); when
  set, every event payload is encrypted at rest with eventsourcing's AESCipher.
* ``PUSLEPLAN_TRAVEL`` — where travel times (køretider) come from: ``haversine``
  (default, no network), the path of a CSV matrix
  (``from_lat,from_lon,to_lat,to_lon,minutes``), or the URL of an OSRM server
  (``http://host:5000``). ``travel_config()`` turns it into the plain
  configuration ``planning.travel.travel_times_from_config`` builds from.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from eventsourcing.cipher import AESCipher

SQLITE_FILE = "pusleplan.sqlite"


class SettingsError(ValueError):
    """A configuration value is wrong; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    """Resolved storage settings."""

    data_dir: Path
    database_url: str | None = None
    encryption_key: str | None = None
    travel: str = "haversine"

    @classmethod
    def from_env(
        cls, data_dir: str | Path | None = None, database_url: str | None = None,
        encryption_key: str | None = None, travel: str | None = None,
    ) -> Settings:
        """Arguments win over ``PUSLEPLAN_*`` environment variables, which win over defaults."""
        resolved_dir = Path(data_dir or os.environ.get("PUSLEPLAN_DATA_DIR") or default_data_dir())
        url = database_url or os.environ.get("PUSLEPLAN_DATABASE_URL") or None
        key = encryption_key or os.environ.get("PUSLEPLAN_ENCRYPTION_KEY") or None
        route = (travel or os.environ.get("PUSLEPLAN_TRAVEL") or "haversine").strip()
        settings = cls(resolved_dir.expanduser(), url, key, route)
        settings.validate()
        return settings

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / SQLITE_FILE

    def validate(self) -> None:
        if self.database_url is not None:
            parsed = urlparse(self.database_url)
            if parsed.scheme not in ("postgresql", "postgres"):
                raise SettingsError(
                    "PUSLEPLAN_DATABASE_URL must start with postgresql:// "
                    f"(got scheme {parsed.scheme!r})"
                )
            if not parsed.path.strip("/"):
                raise SettingsError("PUSLEPLAN_DATABASE_URL must name a database")
        if self.encryption_key is not None:
            try:
                raw = base64.b64decode(self.encryption_key, validate=True)
            except (binascii.Error, ValueError):
                raise SettingsError(
                    "PUSLEPLAN_ENCRYPTION_KEY is not base64; create one with "
                    "'pusleplan keygen'"
                ) from None
            if len(raw) not in (16, 24, 32):
                raise SettingsError(
                    "PUSLEPLAN_ENCRYPTION_KEY must decode to 16, 24 or 32 bytes "
                    f"(got {len(raw)}); create one with 'pusleplan keygen'"
                )
        self.travel_config()

    def travel_config(self) -> dict[str, Any]:
        """The travel-time provider as plain configuration (see planning/travel.py)."""
        value = self.travel
        if value == "haversine":
            return {"provider": "haversine"}
        if value.startswith(("http://", "https://")):
            if not urlparse(value).hostname:
                raise SettingsError(f"PUSLEPLAN_TRAVEL: the OSRM URL {value!r} names no host")
            return {"provider": "osrm", "url": value}
        if value.lower().endswith(".csv"):
            path = Path(value).expanduser()
            if not path.is_file():
                raise SettingsError(f"PUSLEPLAN_TRAVEL: the travel-time matrix {value!r} "
                                    "does not exist")
            return {"provider": "matrix_csv", "path": str(path)}
        raise SettingsError(
            f"PUSLEPLAN_TRAVEL must be 'haversine', a CSV file (.csv) or an OSRM URL "
            f"(http://…); got {value!r}"
        )

    def eventsourcing_env(self) -> dict[str, str]:
        """The eventsourcing environment for these settings."""
        env: dict[str, str] = {}
        if self.database_url is not None:
            parsed = urlparse(self.database_url)
            env.update(
                PERSISTENCE_MODULE="eventsourcing.postgres",
                POSTGRES_DBNAME=parsed.path.strip("/"),
                POSTGRES_HOST=parsed.hostname or "127.0.0.1",
                POSTGRES_PORT=str(parsed.port or 5432),
                POSTGRES_USER=unquote(parsed.username or "postgres"),
                POSTGRES_PASSWORD=unquote(parsed.password or ""),
                POSTGRES_POOL_SIZE="5",
                POSTGRES_MAX_OVERFLOW="10",
            )
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            env.update(
                PERSISTENCE_MODULE="eventsourcing.sqlite",
                SQLITE_DBNAME=str(self.sqlite_path),
                SQLITE_LOCK_TIMEOUT="30",
            )
        if self.encryption_key is not None:
            env.update(CIPHER_TOPIC="eventsourcing.cipher:AESCipher",
                       CIPHER_KEY=self.encryption_key)
        return env


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "pusleplan"


def new_encryption_key() -> str:
    """A new random 256-bit AES key, base64-encoded."""
    return AESCipher.create_key(num_bytes=32)
