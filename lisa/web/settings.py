"""The web platform's settings: ``LISA_WEB_*`` environment variables or a settings file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from lisa.db.engine import sqlite_url


class WebSettings(BaseSettings):
    """Settings of ``lisa serve``; each is also ``LISA_WEB_<NAME>`` (e.g. ``LISA_WEB_DATA_DIR``).

    A settings file (``lisa serve --settings FILE``) holds the same names as
    ``NAME=value`` lines.

    Examples
    --------
    >>> WebSettings(data_dir="/tmp/lisa-web").secure_cookies
    True
    """

    model_config = SettingsConfigDict(env_prefix="LISA_WEB_", extra="forbid")

    data_dir: Path = Field(
        default=Path("lisa-data"),
        description="Folder of the SQLite database and the analysis reports.",
    )
    database_url: str | None = Field(
        default=None,
        description="A PostgreSQL URL (postgresql://user:pass@host/db) for a shared "
        "deployment; empty: the SQLite file in data_dir.",
    )
    secure_cookies: bool = Field(
        default=True,
        description="Send cookies only over HTTPS; turn off only for plain-http localhost.",
    )
    session_hours: float = Field(default=12, gt=0, le=24 * 30, description="How long a sign-in lasts.")
    max_body_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, description="The largest request body accepted (413 above)."
    )
    login_attempts: int = Field(
        default=10, ge=1, description="Failed sign-ins allowed per address and per account per window."
    )
    token_attempts: int = Field(
        default=30, ge=1, description="Unknown survey links allowed per address per window."
    )
    rate_window_seconds: float = Field(default=900, gt=0, description="The rate-limit window.")
    allow_signup: bool = Field(
        default=False,
        description="Let anyone create a facilitator account (the first account can always sign up).",
    )
    base_url: str = Field(
        default="", description="The public address put in survey links (default: as requested)."
    )

    def url(self) -> str:
        """The database URL: :attr:`database_url`, else the SQLite file in :attr:`data_dir`."""
        return self.database_url or sqlite_url(self.data_dir)

    @classmethod
    def from_file(cls, path: str | Path) -> WebSettings:
        """Settings from a ``NAME=value`` file (environment variables still win)."""
        return cls(_env_file=str(path))  # type: ignore[call-arg]
