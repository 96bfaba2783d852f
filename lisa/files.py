"""Writing files so that an interrupted write never leaves a half-written one.

Every file lisa writes goes through :func:`atomic_target` (or its shorthands
:func:`atomic_write_text` and :func:`atomic_write_bytes`): the content is
written to a temporary file beside the target, flushed to disk, and moved over
the target in one step (``os.replace``). A reader sees the old file or the new
one, never a mix.

Temporary files are named ``.NAME.PID-TOKEN.lisa-tmp``. When a process is
killed mid-write its temporary file stays behind; :func:`sweep_temporaries`
removes those whose process is gone, and every write sweeps its own folder
first, so leftovers (which may hold personal data) do not accumulate.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

TEMP_SUFFIX = ".lisa-tmp"


def temporary_name(target: Path) -> Path:
    """A fresh temporary path beside ``target``, tagged with this process id."""
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep_temporaries(folder: str | Path) -> list[Path]:
    """Remove temporary files and folders left in ``folder`` by killed lisa processes.

    Only names lisa itself gives (``*.lisa-tmp``) whose process no longer runs are
    removed. Returns what was removed.
    """
    folder = Path(folder)
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        name = entry.name
        if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
            continue
        tag = name[: -len(TEMP_SUFFIX)].rsplit(".", 1)[-1]
        pid_text = tag.split("-", 1)[0]
        if not pid_text.isdigit() or _process_alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink():
                import shutil

                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed.append(entry)
    return removed


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_target(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path`` in one step.

    The folder is created if needed. If the block raises, the temporary file is
    removed and ``path`` is left as it was.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_target(folder / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (folder / "a.txt").read_text()
    'hello'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_temporaries(target.parent)
    tmp = temporary_name(target)
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync(target.parent)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path."""
    with atomic_target(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` as UTF-8, atomically; returns the path."""
    return atomic_write_bytes(path, text.encode("utf-8"))
