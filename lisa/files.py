"""Writing files and folders so that an interrupted write never leaves a mix.

Every file lisa writes goes through :func:`atomic_target` (or its shorthands
:func:`atomic_write_text` and :func:`atomic_write_bytes`): the content is
written to a temporary file beside the target, flushed to disk, and moved over
the target in one step (``os.replace``). A reader sees the old file or the new
one, never a mix.

A study folder is replaced *as a whole* by :func:`atomic_folder`: the new
version is built as a hidden sibling folder (mode 0700, so nobody else can read
the personal data in it while it is built), the files of the old folder that
lisa does not write (notes, a README, the user's other files and folders) are
carried into it as hard links, and the two folders are swapped in one step
with Linux's ``renameat2(RENAME_EXCHANGE)``. Where that call does not exist
(other systems, some network file systems) two renames are used instead — the
complete new folder is first renamed ``….lisa-new``, the old one moved aside as
``….lisa-old``, then the new one moved in — and :func:`recover_folder`, run
before every folder write and by a load that finds the folder missing,
finishes or undoes a swap that a killed process left half-done. Either way a
crash at any point leaves the old study or the new one, never a mix, and no
temporary folder *inside* the study folder.

Temporary files and folders are named ``.NAME.PID-TOKEN.lisa-tmp`` (and
``.lisa-new`` / ``.lisa-old`` for a two-rename swap). When a process is killed
mid-write its temporary stays behind; :func:`sweep_temporaries` removes those
whose process is gone, and every write sweeps its own folder first, so
leftovers (which may hold personal data) do not accumulate.

Failures to write (a read-only folder, a folder where a file must go, a path
under a regular file, a full disk) become :class:`~lisa.errors.OutputError`
naming the path; :func:`refuse_overwrite` refuses outputs that would replace a
study's own input files; :func:`locked` serialises writers of one folder with
an ``flock`` on a lock file.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import shutil
import stat
import sys
import time
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from lisa.errors import OutputError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock: writers are not serialised
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".lisa-tmp"
#: A complete new folder waiting to be moved in (two-rename swap only).
NEW_SUFFIX = ".lisa-new"
#: The previous folder moved aside (two-rename swap only).
OLD_SUFFIX = ".lisa-old"
#: Name of the (empty) lock file lisa's writers take an ``flock`` on.
LOCK_NAME = ".lisa-lock"
#: How long a writer waits for another lisa process holding the lock, in seconds.
LOCK_WAIT_SECONDS = 30.0
#: Use ``renameat2(RENAME_EXCHANGE)`` where the system has it (False: always two renames).
USE_RENAME_EXCHANGE = True

_REASONS = {
    errno.EACCES: "permission denied (the folder is read-only for you)",
    errno.EPERM: "the operation is not permitted there",
    errno.EROFS: "the file system is read-only",
    errno.EISDIR: "it is a folder; give a file name",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "it exists and is a file, not a folder",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ENOENT: "a folder on the path does not exist",
}


def cannot_write(path: str | Path, exc: OSError) -> OutputError:
    """The :class:`OutputError` for an operating-system error met while writing ``path``."""
    reason = _REASONS.get(exc.errno or 0, exc.strerror or str(exc))
    return OutputError(f"cannot write '{path}': {reason}")


def ensure_folder(path: str | Path) -> Path:
    """Create ``path`` (and its parents) if needed; :class:`OutputError` if it cannot be."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(folder, exc) from None
    return folder


def check_writable_file(path: str | Path) -> Path:
    """Fail early when ``path`` cannot become a file (its folder is created if needed).

    Raises
    ------
    OutputError
        When a folder is at ``path``, or a part of its folder path is a file.
    """
    target = Path(path)
    ensure_folder(target.parent)
    if target.is_dir():
        raise OutputError(f"cannot write '{target}': {_REASONS[errno.EISDIR]}")
    return target


def temporary_name(target: Path, suffix: str = TEMP_SUFFIX, tag: str | None = None) -> Path:
    """A fresh temporary path beside ``target``, tagged with this process id."""
    tag = tag or f"{os.getpid()}-{secrets.token_hex(4)}"
    return target.with_name(f".{target.name}.{tag}{suffix}")


def _parse_temporary(name: str) -> tuple[str, int, str] | None:
    """``(target name, pid, suffix)`` of a name lisa gave a temporary, else None."""
    suffix = next((s for s in (TEMP_SUFFIX, NEW_SUFFIX, OLD_SUFFIX) if name.endswith(s)), None)
    if suffix is None or not name.startswith("."):
        return None
    stem, _, tag = name[1 : -len(suffix)].rpartition(".")
    pid_text = tag.split("-", 1)[0]
    if not stem or not pid_text.isdigit():
        return None
    return stem, int(pid_text), suffix


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


def _remove(entry: Path) -> None:
    with contextlib.suppress(OSError):
        if entry.is_dir() and not entry.is_symlink():
            with contextlib.suppress(OSError):
                os.chmod(entry, 0o700)  # hide it from others while it is being removed
            shutil.rmtree(entry)
        else:
            entry.unlink()


def sweep_temporaries(folder: str | Path) -> list[Path]:
    """Remove temporary files and folders left in ``folder`` by killed lisa processes.

    Only names lisa itself gives (``*.lisa-tmp``) whose process no longer runs are
    removed. Returns what was removed.
    """
    folder = Path(folder)
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:  # not a folder, or not readable: nothing of ours to sweep
        return removed
    for entry in entries:
        parsed = _parse_temporary(entry.name)
        if parsed is None or parsed[2] != TEMP_SUFFIX or _process_alive(parsed[1]):
            continue
        _remove(entry)
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

    Raises
    ------
    OutputError
        When ``path`` cannot be written: it is a folder, a part of it is a
        file, the folder is read-only, the disk is full.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_target(folder / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (folder / "a.txt").read_text()
    'hello'
    """
    target = check_writable_file(path)
    sweep_temporaries(target.parent)
    tmp = temporary_name(target)
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and exc.errno in _REASONS:
            raise cannot_write(target, exc) from None
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


# -- whole folders -------------------------------------------------------------


def recover_folder(path: str | Path) -> list[Path]:
    """Finish or undo a folder swap that a killed lisa process left half-done.

    When ``path`` is missing and a complete new version (``.lisa-new``) of a
    dead process is beside it, that version is moved in; failing that, the
    old version moved aside (``.lisa-old``) is moved back. Then every other
    leftover of dead processes for ``path`` is removed. Returns what was
    removed or moved.
    """
    target = Path(os.path.realpath(path))
    try:
        entries = list(target.parent.iterdir())
    except OSError:  # no such folder, or not readable
        return []
    leftovers: dict[str, list[Path]] = {TEMP_SUFFIX: [], NEW_SUFFIX: [], OLD_SUFFIX: []}
    for entry in entries:
        parsed = _parse_temporary(entry.name)
        if parsed and parsed[0] == target.name and not _process_alive(parsed[1]):
            leftovers[parsed[2]].append(entry)
    done: list[Path] = []
    if not os.path.lexists(target):
        for suffix in (NEW_SUFFIX, OLD_SUFFIX):
            if leftovers[suffix]:
                latest = max(leftovers[suffix], key=lambda p: p.stat().st_mtime)
                with contextlib.suppress(OSError):
                    os.rename(latest, target)
                    leftovers[suffix].remove(latest)
                    done.append(latest)
                break
    for entries in leftovers.values():
        for entry in entries:
            _remove(entry)
            done.append(entry)
    return done


_LIBC: ctypes.CDLL | None = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    global _LIBC
    if not USE_RENAME_EXCHANGE or not sys.platform.startswith("linux"):
        return False
    try:
        _LIBC = _LIBC or ctypes.CDLL(None, use_errno=True)
        renameat2 = _LIBC.renameat2
    except (OSError, AttributeError):  # no libc, or a glibc before 2.28
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # the file system cannot
        return False
    raise OSError(err, os.strerror(err), str(b))


def _mirror(src: Path, dst: Path) -> None:
    """Carry ``src`` over to ``dst`` untouched: hard links for files, new folders for folders."""
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        os.mkdir(dst)
        for child in os.scandir(src):
            _mirror(Path(child.path), dst / child.name)
        shutil.copystat(src, dst, follow_symlinks=False)
    else:
        try:
            os.link(src, dst, follow_symlinks=False)
        except OSError:  # a file system without hard links
            shutil.copy2(src, dst, follow_symlinks=False)


def _folder_mode(target: Path) -> int:
    if target.is_dir():
        return stat.S_IMODE(target.stat().st_mode)
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


def _commit(staging: Path, target: Path, owned: Collection[str]) -> None:
    """Complete the staging folder (carried-over entries, mode) and swap it in."""
    written = [p for p in staging.iterdir() if p.is_file()]
    if target.is_dir():
        sweep_temporaries(target)
        for entry in os.scandir(target):
            if entry.name not in owned and not os.path.lexists(staging / entry.name):
                _mirror(Path(entry.path), staging / entry.name)
        for path in written:  # a rewritten file keeps the permissions it had
            with contextlib.suppress(OSError):
                shutil.copymode(target / path.name, path)
    for path in written:
        _fsync(path)
    os.chmod(staging, _folder_mode(target))
    if target.is_dir():  # keep the folder's owner (e.g. when run by an administrator)
        st = target.stat()
        with contextlib.suppress(OSError):
            os.chown(staging, st.st_uid, st.st_gid)
    _fsync(staging)
    if not os.path.lexists(target):
        os.rename(staging, target)
    elif _exchange(staging, target):
        _remove(staging)  # it now holds the old version
    else:
        _two_renames(staging, target)
    _fsync(target.parent)


def _two_renames(staging: Path, target: Path) -> None:
    """The swap where the system cannot exchange two paths (see :func:`recover_folder`)."""
    tag = staging.name[len(target.name) + 2 : -len(TEMP_SUFFIX)]
    new, old = temporary_name(target, NEW_SUFFIX, tag), temporary_name(target, OLD_SUFFIX, tag)
    os.rename(staging, new)  # the new version is complete: from here recovery rolls forward
    try:
        os.rename(target, old)
    except OSError:
        _remove(new)
        raise
    try:
        os.rename(new, target)
    except OSError:
        os.rename(old, target)
        _remove(new)
        raise
    _remove(old)


@contextlib.contextmanager
def atomic_folder(path: str | Path, owned: Collection[str] = ()) -> Iterator[Path]:
    """Yield an empty private folder to write to; on success it replaces ``path`` as a whole.

    Everything in the existing folder that the block did not write is carried
    over unchanged (files as hard links, so they keep their bytes, inode and
    modification time), except names in ``owned``: files lisa manages, which
    are dropped when the new version does not have them. If the block raises
    or the process dies, ``path`` is left as it was.

    Parameters
    ----------
    path
        The folder to replace (created if it does not exist; a symlink to a
        folder replaces the folder it points to).
    owned
        File names this writer manages in the folder.

    Raises
    ------
    OutputError
        When ``path`` is a file or a mount point, or its parent folder (where
        the new version is built) cannot be written.
    """
    target = Path(os.path.realpath(path))
    if os.path.lexists(target) and not target.is_dir():
        raise OutputError(f"cannot write the folder '{path}': it is a file")
    parent = ensure_folder(target.parent)
    if target.is_dir() and target.stat().st_dev != parent.stat().st_dev:
        raise OutputError(
            f"cannot replace '{path}': it is a mount point, and lisa replaces a study folder "
            "as a whole; keep the study in a folder inside it"
        )
    recover_folder(target)
    staging = temporary_name(target)
    try:
        os.mkdir(staging, 0o700)
    except OSError as exc:
        raise OutputError(
            f"cannot write '{path}': lisa builds the new version of a folder beside it and "
            f"swaps it in whole, and cannot create a folder in '{parent}' "
            f"({_REASONS.get(exc.errno or 0, exc.strerror)})"
        ) from None
    try:
        yield staging
        _commit(staging, target, owned)
    except BaseException as exc:
        _remove(staging)
        if isinstance(exc, OSError):  # everything in here writes: name it as such
            raise cannot_write(path, exc) from None
        raise


# -- guards ----------------------------------------------------------------------


def refuse_overwrite(outputs: Iterable[str | Path], protected: Iterable[str | Path]) -> None:
    """Refuse outputs that would replace one of the ``protected`` files.

    Paths are compared after resolving symlinks and ``..`` (and as the same
    file where both exist), so ``--out STUDY/./people.csv`` is caught too.

    Raises
    ------
    OutputError
        Naming the output and the file it would overwrite.

    >>> refuse_overwrite(["out/people.csv"], ["study/people.csv"])
    >>> refuse_overwrite(["study/people.csv"], ["study/people.csv"])
    Traceback (most recent call last):
    ...
    lisa.errors.OutputError: 'study/people.csv' would overwrite the study's own file 'study/people.csv'; write the output somewhere else
    """
    guarded = [Path(p) for p in protected]
    real = {os.path.realpath(p): p for p in guarded}
    for out in outputs:
        out = Path(out)
        hit = real.get(os.path.realpath(out))
        if hit is None and out.exists():
            hit = next((p for p in guarded if p.exists() and os.path.samefile(p, out)), None)
        if hit is not None:
            raise OutputError(
                f"'{out}' would overwrite the study's own file '{hit}'; "
                "write the output somewhere else"
            )


@contextlib.contextmanager
def locked(lock_file: str | Path, wait: float | None = None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_file`` (created empty if needed).

    A second lisa process asking for the same lock waits up to ``wait``
    seconds (default :data:`LOCK_WAIT_SECONDS`). The lock is released when the
    block ends or the process dies; the empty file stays.

    Raises
    ------
    OutputError
        When another process still holds the lock after the wait, or the
        lock file cannot be created.
    """
    lock = Path(lock_file)
    ensure_folder(lock.parent)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise cannot_write(lock, exc) from None
    try:
        limit = LOCK_WAIT_SECONDS if wait is None else wait
        deadline = time.monotonic() + limit
        while fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutputError(
                        f"another lisa process is writing to '{lock.parent}' (it holds "
                        f"'{lock.name}'); waited {limit:g} s — try again when it has finished"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def output_lock(
    folder: str | Path, wait: float | None = None
) -> contextlib.AbstractContextManager[None]:
    """The lock of an output folder (``FOLDER/.lisa-lock``), see :func:`locked`."""
    return locked(Path(folder) / LOCK_NAME, wait)


def folder_lock(
    folder: str | Path, wait: float | None = None
) -> contextlib.AbstractContextManager[None]:
    """The lock of a folder lisa replaces whole (a sibling ``.NAME.lisa-lock``), see :func:`locked`."""
    target = Path(os.path.realpath(folder))
    return locked(target.with_name(f".{target.name}{LOCK_NAME}"), wait)
