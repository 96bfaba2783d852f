"""Named random streams: each random draw in lisa comes from its own seeded stream.

A stream is identified by the analysis seed and a name (``rng_for(seed,
"resilience", "group", "sector", "vcs")``). Its generator is seeded from a
:class:`numpy.random.SeedSequence` whose spawn key is derived from the name,
so streams are independent of each other and of the order they are asked for:
adding a resilience scenario, a relation or a Monte Carlo batch never shifts
the random numbers of the others, and every result is reproducible from the
seed alone.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stream_key(*names: object) -> tuple[int, ...]:
    """A stable spawn key for a stream name (the same on every machine and run)."""
    digest = hashlib.sha256("\x1f".join(str(n) for n in names).encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


def rng_for(seed: int, *names: object) -> np.random.Generator:
    """The generator of the stream ``names`` under ``seed``.

    >>> a = rng_for(0, "resilience", "top-hubs").random()
    >>> b = rng_for(0, "resilience", "top-hubs").random()
    >>> a == b, a == rng_for(0, "resilience", "stable-core").random()
    (True, False)
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=stream_key(*names)))
