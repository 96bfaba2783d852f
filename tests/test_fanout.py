"""Everything that fans out gives the same numbers on every backend, and fails part by part.

The diffusion Monte Carlo batches and the waves comparison's QAP permutations
and bootstrap resamples run in this process, in local worker processes and on
a Dask cluster on 127.0.0.1; the results must be equal exactly. A failing
batch is named after the others completed. Local workers die with the
process that started them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from lisa.change import WavesConfig, compare_waves
from lisa.errors import RunFailed
from lisa.scenarios import DiffusionConfig, simulate
from lisa.synth import generate

distributed = pytest.importorskip("distributed")

#: Three batches per strategy (500, 500 and 200 runs): more than one part per worker.
DIFFUSION = DiffusionConfig(runs=1200, k=3, steps=6, strategies=("random", "greedy"), greedy_runs=20, seed=4)
WAVES = WavesConfig(permutations=600, resamples=1100, seed=5)


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A two-worker Dask cluster on 127.0.0.1 (worker processes; every port a free one)."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address="127.0.0.1:0", silence_logs=50,
    ) as c:  # fmt: skip
        yield c.scheduler_address


@pytest.fixture(scope="module")
def place():  # type: ignore[no-untyped-def]
    return generate(70, seed=3)


def test_simulate_gives_the_same_numbers_sequentially_in_processes_and_on_dask(
    place, cluster: str  # type: ignore[no-untyped-def]
) -> None:
    alone = simulate(place, DIFFUSION, workers=1)
    local = simulate(place, DIFFUSION, workers=2)
    dask = simulate(place, DIFFUSION, scheduler=cluster)
    assert alone.model_dump() == local.model_dump() == dask.model_dump()
    random = alone.outcome("random").everyone
    assert random.mean[0] == 3.0 and random.mean[-1] > random.mean[1]  # it spreads


def test_a_batch_depends_on_its_own_stream_alone(place) -> None:  # type: ignore[no-untyped-def]
    """A batch computed on its own is the batch the simulation used: a one-batch simulation's
    mean reach is its batch's, and the next batch number draws other runs."""
    from lisa.scenarios.diffusion import RUNS_PER_BATCH, _Batch, _Spread, run_batch
    from lisa.scenarios.flow import flow_graph

    g = flow_graph(place, None, direction="to-asker", source="setting", p=0.1)
    spread = _Spread(g, DIFFUSION.law(), np.zeros((place.n_people, 1), np.int32), 1, 6, 3)

    def batch(number: int) -> np.ndarray:
        stream = (4, "diffusion", "independent-cascade", "random", number)
        return run_batch(spread, _Batch("random", None, RUNS_PER_BATCH, stream)).cumsum(axis=2)

    first = batch(0)
    assert np.array_equal(first, batch(0)) and not np.array_equal(first, batch(1))
    one = DIFFUSION.model_copy(update={"runs": RUNS_PER_BATCH, "strategies": ("random",), "groupings": ()})
    mean = simulate(place, one, workers=1).outcome("random").everyone.mean
    assert mean == np.round(first[:, 0].mean(axis=0), 4).tolist()


def test_waves_give_the_same_comparison_sequentially_in_processes_and_on_dask(cluster: str) -> None:
    study = generate(60, seed=2, waves=2)
    alone = compare_waves(study, config=WAVES, workers=1)
    local = compare_waves(study, config=WAVES, workers=2)
    dask = compare_waves(study, config=WAVES, scheduler=cluster)
    assert alone.model_dump() == local.model_dump() == dask.model_dump()
    assert alone.combined.qap.permutations == 600
    assert alone.connected_difference.resamples == 1100
    assert alone.connected_difference.difference.low is not None


@pytest.fixture()
def threads_cluster() -> Iterator[str]:
    """A Dask cluster on 127.0.0.1 whose workers are threads of this process, so a test's
    monkeypatch reaches them."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1",
        dashboard_address="127.0.0.1:0", silence_logs=50,
    ) as c:  # fmt: skip
        yield c.scheduler_address


@pytest.mark.parametrize("backend", ["sequential", "dask"])
def test_a_failing_batch_is_named_after_the_others_complete(
    backend: str, place, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    import lisa.scenarios.diffusion as diffusion

    real = diffusion.run_batch
    log = tmp_path / "ran.txt"  # a file: Dask sends the function to its workers by value

    def flaky(spread, batch):  # type: ignore[no-untyped-def]
        with log.open("a") as f:
            f.write(f"{batch.strategy} {batch.stream[-1]}\n")
        if batch.strategy == "random" and batch.stream[-1] == 1:
            raise MemoryError("out of memory in this batch")
        return real(spread, batch)

    monkeypatch.setattr(diffusion, "run_batch", flaky)
    where = {"workers": 1} if backend == "sequential" else {"scheduler": request.getfixturevalue("threads_cluster")}
    with pytest.raises(RunFailed, match=r"1 part\(s\) of the diffusion runs failed") as caught:
        simulate(place, DIFFUSION, **where)  # type: ignore[arg-type]
    assert caught.value.failures == ["random batch 2: MemoryError: out of memory in this batch"]
    ran = sorted(log.read_text().split("\n")[:-1])
    assert ran == [f"{s} {b}" for s in ("greedy", "random") for b in range(3)]  # every batch ran


def test_a_failing_batch_exits_1_with_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import lisa.scenarios.diffusion as diffusion
    from lisa.cli import app
    from lisa.io import write_study

    write_study(generate(50, seed=1), tmp_path / "place")
    monkeypatch.setattr(diffusion, "run_batch", lambda spread, batch: 1 / 0)
    r = CliRunner().invoke(
        app, ["simulate", str(tmp_path / "place"), "--strategy", "random", "--runs", "1000",
              "--workers", "1", "--quiet"],  # fmt: skip
    )
    assert r.exit_code == 1, r.output
    assert "2 part(s) of the diffusion runs failed" in r.output and "ZeroDivisionError" in r.output
    assert "Traceback" not in r.output


def test_the_commands_take_workers_and_a_scheduler(tmp_path: Path, cluster: str) -> None:
    """lisa simulate and lisa waves print the same table on the cluster as in this process."""
    from typer.testing import CliRunner

    from lisa.cli import app
    from lisa.io import write_study

    write_study(generate(50, seed=2, waves=2), tmp_path / "place")
    runner = CliRunner()
    for command in (["simulate", "--strategy", "random", "--runs", "300"],
                    ["waves", "--permutations", "300", "--resamples", "600"]):  # fmt: skip
        args = [command[0], str(tmp_path / "place"), *command[1:], "--quiet"]
        here = runner.invoke(app, [*args, "--workers", "1"])
        there = runner.invoke(app, [*args, "--scheduler", cluster])
        assert here.exit_code == there.exit_code == 0, here.output + there.output
        assert here.output == there.output


# -- local workers die with their parent ------------------------------------------------

SCRIPTS = {
    "run_many": """
        import operator, time
        from functools import partial
        from lisa.execution import run_many
        run_many(operator.call, [partial(time.sleep, 120)] * 2, workers=2, progress=False)
    """,
    "forked_pool": """
        import time
        from lisa.execution import forked_pool
        pool = forked_pool(2, int, [])
        futures = [pool.submit(time.sleep, 120) for _ in range(2)]
        futures[0].result()
    """,
}


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            out.setdefault(ppid, []).append(int(entry.name))
    return out


def _descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("pool", sorted(SCRIPTS))
def test_workers_die_when_their_parent_is_killed(pool: str) -> None:
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(SCRIPTS[pool])])
    try:
        deadline = time.monotonic() + 90
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.2)
            workers = [p for p in _descendants(parent.pid) if _running(p)]
        assert len(workers) >= 2, "the workers did not start"
        time.sleep(0.5)  # let them reach their item
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_running(p) for p in workers):
            time.sleep(0.1)
        alive = [p for p in workers if _running(p)]
        for p in alive:  # do not leave them behind if the check fails
            os.kill(p, signal.SIGKILL)
        assert alive == []
    finally:
        if parent.poll() is None:
            parent.kill()
