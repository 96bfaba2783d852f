"""The engine's quick paths give exactly what the validated, one-process path gives."""

from __future__ import annotations

import numpy as np
import pytest

import lisa
from lisa.network import brokerage as gf
from lisa.network.graph import build_net, igraph_from_arrays
from lisa.network.results import CombinedNetwork, CombinedPersonMetrics, Network, PersonMetrics


@pytest.fixture(scope="module")
def result() -> lisa.AnalysisResult:
    return lisa.analyse(lisa.generate(150, seed=3), workers=1)


def test_engine_models_equal_validated_models(result: lisa.AnalysisResult) -> None:
    # the per-person models are built without validation: they must be exactly what
    # validating the same numbers gives, field types included, and serialise the same
    for net, cls in [*((n, PersonMetrics) for n in result.relations.values()),
                     (result.combined, CombinedPersonMetrics)]:
        for person in net.people.values():
            again = cls.model_validate(person.model_dump())
            assert type(person) is cls
            assert person == again
            assert person.model_fields_set == again.model_fields_set
            assert {k: type(v) for k, v in dict(person).items()} == {
                k: type(v) for k, v in dict(again).items()
            }
            assert person.model_dump_json() == again.model_dump_json()
    for name, net in result.relations.items():
        assert Network.model_validate(net.model_dump()).model_dump_json() == net.model_dump_json(), name
    combined = CombinedNetwork.model_validate(result.combined.model_dump())
    assert combined.model_dump_json() == result.combined.model_dump_json()


def test_shared_brokerage_counts_are_each_persons_own(result: lisa.AnalysisResult) -> None:
    # people with equal counts share one dict: each must still read its own counts
    study = result.study
    src, tgt, _ = study.arcs(None)
    groupings = {g: study.group_values(g) for g in result.config.groupings}
    counts = gf.brokerage(build_net("combined", study.n_people, src, tgt), groupings)
    for g, table in counts.items():
        got = [[p.brokerage[g][r] for r in gf.ROLES] for p in result.combined.people.values()]
        assert got == table.tolist()


def test_igraph_from_arrays_keeps_the_arcs_in_order() -> None:
    src, tgt = np.array([2, 0, 1, 2], np.int32), np.array([0, 1, 2, 1], np.int32)
    g = igraph_from_arrays(4, src, tgt, directed=True)
    assert g.vcount() == 4 and g.is_directed()
    assert g.get_edgelist() == [(2, 0), (0, 1), (1, 2), (2, 1)]
    empty = igraph_from_arrays(3, src[:0], tgt[:0], directed=False)
    assert empty.vcount() == 3 and empty.ecount() == 0 and not empty.is_directed()
    net = build_net("x", 4, src, tgt)
    assert net.undirected.get_edgelist() == [(0, 1), (0, 2), (1, 2)]


def _documents() -> list[lisa.AnalysisResult]:
    from lisa.privacy import Pseudonymiser
    from tests.test_tie_quality import TIES, study

    plain = lisa.analyse(lisa.generate(120, seed=5), workers=1)
    weighted = lisa.analyse(study(TIES), lisa.AnalysisConfig(weighted_paths=True))
    assert weighted.tie_quality is not None and plain.tie_quality is None
    return [plain, weighted, Pseudonymiser(plain.study).result(plain)]


@pytest.mark.parametrize("indent", [1, None])
def test_json_written_block_by_block_is_the_serializers_bytes(indent: int | None) -> None:
    from lisa.analysis import _encode_blocks

    for doc in _documents():
        assert _encode_blocks(doc, indent) == doc.__pydantic_serializer__.to_json(doc, indent=indent)


def test_streamed_json_file_is_the_documents_bytes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for k, doc in enumerate(_documents()):
        path = doc.write_json(tmp_path / f"{k}.json")
        assert path.read_bytes() == doc.__pydantic_serializer__.to_json(doc, indent=1)
        assert lisa.AnalysisResult.from_json(path).model_dump() == doc.model_dump()


def test_core_representation_by_group_counts_each_group_once() -> None:
    # the core's representation per group (thousands of organisations in a large place) is
    # counted in one pass; it must equal counting each group's members one by one
    from lisa.network import cores

    rng = np.random.default_rng(5)
    n = 3000
    names = np.array(["", "Mill ‮school", "Clinic", "Åsa's <team>", *[f"org {i}" for i in range(400)]],
                     dtype=object)
    values = names[rng.integers(0, len(names), n)].tolist()
    counts = rng.integers(0, 8, n)
    got = cores._representation(values, counts, n, int(counts.sum()))
    assert list(got) == sorted(set(values))
    for group, rep in got.items():
        members = np.array([v == group for v in values])
        assert rep.people == int(members.sum())
        assert rep.core_places == int(counts[members].sum())
        assert rep.share_of_people == rep.people / n
        assert rep.share_of_core == rep.core_places / int(counts.sum())
