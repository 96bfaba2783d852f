"""Pseudonymised releases, tested as an attacker who holds the roster would test them.

The attacker has the study's people.csv (names, ids, organisations, sectors,
layers, free attributes) and every file a pseudonymised run wrote. They try to
link release rows to roster people by identifiers, by row position, by the
numbers in the analysis JSON, and by the quasi-identifiers organisation ×
sector × layer. Each attempt must fail (or, for quasi-identifiers, succeed no
more often than the small-cell threshold allows).
"""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lisa.cli import app
from lisa.io import load_study
from lisa.privacy import MIN_CELL, Pseudonymiser, coarsen_organisations

runner = CliRunner()


@pytest.fixture(scope="module")
def release(demo_dir: Path, tmp_path_factory) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """One pseudonymised run: analysis + exports, a report and its PDF, the terminal output."""
    root = tmp_path_factory.mktemp("release")
    out, key = root / "release", root / "private" / "key.csv"
    analysed = runner.invoke(
        app, ["analyse", str(demo_dir), "--out", str(out), "--pseudonymise", "--pseudonym-key", str(key)]
    )
    assert analysed.exit_code == 0, analysed.output
    report = runner.invoke(
        app,
        ["report", str(demo_dir), "--pseudonymise", "--out", str(out / "report.html"), "--pdf", str(out / "report.pdf")],
    )
    assert report.exit_code == 0, report.output
    mapping = dict(csv.reader(key.read_text("utf-8").splitlines()[1:]))
    return {
        "out": out,
        "key": mapping,
        "terminal": analysed.output + report.output,
        "study": load_study(demo_dir),
    }


def release_text(out: Path) -> dict[str, str]:
    texts = {}
    for path in out.rglob("*"):
        if path.is_file():
            if path.suffix == ".pdf":
                from pypdf import PdfReader

                texts[str(path)] = "\n".join(p.extract_text() or "" for p in PdfReader(path).pages)
            elif path.suffix == ".parquet":  # the attacker reads the table, every cell as text
                import polars as pl

                texts[str(path)] = pl.read_parquet(path).write_ndjson()
            else:
                texts[str(path)] = path.read_text("utf-8")
    return texts


def test_the_release_holds_no_id_name_or_free_attribute(release) -> None:  # type: ignore[no-untyped-def]
    study = release["study"]
    secrets_ = set(study.ids) | {n for n in study.names if n}
    secrets_ |= {v for values in study.attributes.values() for v in values if v}
    texts = release_text(release["out"])
    assert len(texts) >= 7  # analysis.json, graphml, gexf, 3 csv, report.html, report.pdf
    for path, text in texts.items():
        words = set(re.findall(r"[\w.@'-]+(?: [\w.@'-]+)?", text))
        leaks = [s for s in secrets_ if s in words or (" " in s and s in text)]
        assert not leaks, f"{path} holds roster data: {sorted(leaks)[:5]}"
    lowered = {i.casefold() for i in study.ids}
    assert not any(code.casefold() in lowered for code in release["key"].values())


def test_the_terminal_output_names_nobody(release) -> None:  # type: ignore[no-untyped-def]
    study = release["study"]
    leaks = [n for n in study.names if n and n in release["terminal"]]
    leaks += [i for i in study.ids if re.search(rf"\b{re.escape(i)}\b", release["terminal"])]
    assert not leaks, leaks[:5]


def test_the_key_is_written_only_where_asked_never_inside_the_release(release, demo_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    codes = set(release["key"].values())
    for text in release_text(release["out"]).values():
        assert not any(f"{pid},{code}" in text for pid, code in list(release["key"].items())[:20])
    assert codes  # the key exists, apart from the release
    out = tmp_path / "rel"
    r = runner.invoke(
        app,
        ["analyse", str(demo_dir), "--out", str(out), "--pseudonymise", "--pseudonym-key", str(out / "key.csv")],
    )
    assert r.exit_code == 3 and "inside the release" in r.output
    assert not (out / "key.csv").exists()


def _rank_correlation(positions: list[int]) -> float:
    from scipy.stats import spearmanr

    rho = spearmanr(np.arange(len(positions)), positions).statistic
    return float(rho)


def _roster_positions(codes: list[str], release) -> list[int]:  # type: ignore[no-untyped-def]
    by_code = {code: pid for pid, code in release["key"].items()}
    index = {pid: i for i, pid in enumerate(release["study"].ids)}
    return [index[by_code[c]] for c in codes]


def _code_positions(codes: list[str]) -> list[int]:
    ranked = sorted(codes)
    return [ranked.index(c) for c in codes]


def release_orders(out: Path) -> dict[str, list[str]]:
    """The order in which each file of the release lists people (as codes)."""
    orders: dict[str, list[str]] = {}
    doc = json.loads((out / "analysis.json").read_text("utf-8"))
    orders["analysis.json combined"] = list(doc["combined"]["people"])
    orders["analysis.json first relation"] = list(next(iter(doc["relations"].values()))["people"])
    with (out / "exports" / "csv" / "people.csv").open(encoding="utf-8") as f:
        orders["people.csv"] = [row["id"] for row in csv.DictReader(f)]
    ties = list(csv.DictReader((out / "exports" / "csv" / "ties.csv").open(encoding="utf-8")))
    orders["ties.csv sources"] = list(dict.fromkeys(t["source"] for t in ties))
    gexf = ET.parse(out / "exports" / "network.gexf").getroot()
    orders["network.gexf"] = [n.get("id") for n in gexf.iter() if n.tag.endswith("}node")]  # type: ignore[misc]
    import igraph as ig

    g = ig.Graph.Read_GraphML(str(out / "exports" / "network.graphml"))
    orders["network.graphml"] = list(g.vs["lisa_id"])
    return orders


def test_no_file_lists_people_in_roster_order_or_code_order(release) -> None:  # type: ignore[no-untyped-def]
    n = release["study"].n_people
    limit = 4 / np.sqrt(n)  # four standard errors of a rank correlation under no association
    for name, codes in release_orders(release["out"]).items():
        assert len(codes) >= n * 0.5, name
        roster = _roster_positions(codes, release)
        assert abs(_rank_correlation(roster)) < limit, f"{name} follows the roster order"
        assert sum(p == k for k, p in enumerate(roster)) <= 5, f"{name} keeps people in place"
        if len(codes) == n:
            assert abs(_rank_correlation(_code_positions(codes))) < limit, f"{name} is in code order"


def test_the_map_payload_does_not_follow_the_roster(release) -> None:  # type: ignore[no-untyped-def]
    page = (release["out"] / "report.html").read_text("utf-8")
    payload = json.loads(re.search(r'id="lisa-map-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert "ids" not in payload and payload["pseudonymised"]
    study = release["study"]
    # the attacker recomputes each roster person's layer code and compares the sequences
    layers = ["systemic", "sectoral", "frontline", "public", ""]
    import base64

    shown = np.frombuffer(base64.b64decode(payload["layer"]), np.uint8)
    roster = np.array([layers.index(v or "") for v in study.layers], np.uint8)
    assert Counter(shown.tolist()) == Counter(roster.tolist())  # the same people ...
    assert not np.array_equal(shown, roster)  # ... not in roster order
    assert (shown == roster).mean() < 0.6


def test_the_analysis_json_cannot_be_joined_to_the_roster(release) -> None:  # type: ignore[no-untyped-def]
    """The old leak: analysis.json keyed by real ids beside pseudonymised exports (join on degree)."""
    study = release["study"]
    doc = json.loads((release["out"] / "analysis.json").read_text("utf-8"))
    assert doc["privacy"]["pseudonymised"] is True
    assert doc["study"]["source"] is None and doc["study"]["fingerprint"] is None
    keys = set(doc["combined"]["people"])
    assert not keys & set(study.ids)
    assert keys == set(release["key"].values())
    exported = {row["id"]: row for row in csv.DictReader((release["out"] / "exports" / "csv" / "people.csv").open(encoding="utf-8"))}
    # the JSON and the exports agree with each other (one pseudonymisation per run) ...
    for code, person in list(doc["combined"]["people"].items())[:30]:
        assert int(exported[code]["in_degree"]) == person["in_degree"]
    # ... and nothing in the release carries a roster id to join those numbers to
    for text in release_text(release["out"]).values():
        assert not any(re.search(rf"\b{re.escape(pid)}\b", text) for pid in study.ids[:50])


def test_quasi_identifiers_single_out_no_one_below_the_threshold(release) -> None:  # type: ignore[no-untyped-def]
    """Matching on organisation × sector × layer finds each person among at least k (or says so)."""
    study = release["study"]
    rows = list(csv.DictReader((release["out"] / "exports" / "csv" / "people.csv").open(encoding="utf-8")))
    released = Counter((r["organisation"], r["sector"], r["layer"]) for r in rows)
    # the attacker coarsens the roster the same way and guesses uniformly inside each cell
    orgs, coarsened = coarsen_organisations(study.organisations, study.sectors, study.layers, MIN_CELL)
    assert coarsened > 0
    roster = Counter(zip(orgs, study.sectors, [v or "" for v in study.layers], strict=True))
    assert released == roster
    accuracy = sum(c * (1 / c) for c in released.values()) / study.n_people
    small = sum(c for c in released.values() if c < MIN_CELL)
    assert accuracy <= 1 / MIN_CELL + small / study.n_people
    # without coarsening the same attack would single many people out
    raw = Counter(zip(study.organisations, study.sectors, study.layers, strict=True))
    assert sum(1 for c in raw.values() if c == 1) > sum(1 for c in released.values() if c == 1)
    assert f"{coarsened} people" in release["terminal"]


def test_two_runs_use_different_codes(demo_study) -> None:  # type: ignore[no-untyped-def]
    a, b = Pseudonymiser(demo_study), Pseudonymiser(demo_study)
    assert a.codes != b.codes and not np.array_equal(a.order, b.order)
    again = Pseudonymiser(demo_study, seed=11), Pseudonymiser(demo_study, seed=11)
    assert again[0].codes == again[1].codes  # a given seed reproduces (tests only)
