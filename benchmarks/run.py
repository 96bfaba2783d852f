"""lisa benchmarks: the figures issue 3 asks for, printed as a table.

    python benchmarks/run.py [--quick] [--only ingest|analyse|ratio|sampling|write]

1. ingest  — load_study on a folder whose ties.csv has 1,000,000 rows
             (target ≥ 500,000 rows/s).
2. analyse — full lisa.analyse of a generated 20,000-person locality with seven
             relations, in a fresh process so peak memory is its own
             (targets: < 60 s, < 2 GB peak RSS).
4. sampling — exact against sampled betweenness/closeness on one relation of
             the 20,000-person place (the error of the documented estimate).
3. ratio   — lisa's network engine against a straightforward networkx
             implementation of the same per-person metrics on a 2,000-person
             locality, both in this process (target ≥ 10×).
5. write   — write_study of the 1,000,000-tie study back to its folder (the
             whole-folder swap, carrying 1,000 user files over), and a survey
             import of 2,000 respondents into it (read, merge, validate, write).
6. waves   — the tie changes and QAP (1,000 permutations per network) between
             two generated waves of a 20,000-person place, and a whole
             compare_waves (both waves analysed) of a 2,000-person place.

Results are recorded by hand in benchmarks/README.md with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


# -- 1. ingestion -------------------------------------------------------------


def write_big_study(folder: Path, n_people: int, n_ties: int, seed: int = 0) -> None:
    """A roster of n_people and a ties.csv of exactly n_ties distinct rows."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"p{i:06d}" for i in range(n_people)]
    with open(folder / "people.csv", "w", encoding="utf-8") as f:
        f.write("id,name,organisation,sector,layer\n")
        layers = ["systemic", "sectoral", "frontline", "public"]
        for i, pid in enumerate(ids):
            f.write(f"{pid},Person {i},Org {i % 97},sector{i % 9},{layers[i % 4]}\n")
    relations = ["work", "social", "innovation", "expertise", "career", "learning", "strategic"]
    # distinct (source, target, relation) triples without self-ties
    src = rng.integers(0, n_people, int(n_ties * 1.1))
    tgt = (src + rng.integers(1, n_people, src.size)) % n_people
    rel = rng.integers(0, len(relations), src.size)
    key = np.unique((src.astype(np.int64) * n_people + tgt) * len(relations) + rel)[:n_ties]
    rng.shuffle(key)
    rel = key % len(relations)
    pair = key // len(relations)
    s, t = pair // n_people, pair % n_people
    id_arr = np.array(ids)
    rel_arr = np.array(relations)
    lines = np.char.add(
        np.char.add(np.char.add(id_arr[s], ","), np.char.add(id_arr[t], ",")), rel_arr[rel]
    )
    with open(folder / "ties.csv", "w", encoding="utf-8") as f:
        f.write("source,target,relation\n")
        f.write("\n".join(lines.tolist()))
        f.write("\n")


def bench_ingest(n_ties: int) -> dict[str, float]:
    from lisa.io import load_study

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "big"
        write_big_study(folder, 20_000, n_ties)
        load_study(folder)  # warm-up: imports, file cache
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            study = load_study(folder)
            times.append(time.perf_counter() - t0)
        assert len(study.ties) == n_ties, (len(study.ties), n_ties)
    best = min(times)
    return {"rows": n_ties, "seconds": best, "rows_per_second": n_ties / best}


# -- 5. writing a study folder -------------------------------------------------


def bench_write(n_ties: int) -> dict[str, float]:
    from lisa.io import load_study, read_survey_export, write_study, write_survey_ties

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "big"
        write_big_study(folder, 20_000, n_ties)
        study = load_study(folder)
        (folder / "notes").mkdir()
        for i in range(1_000):
            (folder / "notes" / f"note{i}.txt").write_text("a note of the user's\n")
        write_study(study, folder)  # warm-up
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            write_study(study, folder)
            times.append(time.perf_counter() - t0)
        ids, n = study.ids, study.n_people
        lines = ["respondent,work"] + [
            f"{ids[i]},{'; '.join(ids[(i * 7 + k) % n] for k in range(1, 11))}" for i in range(2_000)
        ]
        export = Path(tmp) / "export.csv"
        export.write_text("\n".join(lines) + "\n", "utf-8")
        t0 = time.perf_counter()
        imported = read_survey_export(export, study)
        t1 = time.perf_counter()
        write_survey_ties(imported, folder)
        t2 = time.perf_counter()
        assert len(list((folder / "notes").iterdir())) == 1_000
    return {
        "ties": n_ties,
        "write_seconds": min(times),
        "read_export_seconds": t1 - t0,
        "import_seconds": t2 - t1,
        "nominations": len(imported.ties),
    }


# -- 2. full analysis of a large place ----------------------------------------

_ANALYSE_CHILD = """
import json, resource, sys, tempfile, time
from pathlib import Path
import lisa
n = int(sys.argv[1])
t0 = time.perf_counter()
study = lisa.generate(n, seed=1, preset="appendix-c")
t1 = time.perf_counter()
result = lisa.analyse(study)
t2 = time.perf_counter()
peak_analyse = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
with tempfile.TemporaryDirectory() as tmp:
    path = result.write_json(Path(tmp) / "analysis.json")
    t3 = time.perf_counter()
    size = path.stat().st_size
    lisa.AnalysisResult.from_json(path)
    t4 = time.perf_counter()
print(json.dumps({
    "people": study.n_people, "ties": len(study.ties),
    "generate_seconds": t1 - t0, "analyse_seconds": t2 - t1,
    "write_seconds": t3 - t2, "reload_seconds": t4 - t3, "json_mb": size / 1e6,
    "exact": result.computation.exact, "samples": result.computation.samples,
    "peak_rss_analyse_mb": peak_analyse,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "findings": result.finding_codes(),
}))
"""


def bench_analyse(n_people: int) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _ANALYSE_CHILD, str(n_people)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- 3. against networkx -------------------------------------------------------


def networkx_reference(study) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """The same per-person metrics computed the straightforward way with networkx.

    For each relation and for all combined: in/out degree, betweenness and
    closeness (directed), k-core number, two-step reach and articulation
    points (undirected), and the contact diversity over sectors.
    """
    import networkx as nx

    out: dict[str, dict] = {}
    blocks = [*study.relation_names, None]
    sectors = study.sectors
    k = len(set(sectors))
    for rel in blocks:
        s, t, _ = study.arcs(rel)
        g = nx.DiGraph()
        g.add_nodes_from(range(study.n_people))
        g.add_edges_from(zip(s.tolist(), t.tolist(), strict=True))
        u = nx.Graph(g.to_undirected())
        bc = nx.betweenness_centrality(g, normalized=True)
        cl = nx.closeness_centrality(g)
        core = nx.core_number(u)
        art = set(nx.articulation_points(u))
        reach = {
            v: (len(nx.single_source_shortest_path_length(u, v, cutoff=2)) - 1)
            / (study.n_people - 1)
            for v in u
        }
        diversity = {}
        for v in u:
            nb = list(u.neighbors(v))
            if nb:
                counts = np.unique([sectors[x] for x in nb], return_counts=True)[1] / len(nb)
                diversity[v] = (1 - float(np.sum(counts**2))) / (1 - 1 / k)
        out[rel or "combined"] = {
            "in": dict(g.in_degree()),
            "out": dict(g.out_degree()),
            "bc": bc,
            "cl": cl,
            "core": core,
            "art": art,
            "reach": reach,
            "div": diversity,
        }
    return out


def bench_ratio(n_people: int) -> dict[str, float]:
    import lisa
    from lisa.network import analyse_network

    study = lisa.generate(n_people, seed=2, preset="appendix-c")
    config = lisa.AnalysisConfig()
    t0 = time.perf_counter()
    ours = analyse_network(study, config)  # the typed result, models built
    t1 = time.perf_counter()
    ref = networkx_reference(study)
    t2 = time.perf_counter()
    # the two must agree, or the ratio means nothing
    worst = 0.0
    for rel, block in ref.items():
        people = ours.network(None if rel == "combined" else rel).people
        for i, pid in enumerate(study.ids):
            worst = max(worst, abs(people[pid].betweenness - block["bc"][i]))
            worst = max(worst, abs(people[pid].closeness - block["cl"][i]))
            assert people[pid].coreness == block["core"][i]
            assert people[pid].in_degree == block["in"][i]
    return {
        "people": n_people,
        "ties": len(study.ties),
        "lisa_seconds": t1 - t0,
        "networkx_seconds": t2 - t1,
        "ratio": (t2 - t1) / (t1 - t0),
        "max_abs_difference": worst,
        "lisa_exact": ours.computation.exact,
    }


# -- 4. sampling error at scale --------------------------------------------------


def bench_sampling(n_people: int, relation: str = "career") -> dict[str, float]:
    """Exact against sampled betweenness and closeness on one relation of a large place."""
    import lisa
    from lisa.network import centrality
    from lisa.network.graph import build_net

    study = lisa.generate(n_people, seed=1, preset="appendix-c")
    src, tgt, _ = study.arcs(relation)
    net = build_net(relation, study.n_people, src, tgt)
    samples = lisa.AnalysisConfig().samples
    t0 = time.perf_counter()
    exact = centrality.betweenness(net, None, np.random.default_rng(0)).values
    t1 = time.perf_counter()
    est = centrality.betweenness(net, samples, np.random.default_rng(0)).values
    t2 = time.perf_counter()
    r = centrality.reachers(net)
    clo_exact = centrality.closeness(net, None, np.random.default_rng(0), r)
    clo_est = centrality.closeness(net, samples, np.random.default_rng(0), r)
    top = max(1, n_people // 100)
    top_exact = set(np.argsort(-exact)[:top].tolist())
    top_est = set(np.argsort(-est)[:top].tolist())
    ranks = lambda x: np.argsort(np.argsort(x))  # noqa: E731
    return {
        "people": n_people,
        "relation": relation,  # type: ignore[dict-item]
        "arcs": net.m,
        "samples": samples,
        "exact_seconds": t1 - t0,
        "sampled_seconds": t2 - t1,
        "total_relative_error": abs(est.sum() - exact.sum()) / exact.sum(),
        "top1pct_overlap": len(top_exact & top_est) / top,
        "spearman": float(np.corrcoef(ranks(exact), ranks(est))[0, 1]),
        "closeness_max_abs_error": float(np.max(np.abs(clo_est - clo_exact))),
        "closeness_mean_abs_error": float(np.mean(np.abs(clo_est - clo_exact))),
    }


def bench_waves(n_people: int, n_whole: int) -> dict[str, float]:
    import lisa
    from lisa.change import WavesConfig, compare_waves
    from lisa.change.compare import presence, tie_changes, wave_study

    place = lisa.generate(n_people, seed=1, waves=2)
    a, _ = presence(place, "2024")
    b, _ = presence(place, "2025")
    studies = (wave_study(place, "2024", a), wave_study(place, "2025", b))
    stayers = [place.ids[i] for i in np.flatnonzero(a & b)]
    started = time.perf_counter()
    relations, combined = tie_changes(studies, stayers, WavesConfig(permutations=1000))
    ties_seconds = time.perf_counter() - started
    small = lisa.generate(n_whole, seed=1, waves=2)
    started = time.perf_counter()
    compare_waves(small)
    return {
        "people": n_people,
        "ties": len(place.ties),
        "networks": len(relations) + 1,
        "combined_kept": combined.kept,
        "ties_seconds": ties_seconds,
        "whole_people": n_whole,
        "whole_seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument(
        "--only", choices=["ingest", "analyse", "ratio", "sampling", "write", "waves"]
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    quick = args.quick
    if args.only in (None, "ingest"):
        r = bench_ingest(100_000 if quick else 1_000_000)
        print(
            f"ingest   {r['rows']:>9,} tie rows in {r['seconds']:.2f} s = "
            f"{r['rows_per_second']:,.0f} rows/s  (target ≥ 500,000)"
        )
    if args.only in (None, "analyse"):
        r2 = bench_analyse(2_000 if quick else 20_000)
        print(
            f"analyse  {r2['people']:,} people, {r2['ties']:,} ties: {r2['analyse_seconds']:.1f} s, "
            f"peak RSS {r2['peak_rss_analyse_mb']:.0f} MB (targets < 60 s, < 2048 MB); "
            f"analysis JSON {r2['json_mb']:.0f} MB written in {r2['write_seconds']:.1f} s, "
            f"reloaded (typed) in {r2['reload_seconds']:.1f} s, peak RSS then "
            f"{r2['peak_rss_mb']:.0f} MB; "
            f"exact={r2['exact']} samples={r2['samples']}; generate {r2['generate_seconds']:.1f} s; "
            f"findings {', '.join(r2['findings'])}"  # type: ignore[arg-type]
        )
    if args.only in (None, "ratio"):
        r3 = bench_ratio(500 if quick else 2_000)
        print(
            f"ratio    {r3['people']:,} people, {r3['ties']:,} ties: lisa {r3['lisa_seconds']:.2f} s, "
            f"networkx {r3['networkx_seconds']:.2f} s → {r3['ratio']:.1f}× (target ≥ 10×); "
            f"max |difference| {r3['max_abs_difference']:.1e}, lisa exact={r3['lisa_exact']}"
        )
    if args.only in (None, "sampling"):
        r4 = bench_sampling(2_000 if quick else 20_000)
        print(
            f"sampling {r4['people']:,} people, '{r4['relation']}' ({r4['arcs']:,} arcs), "
            f"{r4['samples']} sources: betweenness exact {r4['exact_seconds']:.1f} s vs sampled "
            f"{r4['sampled_seconds']:.1f} s; total error {r4['total_relative_error']:.1%}, "
            f"top-1% overlap {r4['top1pct_overlap']:.0%}, Spearman {r4['spearman']:.3f}; "
            f"closeness error max {r4['closeness_max_abs_error']:.3f}, "
            f"mean {r4['closeness_mean_abs_error']:.4f}"
        )

    if args.only in (None, "write"):
        r5 = bench_write(100_000 if quick else 1_000_000)
        print(
            f"write    {r5['ties']:,} ties: write_study {r5['write_seconds']:.2f} s (whole-folder "
            f"swap, 1,000 user files carried over); import of {r5['nominations']:,} nominations "
            f"from 2,000 respondents: read {r5['read_export_seconds']:.2f} s, load+merge+"
            f"validate+write {r5['import_seconds']:.2f} s"
        )
    if args.only in (None, "waves"):
        r6 = bench_waves(2_000 if quick else 20_000, 500 if quick else 2_000)
        print(
            f"waves    {r6['people']:,} people, {r6['ties']:,} ties in two waves: tie changes and "
            f"QAP (1,000 permutations) for {r6['networks']} networks {r6['ties_seconds']:.1f} s; "
            f"whole compare_waves of {r6['whole_people']:,} people {r6['whole_seconds']:.1f} s"
        )


if __name__ == "__main__":
    main()
