"""The reference for benchmarks/scale.py: a bare python-igraph pipeline.

What a user would write to get just betweenness and closeness for every
relation of a study folder and all relations combined, without lisa: read
people.csv and ties.csv, build one directed igraph graph per network, compute
exact betweenness and closeness, write them as JSON.

    python benchmarks/bare_igraph.py STUDY_DIR OUT.json
"""

from __future__ import annotations

import csv
import json
import sys

import igraph as ig


def main(folder: str, out: str) -> None:
    with open(f"{folder}/people.csv", encoding="utf-8", newline="") as f:
        ids = [row["id"] for row in csv.DictReader(f)]
    index = {pid: i for i, pid in enumerate(ids)}
    edges: dict[str, set[tuple[int, int]]] = {}
    with open(f"{folder}/ties.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            a, b = index[row["source"]], index[row["target"]]
            if a != b:
                edges.setdefault(row["relation"], set()).add((a, b))
    edges["combined"] = set().union(*edges.values())
    results = {}
    n = len(ids)
    for name, pairs in edges.items():
        g = ig.Graph(n=n, edges=sorted(pairs), directed=True)
        btw = g.betweenness(directed=True)
        clo = g.closeness(mode="in", normalized=True)
        scale = 1 / ((n - 1) * (n - 2))
        results[name] = {
            pid: {"betweenness": b * scale, "closeness": c}
            for pid, b, c in zip(ids, btw, clo, strict=True)
        }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
