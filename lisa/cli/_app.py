"""The Typer application object and the error-to-exit-code edge."""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer
from rich.console import Console

from lisa.errors import (
    AnswerError,
    ConfigError,
    InputInvalid,
    LisaError,
    NotFound,
    OutputError,
    StudyNotFound,
)

app = typer.Typer(
    name="lisa",
    help="lisa — Local Innovation System Analyser: map and steer how a place innovates.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

#: Exit code of each kind of error (docs/cli.md); the first class that matches wins.
EXIT_CODES: tuple[tuple[type[LisaError], int], ...] = (
    (InputInvalid, 2),
    (ConfigError, 2),
    (AnswerError, 2),
    (StudyNotFound, 3),
    (OutputError, 3),
    (NotFound, 2),
    (LisaError, 1),
)


def exit_code(exc: LisaError) -> int:
    """The documented exit code for one of lisa's errors."""
    return next(code for cls, code in EXIT_CODES if isinstance(exc, cls))


def handles_errors(func: F) -> F:
    """Turn lisa's own errors into a clear message and its documented exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputInvalid as exc:
            errors = [p for p in exc.problems if p.severity == "error"]
            err_console.print(
                f"[bold red]{exc.subject[0].upper() + exc.subject[1:]} has {len(errors)} problem(s):[/]"
            )
            for p in errors:
                err_console.print(f"  - {p}", markup=False, highlight=False)
            raise typer.Exit(exit_code(exc)) from None
        except LisaError as exc:
            err_console.print(f"[bold red]Error:[/] {exc}", highlight=False)
            raise typer.Exit(exit_code(exc)) from None

    return wrapper  # type: ignore[return-value]


def main() -> None:  # the console-script entry point
    # What is loaded by now (the modules, the commands) lives as long as the process:
    # out of the cyclic collector's way, its collections scan only what a command
    # makes (about half of the collector's time in 'lisa analyse'), and forked
    # workers do not copy the pages it would touch. Once a process: a command ends it.
    gc.freeze()
    app(prog_name="lisa")


if __name__ == "__main__":  # pragma: no cover
    main()
