"""The web platform's settings: ``LISA_WEB_*`` environment variables or a settings file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
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
    link_secret: SecretStr | None = Field(
        default=None,
        description="The key survey links are derived from (so an e-mail reminder can carry the "
        "same link); empty: a random key kept in data_dir/link.key. Never shown or logged.",
    )
    smtp_host: str = Field(default="", description="The SMTP server invitations are sent through; "
                           "empty: e-mail is off (links are downloaded as CSV).")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="The SMTP server's port.")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls",
        description="starttls (upgrade the connection; refuse to send if the server cannot), "
        "ssl (TLS from the start, usually port 465) or none (plain, for a relay on this machine).",
    )
    smtp_ca_file: Path | None = Field(
        default=None,
        description="A PEM file of the certificate authorities the SMTP server's certificate is "
        "checked against (empty: the system's); for a server with a certificate of your own CA.",
    )
    smtp_user: str = Field(default="", description="The SMTP sign-in name (empty: no sign-in).")
    smtp_password: SecretStr = Field(
        default=SecretStr(""), description="The SMTP password; never shown or logged."
    )
    smtp_from: str = Field(default="", description="The From address of invitations and reminders.")
    smtp_timeout: float = Field(default=30, gt=0, le=600,
                                description="Seconds to wait for the SMTP server at each step.")
    purge_interval_seconds: float = Field(
        default=3600, gt=0,
        description="How often the server deletes answers past their study's retention date "
        "(also once on start).",
    )

    def url(self) -> str:
        """The database URL: :attr:`database_url`, else the SQLite file in :attr:`data_dir`."""
        return self.database_url or sqlite_url(self.data_dir)

    @classmethod
    def from_file(cls, path: str | Path) -> WebSettings:
        """Settings from a file of ``LISA_WEB_<NAME>=value`` lines (environment variables still win).

        Raises
        ------
        ConfigError
            For a line that names no setting (checked by :func:`check_settings_file`).
        """
        check_settings_file(path)
        return cls(_env_file=str(path))  # type: ignore[call-arg]


def check_settings_file(path: str | Path) -> None:
    """Refuse a settings file with a line that names no setting, rather than ignore the line.

    Raises
    ------
    ConfigError
        Naming the first such line (``session_hours=3`` is told to be
        ``LISA_WEB_SESSION_HOURS=3``).
    """
    from dotenv import dotenv_values

    from lisa.errors import ConfigError

    prefix = "LISA_WEB_"
    for key in dotenv_values(path):
        name = key.upper().removeprefix(prefix).lower()
        if not key.upper().startswith(prefix) or name not in WebSettings.model_fields:
            hint = f" (write it as {prefix}{name.upper()}=...)" if name in WebSettings.model_fields else ""
            raise ConfigError(f"the settings file '{path}' has a line '{key[:60]}' that names no "
                              f"web setting{hint}")
