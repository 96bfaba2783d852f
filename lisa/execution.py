"""One execution layer for everything that fans out: many places, many runs.

:func:`run_many` maps a picklable function over items and returns every
result in item order, with the items that failed collected in
:attr:`Outcome.failures` — one failing item never stops the others. Three
backends run the same calls:

* ``sequential`` — in this process, one after the other (one worker, or one item);
* ``processes`` — local worker processes, one per core by default
  (:class:`concurrent.futures.ProcessPoolExecutor`). Processes, not threads:
  python-igraph holds the GIL, so threads would not run two analyses at once;
* ``dask`` — a Dask distributed cluster, when a scheduler address is given
  (``tcp://host:8786``). Needs the optional extra: ``pip install 'lisa[dask]'``.

Results are identical whichever backend runs them: the function is called on
the item alone, so any randomness must come from the item (a seed it carries,
drawn with :func:`lisa.randomness.rng_for` under the item's own name) and
never from the worker, its process id or the order items finish in. Progress
is drawn on stderr with rich, one tick per finished item.

A failure is recorded in the worker as the error's class and message
(:class:`Failure`); exceptions are not sent back between processes, so an
error that cannot be pickled still arrives. Nothing about the items is logged.

Inside one analysis the independent networks of a place fan out too
(:func:`forked_pool`, used by :mod:`lisa.network.engine`): there the workers
are forked, so they inherit the study without copying it, and a place too
small to gain from it stays in one process (:data:`PARALLEL_WORK`). Both
layers take their number of workers from :func:`cores`: ``LISA_WORKERS`` when
set, else the cores this process may run on.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lisa.errors import ConfigError, LisaError, MissingDependency, RunFailed

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult
    from lisa.config import AnalysisConfig
    from lisa.study import Study

T = TypeVar("T")
R = TypeVar("R")

Backend = Literal["sequential", "processes", "dask"]

#: Modules the local workers' fork server imports once, so each worker starts with them.
PRELOAD = ("lisa.analysis", "lisa.io")
#: The longest failure message kept (the head of an error listing many problems).
MAX_MESSAGE = 2000
#: Seconds to wait for a Dask scheduler to answer before giving up.
CONNECT_TIMEOUT = 10.0
#: Below this much work (people × arcs of the combined network) one process
#: analyses a place quicker than starting workers.
PARALLEL_WORK = 20_000_000
#: A network whose exact betweenness is more work than this (people × arcs) is
#: split into source parts of about this much each, computed as separate tasks and
#: added up in a fixed order (:func:`lisa.network.centrality.source_parts`): the
#: largest network is shared by the cores instead of holding one alone. The parts
#: depend on the network only, so the result is the same with any number of workers.
PART_WORK = 25_000_000
#: A large place's combined network lists its brokers' two-paths (and counts their
#: reach) in ranges of people brokering about this many two-paths each
#: (:func:`lisa.network.brokerage.broker_parts`), tasks of their own, so both cores
#: share its per-person work; like the parts above, they depend on the network only.
PIECE_PATHS = 20_000_000
#: Below this much work (elementary steps: a tie relabelled in one permutation, a
#: person drawn in one resample) a batched computation (:func:`run_parts`) runs in
#: this process: starting workers (about a second) would cost more than they save.
#: (The diffusion runs stay in this process by default whatever their size: their
#: compiled kernels already use every core, see :mod:`lisa.scenarios.diffusion`.)
FANOUT_WORK = 200_000_000
#: The environment variable that sets the number of workers.
WORKERS_ENV = "LISA_WORKERS"
#: Seconds between checks, while waiting for local workers, that none of them died.
POLL_SECONDS = 0.5
#: Seconds a pool may take to notice a dead worker itself before lisa gives up on
#: the items still pending there (they run again, each alone). Bounds the wait
#: so a dead worker can never hang the run.
DEAD_WORKER_GRACE = 5.0
#: Seconds a stopping worker is given to exit before it is killed.
STOP_SECONDS = 5.0
#: Linux's prctl option that sends a signal to a process when its parent dies.
PR_SET_PDEATHSIG = 1


def cores() -> int:
    """The workers to use by default: ``LISA_WORKERS``, else the cores this process may use."""
    text = os.environ.get(WORKERS_ENV, "").strip()
    if text:
        try:
            value = int(text)
        except ValueError:
            raise ConfigError(
                f"{WORKERS_ENV} must be a whole number of workers, not '{text}'"
            ) from None
        if value < 1:
            raise ConfigError(f"{WORKERS_ENV} must be at least 1, not {value}")
        return value
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def workers_for(work: int, requested: int | None = None, threshold: int = PARALLEL_WORK) -> int:
    """Workers for this much work (1: in this process).

    A number asked for is used as it is; otherwise :func:`cores`, or one
    process for work below ``threshold`` (:data:`PARALLEL_WORK` for one
    analysis, :data:`FANOUT_WORK` for batched draws).

    >>> workers_for(1_000)
    1
    >>> workers_for(1_000, 2)
    2
    """
    if requested is not None:
        if requested < 1:
            raise ConfigError(f"workers must be at least 1, not {requested}")
        return requested
    return 1 if work < threshold else cores()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else (the pid was reused)
        return False
    return True


def die_with_parent(parent: int) -> None:
    """In a worker: be killed when the process that started it dies.

    On Linux the kernel sends SIGKILL when the worker's parent exits
    (``prctl(PR_SET_PDEATHSIG)``). A worker of the fork server has the fork
    server as its parent, which does not exit with lisa's process while its
    workers live (each holds the fork server's keep-alive pipe open), so such a
    worker, like any worker where ``prctl`` is missing, also runs a daemon
    thread that checks every second. If ``parent`` (the process that asked for
    the pool) is already gone, the worker exits at once.
    """
    watch = not sys.platform.startswith("linux") or os.getppid() != parent
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no libc prctl: fall back to the watching thread
            watch = True
    if watch:
        _watch_parent(parent)
    if not _alive(parent):
        os._exit(1)


def _watch_parent(parent: int) -> None:
    import threading

    def watch() -> None:
        while _alive(parent):
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="lisa-parent-watch", daemon=True).start()


def _start_worker(parent: int, initializer: Callable[..., None] | None, *initargs: Any) -> None:
    """Every local worker's first call: die with the parent, then the pool's own initializer."""
    die_with_parent(parent)
    if initializer is not None:
        initializer(*initargs)


def side_by_side(here: Callable[[], object], beside: Callable[[], object]) -> None:
    """Run ``here`` in this process and ``beside`` at the same time in a forked child.

    For two independent writers of a large result (``lisa analyse --json --table``):
    the child inherits the result without pickling it, and dies with this process.
    ``beside`` must not use a library's thread pool that the fork cannot carry
    (polars'), so the child writes the JSON and this process the Parquet table.
    If the child fails (or fork is not available), ``beside`` runs again here, so its
    error is raised with its own name and message; what it writes goes through
    :func:`lisa.files.atomic_target`, so a failed try leaves nothing behind.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        here()
        beside()
        return
    child = multiprocessing.get_context("fork").Process(
        target=_beside, args=(os.getpid(), beside), daemon=True
    )
    child.start()
    try:
        here()
    finally:
        child.join()
    if child.exitcode != 0:
        beside()


def _beside(parent: int, task: Callable[[], object]) -> None:
    die_with_parent(parent)
    try:
        task()
    except BaseException:  # the parent runs it again and reports it
        os._exit(1)


def forked_pool(
    workers: int, initializer: Callable[..., None], initargs: Sequence[Any]
) -> ProcessPoolExecutor:
    """A pool whose workers each ran ``initializer(*initargs)`` first (forked where possible).

    Forked workers inherit what the parent holds (a study) without pickling it;
    where fork is unavailable they are spawned and receive ``initargs`` once.
    Each worker dies with this process (:func:`die_with_parent`).
    """
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_worker,
        initargs=(os.getpid(), initializer, *initargs),
    )


@dataclass(frozen=True)
class Failure:
    """One item that did not complete: which, and the error it raised."""

    index: int
    label: str
    error: str = field(metadata={"help": "The error's class name, e.g. 'StudyInvalid'."})
    message: str
    lisa_error: bool = field(
        default=True, metadata={"help": "False for an unexpected error (a bug): see 'detail'."}
    )
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.label}: {self.error}: {self.message}"


@dataclass
class Outcome(Generic[R]):
    """Every item's result (None where it failed), the failures, and how they were run."""

    results: list[R | None]
    failures: list[Failure]
    backend: Backend
    workers: int

    @property
    def completed(self) -> list[R]:
        """The results of the items that completed, in item order."""
        failed = {f.index for f in self.failures}
        return [r for i, r in enumerate(self.results) if i not in failed]  # type: ignore[misc]


@dataclass(frozen=True)
class _Done:
    """What a worker sends back: the value, or the failure in plain text."""

    value: Any = None
    error: str | None = None
    message: str = ""
    lisa_error: bool = True
    detail: str = ""


def _short(message: str) -> str:
    """A failure's message, cut at :data:`MAX_MESSAGE` characters (a study with thousands of
    problems says how many)."""
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + " …"


@dataclass(frozen=True)
class _Call(Generic[T, R]):
    """The function and one item, as a picklable call that never raises."""

    func: Callable[[T], R]

    def __call__(self, item: T) -> _Done:
        try:
            return _Done(value=self.func(item))
        except LisaError as exc:
            return _Done(error=type(exc).__name__, message=_short(str(exc)))
        except Exception as exc:  # a bug in one item must not stop the others
            return _Done(
                error=type(exc).__name__,
                message=_short(str(exc)),
                lisa_error=False,
                detail="".join(traceback.format_exception_only(exc)).strip(),
            )


@contextmanager
def _progress(description: str, total: int, show: bool) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr; yields the function that ticks it."""
    if not show:
        yield lambda: None
        return
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=not console.is_terminal,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda: bar.advance(task)


def _sequential(call: _Call[T, R], items: Sequence[T], tick: Callable[[], None]) -> list[_Done]:
    out = []
    for item in items:
        out.append(call(item))
        tick()
    return out


def _worker_died(pool: ProcessPoolExecutor) -> bool:
    """Whether one of the pool's workers has exited (none does by itself while items run)."""
    processes = getattr(pool, "_processes", None) or {}
    return any(p.exitcode is not None for p in list(processes.values()))


def _stop(pool: ProcessPoolExecutor) -> None:
    """Shut the pool down in bounded time: a worker that does not exit is killed."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.join(STOP_SECONDS)
        if p.exitcode is None:
            p.kill()
            p.join(STOP_SECONDS)


def _record(future: Future[_Done]) -> _Done | None:
    """A finished future's record; None where its pool broke."""
    try:
        return future.result()
    except BrokenProcessPool:
        return None
    except Exception as exc:  # the item or its result could not be sent (pickling)
        return _Done(error=type(exc).__name__, message=_short(str(exc)), lisa_error=False)


def _pool(
    call: _Call[T, R], items: Sequence[T], indices: Sequence[int], workers: int
) -> Iterator[tuple[int, _Done | None]]:
    """(index, record) as each item finishes in a fresh pool; None where the pool broke
    (also for items not yet handed out when it broke).

    The wait is bounded: if a worker has died and the pool has not noticed
    within :data:`DEAD_WORKER_GRACE` seconds, the items still pending count
    as broken, and every worker is stopped.
    """
    context = multiprocessing.get_context("forkserver")  # fresh workers: no thread state copied
    context.set_forkserver_preload(list(PRELOAD))  # workers fork with these already imported
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_worker,
        initargs=(os.getpid(), None),
    )  # fmt: skip
    try:
        futures: dict[Future[_Done], int] = {}
        for position, k in enumerate(indices):
            try:
                futures[pool.submit(call, items[k])] = k
            except BrokenProcessPool:  # a worker died while the items were handed out
                unsent = list(indices[position:])
                break
        else:
            unsent = []
        pending = set(futures)
        died: float | None = None
        while pending:
            done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=futures.__getitem__):
                yield futures[future], _record(future)
            if pending and _worker_died(pool):
                died = died if died is not None else time.monotonic()
                if time.monotonic() - died > DEAD_WORKER_GRACE:
                    for future in sorted(pending, key=futures.__getitem__):
                        yield futures[future], None
                    break
        for k in unsent:
            yield k, None
    finally:
        _stop(pool)


def _processes(
    call: _Call[T, R], items: Sequence[T], workers: int, tick: Callable[[], None]
) -> list[_Done]:
    """Local worker processes. A worker that dies (killed, out of memory) breaks its pool:
    the items it took down are run again, each alone, so only the one that kills its worker
    fails."""
    done: list[_Done | None] = [None] * len(items)
    broken = []
    for k, record in _pool(call, items, range(len(items)), workers):
        if record is None:
            broken.append(k)
        else:
            done[k] = record
            tick()
    for k in sorted(broken):
        record = next(_pool(call, items, [k], 1))[1]
        done[k] = record or _Done(
            error="WorkerDied",
            message="the worker process stopped (killed, or out of memory)",
            lisa_error=False,
        )
        tick()
    return [d for d in done if d is not None]


def _collected(get: Callable[[], _Done], index: int) -> _Done:
    """A finished Dask call's record; a worker lost for good is a failure of that item."""
    try:
        return get()
    except Exception as exc:
        return _Done(
            error=type(exc).__name__,
            message=f"the worker running item {index + 1} stopped: {exc}",
            lisa_error=False,
        )


def _client(scheduler: Any) -> tuple[Any, bool]:
    """A Dask client for an address (owned: closed afterwards) or the given client itself."""
    try:
        from distributed import Client
    except ImportError:
        raise MissingDependency(
            "running on a Dask cluster needs the optional extra: pip install 'lisa[dask]'"
        ) from None
    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        return Client(str(scheduler), timeout=CONNECT_TIMEOUT, set_as_default=False), True
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(
            f"cannot reach the Dask scheduler at '{scheduler}' within {CONNECT_TIMEOUT:g} s "
            f"({type(exc).__name__}): is it running, and is the address tcp://host:port?"
        ) from None


def _dask(call: _Call[T, R], items: Sequence[T], scheduler: Any, tick: Callable[[], None]) -> tuple[
    list[_Done], int
]:
    client, owned = _client(scheduler)
    from distributed import as_completed as dask_completed

    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        futures = client.map(call, list(items), pure=False)
        index = {f.key: k for k, f in enumerate(futures)}
        done: list[_Done | None] = [None] * len(items)
        for future in dask_completed(futures, loop=client.loop):
            done[index[future.key]] = _collected(future.result, index[future.key])
            tick()
        return [d for d in done if d is not None], workers
    finally:
        if owned:
            client.close()


def run_many(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    labels: Sequence[str] | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
    description: str = "Running",
) -> Outcome[R]:
    """Call ``func`` on every item, in parallel where it pays, collecting failures.

    Parameters
    ----------
    func
        A picklable function of one item (defined at module level, or a
        :func:`functools.partial` of one). It must get any randomness from the
        item, so that every backend gives the same results.
    items
        The items (picklable).
    labels
        How each item is named in a failure (default ``item 1``, ``item 2`` ...).
        Use a place's name, never a person's.
    workers
        Local worker processes (default: the cores this process may use, or
        ``LISA_WORKERS``; 1 runs in this process). Ignored with ``scheduler``.
    scheduler
        A Dask scheduler address (``tcp://host:8786``) or a
        ``distributed.Client``: run on that cluster instead.
    progress
        Draw a progress bar on stderr (only when stderr is a terminal).
    description
        The progress bar's text.

    Returns
    -------
    Outcome
        ``results`` in item order (None for a failed item) and the ``failures``.

    Raises
    ------
    ConfigError
        The scheduler cannot be reached, or ``workers`` is below 1.
    MissingDependency
        A scheduler was given but Dask's distributed package is not installed.

    Examples
    --------
    >>> run_many(abs, [-1, 2, -3], workers=1, progress=False).results
    [1, 2, 3]
    """
    if workers is not None and workers < 1:
        raise ConfigError(f"workers must be at least 1, not {workers}")
    names = list(labels) if labels is not None else [f"item {k + 1}" for k in range(len(items))]
    if len(names) != len(items):
        raise ConfigError(f"{len(names)} labels for {len(items)} items")
    call: _Call[T, R] = _Call(func)
    backend: Backend
    with _progress(description, len(items), progress) as tick:
        if scheduler is not None:
            backend = "dask"
            done, used = _dask(call, items, scheduler, tick)
        else:
            used = min(workers or cores(), max(1, len(items)))
            backend = "sequential" if used == 1 else "processes"
            done = (
                _sequential(call, items, tick)
                if used == 1
                else _processes(call, items, used, tick)
            )
    return _outcome(done, names, backend, used)


def _outcome(done: Sequence[_Done], names: Sequence[str], backend: Backend, used: int) -> Outcome[R]:
    failures = [
        Failure(k, names[k], d.error, d.message, d.lisa_error, d.detail)
        for k, d in enumerate(done)
        if d.error is not None
    ]
    return Outcome([d.value if d.error is None else None for d in done], failures, backend, used)


@dataclass(frozen=True)
class Where:
    """Where the parts of a batched computation run (see :func:`run_parts`)."""

    workers: int | None = field(default=None, metadata={"help": "Local worker processes."})
    scheduler: Any = field(default=None, metadata={"help": "A Dask scheduler address or client."})
    progress: bool = field(default=False, metadata={"help": "A progress bar on a terminal."})


def run_parts(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    work: int,
    what: str,
    labels: Sequence[str] | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = False,
) -> list[R]:
    """Run the independent parts (batches) of one computation; every part's result, in order.

    The backend is :func:`run_many`'s; by default the parts run in this
    process when the ``work`` (elementary steps, see :data:`FANOUT_WORK`) is
    too small to pay for workers, otherwise on the machine's cores. The parts
    must be split and seeded independently of the number of workers, so the
    result is the same whichever backend runs them.

    Parameters
    ----------
    func, items, labels, scheduler, progress
        As for :func:`run_many`.
    work
        How much work all the parts are together, to choose the default.
    what
        The computation, in words, for the error and the progress bar.
    workers
        Local worker processes (default: by ``work``).

    Returns
    -------
    list
        Each part's result, in item order.

    Raises
    ------
    RunFailed
        A part failed; raised after every other part has completed.
    ConfigError, MissingDependency
        As for :func:`run_many`.

    Examples
    --------
    >>> run_parts(abs, [-1, 2], work=2, what="two numbers")
    [1, 2]
    """
    used = workers if scheduler is not None else workers_for(work, workers, FANOUT_WORK)
    outcome = run_many(
        func, items, labels=labels, workers=used, scheduler=scheduler, progress=progress,
        description=what[0].upper() + what[1:],
    )  # fmt: skip
    if outcome.failures:
        listed = [str(f) for f in outcome.failures]
        shown = "; ".join(listed[:5]) + (" …" if len(listed) > 5 else "")
        raise RunFailed(
            f"{len(listed)} part(s) of {what} failed (the others completed): {shown}", listed
        )
    return outcome.completed


def _analysis(job: tuple[Study, AnalysisConfig]) -> AnalysisResult:
    """One analysis in a worker (its networks in that worker's process alone)."""
    from lisa.analysis import analyse

    return analyse(job[0], job[1], workers=1)


def analyses(
    studies: Sequence[Study], configs: Sequence[AnalysisConfig], where: Where | None = None
) -> list[AnalysisResult]:
    """Each study analysed with its settings, as ``where`` says; the same results anywhere.

    Without a scheduler the analyses run here one after the other, each
    fanning its own networks out over ``where.workers`` local processes
    (:func:`lisa.analyse`); with one, they run on the Dask cluster as
    independent tasks, side by side.

    Raises
    ------
    RunFailed
        An analysis failed on the cluster (after the others completed).
    """
    from lisa.analysis import analyse

    where = where or Where()
    if where.scheduler is None:
        return [analyse(s, c, workers=where.workers) for s, c in zip(studies, configs, strict=True)]
    return run_parts(
        _analysis, list(zip(studies, configs, strict=True)), work=0, what="the analyses",
        labels=[f"analysis {k + 1}" for k in range(len(studies))],
        scheduler=where.scheduler, progress=where.progress,
    )  # fmt: skip


def analysed(study: Study, config: AnalysisConfig, where: Where | None = None) -> AnalysisResult:
    """One study's analysis, as ``where`` says (see :func:`analyses`)."""
    return analyses([study], [config], where)[0]
