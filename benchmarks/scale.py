"""One place, fast: the figures issue 13 asks for, side by side in one run.

    python benchmarks/scale.py [--quick] [--only ratio|big|cliff]

1. ratio — whole-process ``lisa analyse DIR --json FILE`` on a generated
           2,000-person place against the bare python-igraph pipeline of just
           betweenness and closeness (``benchmarks/bare_igraph.py``), both as
           fresh processes, alternated, median of three (target ≤ 1.2×; lisa
           must stay exact there: the script exits 1 unless lisa says it is
           exact and every person's betweenness in every network equals
           igraph's within 1e-12).
2. big   — whole-process ``lisa analyse --json --table`` on a generated
           100,000-person place: wall time, CPU seconds (workers included: the
           figure the machine's load does not change), and the process tree's
           peak memory sampled from /proc/PID/smaps_rollup — summed PSS (shared
           pages counted once; the target < 4 GB is read on it), summed RSS
           (shared pages counted in every forked worker: an upper bound) and the
           largest process (targets < 90 s, < 4 GB); and the size of the JSON
           and of the Parquet per-person table.
3. cliff — ``lisa.analyse`` in this process on places from 1,500 to 4,000
           people: time per place must not fall as the place grows (no step
           where a slightly larger place is much quicker).

lisa's modules are byte-compiled first, as an installed copy is (see ``_byte_compiled``).

Record the figures by hand in benchmarks/README.md with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def _run(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds, its workers' included) of a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _generate(folder: Path, people: int, seed: int = 1) -> None:
    subprocess.run(
        [str(BIN / "lisa"), "generate", str(folder), "--people", str(people), "--seed", str(seed)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def ratio(tmp: Path, people: int, repeats: int) -> None:
    place = tmp / f"place-{people}"
    _generate(place, people)
    lisa_cmd = [str(BIN / "lisa"), "analyse", str(place), "--json", str(tmp / "a.json"), "-q"]
    bare_cmd = [sys.executable, str(HERE / "bare_igraph.py"), str(place), str(tmp / "b.json")]
    lisa_t, bare_t, lisa_cpu, bare_cpu = [], [], [], []
    for _ in range(repeats):
        (tmp / "a.json").unlink(missing_ok=True)
        for times, cpus, cmd in ((lisa_t, lisa_cpu, lisa_cmd), (bare_t, bare_cpu, bare_cmd)):
            wall, cpu = _run(cmd)
            times.append(wall)
            cpus.append(cpu)
    exact, worst = _agreement(tmp / "a.json", tmp / "b.json")
    lm, bm = statistics.median(lisa_t), statistics.median(bare_t)
    print(f"ratio  {people} people: lisa analyse {lm:.2f} s, bare igraph {bm:.2f} s, "
          f"ratio {lm / bm:.2f}x (target <= 1.2x), exact={exact}, "
          f"largest betweenness difference from igraph {worst:.1e}")
    print(f"ratio  runs: lisa {', '.join(f'{t:.2f}' for t in lisa_t)} s; "
          f"bare {', '.join(f'{t:.2f}' for t in bare_t)} s; load average {_load()}")
    print(f"ratio  CPU seconds: lisa {', '.join(f'{t:.2f}' for t in lisa_cpu)}; "
          f"bare {', '.join(f'{t:.2f}' for t in bare_cpu)} (ratio of medians "
          f"{statistics.median(lisa_cpu) / statistics.median(bare_cpu):.2f}x)")
    if not exact or worst > 1e-12:
        sys.exit("lisa was not exact at this size, or its betweenness differs from igraph's")


def _agreement(lisa_json: Path, bare_json: Path) -> tuple[bool, float]:
    """(lisa's exact flag, the largest |lisa - igraph| betweenness over every network and person)."""
    doc = json.loads(lisa_json.read_text())
    bare = json.loads(bare_json.read_text())
    nets = {**doc["relations"], "combined": doc["combined"]}
    worst = max(
        abs(person["betweenness"] - bare[name][pid]["betweenness"])
        for name, net in nets.items()
        for pid, person in net["people"].items()
    )
    return bool(doc["computation"]["exact"]), worst


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def big(tmp: Path, people: int) -> None:
    place = tmp / f"place-{people}"
    _generate(place, people)
    out = tmp / "big.json"
    table = tmp / "big.parquet"
    cmd = [str(BIN / "lisa"), "analyse", str(place), "--json", str(out),
           "--table", str(table), "-q"]
    load = _load()
    run = _measured(cmd)
    print(f"big    {people} people: {run.wall:.1f} s, {run.cpu:.0f} s of CPU (workers included); "
          f"peak memory of the process tree: PSS {run.pss:.2f} GiB (shared pages once), "
          f"RSS summed {run.rss:.2f} GiB, largest process {run.largest:.2f} GiB "
          f"(targets < 90 s, < 4 GB); JSON {out.stat().st_size / 2**20:.0f} MiB, "
          f"Parquet {table.stat().st_size / 2**20:.0f} MiB; load average at the start {load}, "
          f"at the end {_load()}")


@dataclass
class Measured:
    """One command's wall and CPU seconds and its process tree's peak memory (GiB)."""

    wall: float
    cpu: float
    #: Peaks over the samples of the summed proportional set size (a page shared by k
    #: processes counts 1/k in each, so shared pages count once), of the summed resident
    #: set size (shared pages counted in every process: an upper bound) and of the
    #: largest single process's resident set.
    pss: float
    rss: float
    largest: float


def _tree(root: int) -> list[int]:
    """``root`` and every process descended from it (from /proc/PID/task/*/children)."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                todo.extend(int(c) for c in task.read_text().split())
            except OSError:
                pass
    return found


def _memory(pid: int) -> tuple[int, int]:
    """(Rss, Pss) in kB of one process from /proc/PID/smaps_rollup; zeros once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0, 0
    fields = {ln.split(":")[0]: int(ln.split()[1]) for ln in lines if ln.endswith(" kB")}
    return fields.get("Rss", 0), fields.get("Pss", 0)


def _measured(cmd: list[str], every: float = 0.25) -> Measured:
    """Run ``cmd``, sampling its process tree's memory every ``every`` seconds."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pss = rss = largest = 0
    while proc.poll() is None:
        sizes = [_memory(pid) for pid in _tree(proc.pid)]
        rss = max(rss, sum(r for r, _ in sizes))
        pss = max(pss, sum(p for _, p in sizes))
        largest = max(largest, max((r for r, _ in sizes), default=0))
        time.sleep(every)
    wall = time.perf_counter() - t
    if proc.returncode:
        sys.exit(f"{cmd[0]} failed with exit code {proc.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)
    return Measured(wall, cpu, pss / 2**20, rss / 2**20, largest / 2**20)


def cliff(sizes: list[int]) -> None:
    import lisa

    # warm up first: the first analysis in a process pays for lazy imports and the first
    # worker pool, which would make the smallest place look slower than the next
    lisa.analyse(lisa.generate(sizes[0], seed=2))
    times = []
    for n in sizes:
        study = lisa.generate(n, seed=1)
        t = time.perf_counter()
        result = lisa.analyse(study)
        times.append(time.perf_counter() - t)
        print(f"cliff  {n} people: {times[-1]:.1f} s (exact={result.computation.exact})")
    drops = [
        f"{sizes[i]}->{sizes[i + 1]}" for i in range(len(sizes) - 1) if times[i + 1] < 0.8 * times[i]
    ]
    print("cliff  no step down" if not drops else f"cliff  quicker when larger: {drops}")


def _byte_compiled() -> None:
    """Byte-compile lisa's modules, as installing it does (pip compiles a wheel's modules).

    Otherwise, where Python may not write its cache (``PYTHONDONTWRITEBYTECODE``, a
    read-only checkout), every fresh ``lisa`` process compiles the ~60 it imports from
    source again (about 0.1-0.2 s of CPU), while the bare pipeline's igraph comes
    compiled from site-packages: a cost of the checkout, not of lisa.
    """
    import compileall

    import lisa

    compileall.compile_dir(Path(lisa.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller places, one repeat")
    parser.add_argument("--only", choices=["ratio", "big", "cliff"])
    args = parser.parse_args()
    _byte_compiled()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if args.only in (None, "ratio"):
            ratio(tmp, 500 if args.quick else 2000, 1 if args.quick else 3)
        if args.only in (None, "big"):
            big(tmp, 10_000 if args.quick else 100_000)
        if args.only in (None, "cliff"):
            cliff([600, 800] if args.quick else [1500, 2000, 2500, 3000, 4000])


if __name__ == "__main__":
    main()
