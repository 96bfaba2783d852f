"""The ``lisa`` command line: thin Typer commands over the library.

Each sub-module registers its commands on :data:`app`; none holds analysis
logic. Errors from :mod:`lisa.errors` become a message and the exit code in
``docs/cli.md``; no documented command ends in a traceback.
"""

from __future__ import annotations

from lisa.cli import assess as _assess  # noqa: F401,E402
from lisa.cli import report as _report  # noqa: F401,E402
from lisa.cli import scenarios as _scenarios  # noqa: F401,E402

# Importing the command modules registers their commands on ``app``.
from lisa.cli import study as _study  # noqa: F401,E402
from lisa.cli import value as _value  # noqa: F401,E402
from lisa.cli import waves as _waves  # noqa: F401,E402
from lisa.cli._app import app, main

__all__ = ["app", "main"]
