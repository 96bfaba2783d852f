"""Worker processes for the independent parts of one analysis.

python-igraph holds the GIL while it computes, so threads would take turns;
lisa runs independent networks in separate processes instead. On Linux the
workers are forked and inherit the study without copying it; elsewhere they
are spawned and receive it once, at start. A place too small to gain from it
is analysed in this process (:data:`PARALLEL_WORK`).

The number of workers is ``LISA_WORKERS`` when set, else the cores this process
may run on. Results never depend on it: every random draw in the analysis
comes from a stream named after what it is for (:func:`lisa.randomness.rng_for`).
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from lisa.errors import ConfigError

__all__ = ["PARALLEL_WORK", "as_completed", "cores", "pool", "workers_for"]

#: Below this much work (people × arcs of the combined network) one process is
#: quicker than starting workers.
PARALLEL_WORK = 20_000_000
ENV = "LISA_WORKERS"


def cores() -> int:
    """The cores this process may use (``LISA_WORKERS`` overrides)."""
    text = os.environ.get(ENV, "").strip()
    if text:
        try:
            value = int(text)
        except ValueError:
            raise ConfigError(f"{ENV} must be a whole number of workers, not '{text}'") from None
        if value < 1:
            raise ConfigError(f"{ENV} must be at least 1, not {value}")
        return value
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def workers_for(work: int, requested: int | None = None) -> int:
    """Workers to use for an analysis of this much work (1: in this process).

    A number asked for is used as it is; otherwise the machine's cores, or one
    process for a place below :data:`PARALLEL_WORK`.

    >>> workers_for(1_000)
    1
    >>> workers_for(1_000, 2)
    2
    """
    if requested is not None:
        if requested < 1:
            raise ConfigError(f"workers must be at least 1, not {requested}")
        return requested
    return 1 if work < PARALLEL_WORK else cores()


def pool(
    workers: int, initializer: Callable[..., None], initargs: Sequence[Any]
) -> ProcessPoolExecutor:
    """A process pool whose workers each ran ``initializer(*initargs)`` first."""
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp.get_context(method),
        initializer=initializer,
        initargs=tuple(initargs),
    )

