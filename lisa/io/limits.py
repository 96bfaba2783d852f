"""How big a study file lisa agrees to read: one settings model, declared once.

Every guard that keeps reading within bounded time and memory reads its limit
here: the file size (checked before a byte is read), the rows, columns and
characters of a table, and what an ``.xlsx`` workbook — a zip archive — may
unpack to (checked from the zip's directory before openpyxl parses a thing).
A file over a limit is refused with a named problem (``file-too-large``,
``too-many-rows``, ``too-many-columns``, ``cell-too-long``,
``workbook-too-large``, ``too-many-relations``, ``too-many-waves``; see
``docs/formats.md``).

Each limit can be set in the environment with the prefix ``LISA_`` (for
example ``LISA_MAX_FILE_BYTES=1000000000``) or passed in
(``ReadLimits(max_rows=100)``).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from lisa.errors import ConfigError, Problem

MiB = 1024 * 1024

#: The prefix of the environment variables that set the limits.
ENV_PREFIX = "LISA_"

#: Zip members smaller than this when unpacked are not held to ``max_xlsx_ratio``
#: (tiny parts of a workbook compress well and are harmless).
RATIO_CHECK_ABOVE = 1 * MiB


class ReadLimits(BaseSettings):
    """Limits on the study files lisa reads; see ``docs/formats.md``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    max_file_bytes: int = Field(
        256 * MiB, ge=1, description="Largest CSV or workbook file read, in bytes (checked first)."
    )
    max_rows: int = Field(
        10_000_000, ge=1, description="Most data rows in one table (people, ties, relations)."
    )
    max_columns: int = Field(2_000, ge=1, description="Most columns in one table's header.")
    max_cell_chars: int = Field(
        32_767,
        ge=1,
        le=131_072,
        description="Longest text in one cell, in characters (Excel's own limit is 32,767).",
    )
    max_xlsx_unpacked_bytes: int = Field(
        1024 * MiB, ge=1, description="Most bytes all parts of a workbook may unpack to."
    )
    max_xlsx_member_bytes: int = Field(
        512 * MiB, ge=1, description="Most bytes one part of a workbook (a sheet) may unpack to."
    )
    max_xlsx_ratio: float = Field(
        200.0,
        gt=1,
        description="Most a workbook part over 1 MiB may grow when unpacked (unpacked / packed).",
    )
    max_xlsx_members: int = Field(
        10_000, ge=1, description="Most files inside a workbook's zip archive."
    )
    max_relations: int = Field(
        100, ge=1, le=32_767, description="Most distinct relations in ties.csv (each is analysed on its own)."
    )
    max_waves: int = Field(
        100, ge=1, le=32_767, description="Most distinct survey waves in ties.csv."
    )

    @classmethod
    def current(cls, **overrides: object) -> ReadLimits:
        """The limits in force: defaults, then ``LISA_*`` variables, then ``overrides``.

        Raises
        ------
        ConfigError
            A variable or override is not a valid value (the message names it).

        Examples
        --------
        >>> ReadLimits.current(max_rows=10).max_rows
        10
        """
        try:
            return cls(**overrides)  # type: ignore[arg-type]
        except ValidationError as exc:
            err = exc.errors()[0]
            field = str(err["loc"][0]) if err["loc"] else "?"
            raise ConfigError(
                f"bad read limit '{field}' (environment variable {ENV_PREFIX}{field.upper()}): "
                f"{err['msg']}"
            ) from None

    @classmethod
    def describe(cls) -> list[tuple[str, str, object, str]]:
        """``(name, environment variable, default, meaning)`` for every limit."""
        return [
            (name, f"{ENV_PREFIX}{name.upper()}", f.default, f.description or "")
            for name, f in cls.model_fields.items()
        ]


def file_too_large(path: Path, label: str, limits: ReadLimits) -> Problem | None:
    """The ``file-too-large`` problem when ``path`` is over the size limit (nothing is read).

    Parameters
    ----------
    path
        The file to read.
    label
        How the problem names the file.
    limits
        The limit in force.

    Returns
    -------
    Problem or None
        None when the file may be read.
    """
    size = path.stat().st_size
    if size <= limits.max_file_bytes:
        return None
    return Problem(
        "file-too-large",
        f"the file is {size:,} bytes, more than lisa reads ({limits.max_file_bytes:,} bytes, "
        "setting LISA_MAX_FILE_BYTES); check it is the right file, or raise the limit",
        label,
    )
