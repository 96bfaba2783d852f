"""The execution layer: every backend gives the same results, a failing item never stops the rest.

The functions mapped here live in lisa or the standard library (not in this
file), so that Dask's worker processes can unpickle them without the tests on
their path.
"""

from __future__ import annotations

import math
import operator
import os
import sys
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from lisa.analysis import study_fingerprint
from lisa.errors import ConfigError, MissingDependency
from lisa.execution import run_many
from lisa.synth import generate

distributed = pytest.importorskip("distributed")

SEEDS = [3, 1, 4, 1, 5, 9]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A two-worker Dask cluster on 127.0.0.1 (worker processes, no dashboard)."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        silence_logs=50,
    ) as c:
        yield c.scheduler_address


def _places(outcome: object) -> list[str]:
    return [study_fingerprint(s) for s in outcome.results]  # type: ignore[attr-defined]


def test_seeded_work_is_identical_on_every_backend(cluster: str) -> None:
    """Generating places from their own seeds gives the same places in-process, in local
    processes and on the Dask cluster, in item order."""
    work = partial(generate, 60)
    alone = run_many(work, SEEDS, workers=1, progress=False)
    local = run_many(work, SEEDS, workers=2, progress=False)
    dask = run_many(work, SEEDS, scheduler=cluster, progress=False)
    assert (alone.backend, local.backend, dask.backend) == ("sequential", "processes", "dask")
    assert dask.workers == 2
    assert _places(alone) == _places(local) == _places(dask)
    assert _places(alone)[1] == _places(alone)[3]  # the same seed, the same place
    assert _places(alone)[0] != _places(alone)[1]


@pytest.mark.parametrize("backend", ["sequential", "processes", "dask"])
def test_a_failing_item_is_reported_and_the_others_complete(backend: str, cluster: str) -> None:
    where = {"sequential": {"workers": 1}, "processes": {"workers": 2}, "dask": {"scheduler": cluster}}
    out = run_many(
        math.sqrt, [4.0, -1.0, 9.0, 16.0], labels=["a", "b", "c", "d"], progress=False,
        **where[backend],  # type: ignore[arg-type]
    )  # fmt: skip
    assert out.results == [2.0, None, 3.0, 4.0]
    assert out.completed == [2.0, 3.0, 4.0]
    [failure] = out.failures
    assert (failure.index, failure.label, failure.error) == (1, "b", "ValueError")
    assert failure.lisa_error is False and "math domain error" in failure.message


def test_a_lisa_error_in_an_item_is_reported_by_its_class(cluster: str) -> None:
    out = run_many(partial(generate, 60), [1, -5], scheduler=cluster, progress=False)
    assert out.results[0] is not None and out.results[1] is None
    assert out.failures[0].error == "ConfigError" and out.failures[0].lisa_error


def test_a_worker_that_dies_fails_only_its_own_item() -> None:
    """A worker killed mid-run (os._exit stands in for the OOM killer) breaks the process
    pool; the items it took down run again alone, and only the killer fails."""
    items = [partial(math.sqrt, 4.0), partial(os._exit, 7), partial(math.sqrt, 9.0)]
    out = run_many(operator.call, items, workers=2, progress=False)
    assert out.results[0] == 2.0 and out.results[2] == 3.0
    assert [(f.index, f.error) for f in out.failures] == [(1, "WorkerDied")]


def test_an_unreachable_scheduler_is_a_named_error_in_bounded_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    import lisa.execution

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(lisa.execution, "CONNECT_TIMEOUT", 2.0)
    started = time.monotonic()
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        run_many(abs, [1], scheduler=f"tcp://127.0.0.1:{port}", progress=False)
    assert time.monotonic() - started < 30


def test_without_distributed_a_scheduler_asks_for_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingDependency, match=r"lisa\[dask\]"):
        run_many(abs, [1], scheduler="tcp://127.0.0.1:1", progress=False)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ConfigError, match="workers"):
        run_many(abs, [1], workers=0, progress=False)
    with pytest.raises(ConfigError, match="labels"):
        run_many(abs, [1, 2], labels=["one"], progress=False)


def test_no_items_is_an_empty_outcome() -> None:
    out = run_many(abs, [], progress=False)
    assert out.results == [] and out.failures == [] and out.backend == "sequential"


def test_comparing_places_on_dask_equals_the_local_run_and_reports_a_failing_place(
    cluster: str, tmp_path: Path
) -> None:
    """lisa compare on the cluster: the same comparison as in this process, and a broken
    study is listed while the others are compared."""
    from lisa.compare import compare
    from lisa.io import write_study

    for k in range(4):
        write_study(generate(60 + 20 * k, seed=k, name=f"Site {k}"), tmp_path / f"site{k}")
    broken = tmp_path / "site9"
    write_study(generate(50, seed=9, name="Site 9"), broken)
    (broken / "people.csv").write_text("id,name\n", "utf-8")
    local, _ = compare([tmp_path], workers=1, progress=False)
    dask, got = compare([tmp_path], scheduler=cluster, progress=False)
    assert dask.model_dump() == local.model_dump()
    assert [p.place.name for p in dask.places] == [f"Site {k}" for k in range(4)]
    [failure] = dask.failures
    assert failure.source == str(broken) and failure.error == "StudyInvalid"


def test_side_by_side_runs_both_writers_and_names_the_childs_error(tmp_path: Path) -> None:
    """Two writers at once (``--json`` with ``--table``): both files appear; when the one in
    the forked child fails, its own named error reaches the caller and the other file is whole."""
    from lisa.errors import OutputError
    from lisa.execution import side_by_side
    from lisa.files import atomic_write_text

    side_by_side(lambda: atomic_write_text(tmp_path / "a.txt", "a" * 100_000),
                 lambda: atomic_write_text(tmp_path / "b.txt", "b" * 100_000))
    assert (tmp_path / "a.txt").read_text() == "a" * 100_000
    assert (tmp_path / "b.txt").read_text() == "b" * 100_000
    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputError):
        side_by_side(lambda: atomic_write_text(tmp_path / "c.txt", "c"),
                     lambda: atomic_write_text(tmp_path / "folder", "x"))
    assert (tmp_path / "c.txt").read_text() == "c"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt", "c.txt", "folder"]
