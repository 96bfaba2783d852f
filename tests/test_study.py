"""The Study model: arcs, waves, deletion on request, unknown ids."""

from __future__ import annotations

import numpy as np
import pytest

from lisa.errors import ConfigError, UnknownPerson, UnknownRelation
from lisa.study import Relation, Study, Ties


def small_study() -> Study:
    # a->b work (wave 1), b->a work (wave 2), a->c social (undirected), a->b work duplicate
    src = np.array([0, 1, 0, 0, 2], np.int32)
    tgt = np.array([1, 0, 2, 1, 2], np.int32)
    rel = np.array([0, 0, 1, 0, 0], np.int16)
    wave = np.array([0, 1, 1, 1, 1], np.int16)
    weight = np.array([1.0, 2.0, 1.0, 3.0, 1.0])
    return Study(
        name="s",
        ids=["a", "b", "c"],
        names=["Ann", "Bob", "Cat"],
        organisations=["o1", "o1", "o2"],
        sectors=["council", "council", "vcs"],
        layers=["systemic", "sectoral", None],
        relations=[Relation(name="work"), Relation(name="social", directed=False)],
        ties=Ties(src, tgt, rel, weight, wave),
        responded=np.array([True, True, False]),
        response_known=True,
        attributes={"role": ["lead", "officer", "worker"]},
        waves=["2024", "2025"],
    )


def test_arcs_merge_duplicates_drop_self_ties_and_keep_largest_weight() -> None:
    s, t, w = small_study().arcs("work")
    assert list(zip(s.tolist(), t.tolist(), w.tolist(), strict=True)) == [(0, 1, 3.0), (1, 0, 2.0)]


def test_undirected_relation_gives_both_directions() -> None:
    s, t, _ = small_study().arcs("social")
    assert sorted(zip(s.tolist(), t.tolist(), strict=True)) == [(0, 2), (2, 0)]


def test_combined_arcs_are_the_union() -> None:
    s, t, _ = small_study().arcs(None)
    assert sorted(zip(s.tolist(), t.tolist(), strict=True)) == [(0, 1), (0, 2), (1, 0), (2, 0)]


def test_for_wave_selects_that_wave_and_defaults_to_latest() -> None:
    study = small_study()
    assert len(study.for_wave("2024").ties) == 1
    assert len(study.for_wave(None).ties) == 4
    with pytest.raises(ConfigError, match="no wave '1999'.*2024, 2025"):
        study.for_wave("1999")


def test_without_people_removes_person_and_their_ties_only() -> None:
    study = small_study()
    smaller = study.without_people(["a"])
    assert smaller.ids == ["b", "c"]
    assert smaller.attributes == {"role": ["officer", "worker"]}
    assert smaller.responded.tolist() == [True, False]
    assert [(t.source, t.target) for t in smaller.iter_ties()] == [("c", "c")]
    assert study.n_people == 3 and len(study.ties) == 5  # the original is untouched


def test_unknown_person_suggests_close_ids() -> None:
    with pytest.raises(UnknownPerson, match="no person with id 'aa'"):
        small_study().person("aa")


def test_unknown_relation_lists_known_ones() -> None:
    with pytest.raises(UnknownRelation, match="the study has: work, social"):
        small_study().arcs("advice")


def test_person_row_view() -> None:
    p = small_study().person("c")
    assert (p.name, p.sector, p.layer, p.responded) == ("Cat", "vcs", None, False)
    assert p.attributes == {"role": "worker"}
