"""Exports for other network tools: GraphML, GEXF and plain CSV.

All three carry the whole multiplex — one edge per tie and relation, with the
relation as an edge attribute — or a single relation. With the analysis
(an :class:`~lisa.analysis.AnalysisResult`, computed or reloaded), each person
also gets their network numbers and roles, so Gephi or Kumu can size and
colour by them. ``pseudonymise`` applies :mod:`lisa.privacy`: codes instead of
ids, no names or free attributes, small cells coarsened, rows shuffled.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import polars as pl

from lisa.errors import ConfigError
from lisa.files import atomic_target
from lisa.io.tables import neutralise_formulas, write_csv
from lisa.privacy import Pseudonymiser
from lisa.study import Study

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

ExportFormat = Literal["graphml", "gexf", "csv"]
FORMATS: tuple[str, ...] = get_args(ExportFormat)
METRIC_FIELDS = (
    "in_degree",
    "out_degree",
    "betweenness",
    "closeness",
    "coreness",
    "core",
    "reach2",
)


def _node_table(
    study: Study,
    metrics: AnalysisResult | None,
    relation: str | None,
    pseudonymiser: Pseudonymiser | None,
) -> tuple[list[str], dict[str, list[Any]]]:
    """(node ids as written, columns), people in the output order."""
    order = pseudonymiser.order.tolist() if pseudonymiser else range(study.n_people)
    ids = [study.ids[i] for i in order]
    cols: dict[str, list[Any]] = {}
    if pseudonymiser:
        cols["id"] = [pseudonymiser.code(pid) for pid in ids]
        organisations = pseudonymiser.organisations
    else:
        cols["id"] = ids
        cols["name"] = [study.names[i] for i in order]
        organisations = study.organisations
    cols["organisation"] = [organisations[i] for i in order]
    cols["sector"] = [study.sectors[i] for i in order]
    cols["layer"] = [study.layers[i] or "" for i in order]
    if not pseudonymiser:
        for k, v in study.attributes.items():
            if k not in cols:
                cols[k] = [v[i] for i in order]
    if metrics is not None:
        people = metrics.network(relation).people
        rows = [people[pid] for pid in ids]
        for fld in METRIC_FIELDS:
            cols[fld] = [getattr(p, fld) for p in rows]
        cols["roles"] = [" ".join(p.roles) for p in rows]
        if not relation:
            cols["core_networks"] = [metrics.combined.people[pid].core_networks for pid in ids]
    return cols["id"], cols


def _edges(
    study: Study, relation: str | None, pseudonymiser: Pseudonymiser | None
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """(source, target positions in the node table, relation names, weights).

    Pseudonymised, the ties are listed in the order of their people, not as read.
    """
    t = study.ties
    mask = (
        np.ones(len(t), bool) if relation is None else t.relation == study.relation_index(relation)
    )
    mask &= t.source != t.target
    src, tgt, rel, weight = t.source[mask], t.target[mask], t.relation[mask], t.weight[mask]
    if pseudonymiser is not None:
        src, tgt = pseudonymiser.rank[src], pseudonymiser.rank[tgt]
        by_people = np.lexsort((rel, tgt, src))
        src, tgt, rel, weight = src[by_people], tgt[by_people], rel[by_people], weight[by_people]
    names = [study.relations[int(r)].name for r in rel]
    return src, tgt, names, weight


def export_study(
    study: Study,
    path: str | Path,
    fmt: str,
    *,
    relation: str | None = None,
    metrics: AnalysisResult | None = None,
    pseudonymise: bool | Pseudonymiser = False,
) -> Path:
    """Write the study's network as ``fmt`` (graphml, gexf or csv); returns the path.

    For csv, ``path`` is a folder that receives people.csv, ties.csv and
    relations.csv (the study-folder format plus metric columns).

    ``metrics`` is the study's analysis (keyed by roster ids). ``pseudonymise``
    is True (a fresh :class:`~lisa.privacy.Pseudonymiser`) or the run's own
    pseudonymiser, so that every file of a run shares the same codes.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format '{fmt}': use one of {', '.join(FORMATS)}")
    if relation is not None:
        study.relation(relation)  # UnknownRelation with the known names
    path = Path(path)
    pseudonymiser = Pseudonymiser.of(study, pseudonymise)
    node_ids, cols = _node_table(study, metrics, relation, pseudonymiser)
    src, tgt, rels, weight = _edges(study, relation, pseudonymiser)
    if fmt == "csv":
        write_csv(neutralise_formulas(pl.DataFrame(cols)), path / "people.csv")
        ids = pl.Series(node_ids, dtype=pl.Utf8)
        frame = pl.DataFrame(
            {
                "source": ids.gather(src.astype(np.int64)),
                "target": ids.gather(tgt.astype(np.int64)),
                "relation": rels,
                "weight": weight,
            }
        )
        write_csv(neutralise_formulas(frame), path / "ties.csv")
        relations = pl.DataFrame(
            {
                "name": [r.name for r in study.relations],
                "label": [r.label for r in study.relations],
                "question": [r.question for r in study.relations],
                "directed": ["yes" if r.directed else "no" for r in study.relations],
            }
        )
        write_csv(neutralise_formulas(relations), path / "relations.csv")
        return path
    with atomic_target(path) as tmp:
        _write_graph(tmp, fmt, study.n_people, node_ids, cols, src, tgt, rels, weight)
    return path


def _write_graph(
    tmp: Path,
    fmt: str,
    n: int,
    node_ids: list[str],
    cols: dict[str, list[Any]],
    src: np.ndarray,
    tgt: np.ndarray,
    rels: list[str],
    weight: np.ndarray,
) -> None:
    if fmt == "graphml":
        import igraph as ig

        g = ig.Graph(
            n=n,
            edges=list(zip(src.tolist(), tgt.tolist(), strict=True)),
            directed=True,
        )
        for key, values in cols.items():
            numeric = all(v is None or isinstance(v, int | float) for v in values)
            g.vs[key if key != "id" else "lisa_id"] = [
                (float("nan") if v is None else v) if numeric else str(v) for v in values
            ]
        g.vs["label"] = cols.get("name", node_ids)
        g.es["relation"] = rels
        g.es["weight"] = weight.tolist()
        g.write_graphml(str(tmp))
    else:
        _write_gexf(tmp, node_ids, cols, src, tgt, rels, weight)


def _gexf_type(values: list[Any]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in values):
        return "double"
    return "string"


def _write_gexf(
    path: Path,
    node_ids: list[str],
    cols: dict[str, list[Any]],
    src: np.ndarray,
    tgt: np.ndarray,
    rels: list[str],
    weight: np.ndarray,
) -> None:
    """GEXF 1.3 (Gephi's own format), written with the standard library."""
    ns = "http://gexf.net/1.3"
    root = ET.Element("gexf", {"xmlns": ns, "version": "1.3"})
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = "lisa"
    graph = ET.SubElement(root, "graph", {"defaultedgetype": "directed", "mode": "static"})
    attrs = [k for k in cols if k not in ("id", "name")]
    node_attrs = ET.SubElement(graph, "attributes", {"class": "node"})
    for j, key in enumerate(attrs):
        ET.SubElement(
            node_attrs, "attribute", {"id": str(j), "title": key, "type": _gexf_type(cols[key])}
        )
    edge_attrs = ET.SubElement(graph, "attributes", {"class": "edge"})
    ET.SubElement(
        edge_attrs, "attribute", {"id": "relation", "title": "relation", "type": "string"}
    )
    nodes = ET.SubElement(graph, "nodes")
    labels = cols.get("name", node_ids)
    for i, nid in enumerate(node_ids):
        node = ET.SubElement(nodes, "node", {"id": nid, "label": str(labels[i]) or nid})
        values = ET.SubElement(node, "attvalues")
        for j, key in enumerate(attrs):
            v = cols[key][i]
            text = "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
            ET.SubElement(values, "attvalue", {"for": str(j), "value": text})
    edges = ET.SubElement(graph, "edges")
    for k in range(src.shape[0]):
        edge = ET.SubElement(
            edges,
            "edge",
            {
                "id": str(k),
                "source": node_ids[int(src[k])],
                "target": node_ids[int(tgt[k])],
                "weight": repr(float(weight[k])),
                "kind": rels[k],
            },
        )
        ev = ET.SubElement(edge, "attvalues")
        ET.SubElement(ev, "attvalue", {"for": "relation", "value": rels[k]})
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
