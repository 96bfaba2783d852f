"""What-if scenarios: each change checked by hand on small places, and bad input."""

from __future__ import annotations

import itertools

import pytest

from lisa import analyse, generate, study_from_records
from lisa.analysis import study_fingerprint
from lisa.errors import AmbiguousPerson, ConfigError, UnknownGroup, UnknownPerson, UnknownRelation
from lisa.scenarios import (
    AddIntermediary,
    AddTies,
    MergeOrganisations,
    RemoveGroup,
    RemovePeople,
    StaffExchange,
    what_if,
)
from lisa.study import Study


def clique(prefix: str, k: int, sector: str, org: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    people = [{"id": f"{prefix}{i}", "name": f"{prefix.upper()} {i}", "sector": sector,
               "organisation": org, "layer": "frontline"} for i in range(k)]  # fmt: skip
    ties = [{"source": f"{prefix}{i}", "target": f"{prefix}{j}", "relation": "work"}
            for i, j in itertools.permutations(range(k), 2)]  # fmt: skip
    return people, ties


def two_cliques(bridge: bool = True) -> Study:
    """Two 5-cliques (sectors health and schools) joined only through 'bridge'."""
    pa, ta = clique("a", 5, "health", "Clinic")
    pb, tb = clique("b", 5, "schools", "School")
    people, ties = pa + pb, ta + tb
    if bridge:
        people.append({"id": "bridge", "name": "Bea Bridge", "sector": "council",
                       "organisation": "Council", "layer": "sectoral"})  # fmt: skip
        ties += [{"source": "a0", "target": "bridge", "relation": "work"},
                 {"source": "bridge", "target": "b0", "relation": "work"}]  # fmt: skip
    return study_from_records(people, ties, name="two cliques")


def test_removing_the_cut_vertex_splits_the_place() -> None:
    study = two_cliques()
    w = what_if(study, [RemovePeople(people=["bridge"])])
    assert (w.components.before, w.components.after) == (1, 2)
    assert (w.people.before, w.people.after) == (11, 10)
    assert w.largest_component_share.after == 0.5
    # the bridge is a gatekeeper; its role left with it, it is not "lost"
    assert [p.id for p in w.left] == ["bridge"] and "gatekeeper" in w.left[0].roles
    assert all(r.id != "bridge" for r in w.roles)
    # a0 reaches its 4 clique-mates, the bridge and b0 (6 of 10); after, only the 4 of 9
    assert analyse(study).combined.people["a0"].reach2 == pytest.approx(6 / 10)
    after = analyse(study.without_people(["bridge"])).combined.people["a0"].reach2
    assert after == pytest.approx(4 / 9)
    assert w.changes[0].people == ["bridge"] and w.changes[0].kind == "remove-people"


def test_the_study_given_is_not_changed() -> None:
    study = two_cliques()
    mark = study_fingerprint(study), list(study.organisations), study.n_people
    what_if(study, [RemoveGroup(grouping="sector", group="health"),
                    AddTies(pairs=[("b1", "bridge")]), MergeOrganisations(organisations=["School", "Council"])])  # fmt: skip
    assert (study_fingerprint(study), list(study.organisations), study.n_people) == mark


def test_removing_a_sector_removes_exactly_its_members() -> None:
    w = what_if(two_cliques(), [RemoveGroup(grouping="sector", group="health")])
    assert sorted(w.changes[0].people) == [f"a{i}" for i in range(5)]
    assert w.people.after == 6 and w.components.after == 1
    assert sorted(p.id for p in w.left) == [f"a{i}" for i in range(5)]


def test_an_added_tie_joins_two_components() -> None:
    study = two_cliques(bridge=False)
    w = what_if(study, [AddTies(pairs=[("a1", "b1")])])
    assert (w.components.before, w.components.after) == (2, 1)
    assert w.changes[0].ties_added == 2  # one relation, both ways
    assert w.ties.change == 2
    # before every contact was in one's own sector; a1 and b1 now each have one other
    cd = w.connected_difference["sector"]
    assert cd.before == 0 and cd.after is not None and cd.after > 0
    ei = w.ei_index["sector"]
    assert ei.before == -1 and ei.after == pytest.approx((2 - 40) / 42)


def test_a_new_intermediary_joins_two_cliques_and_is_their_gatekeeper() -> None:
    study = two_cliques(bridge=False)
    w = what_if(study, [AddIntermediary(id="broker", sector="vcs", layer="frontline",
                                        tied_to=["a0", "B 0"])])  # fmt: skip
    assert (w.components.before, w.components.after) == (2, 1)
    assert w.people.after == 11
    assert [p.id for p in w.joined] == ["broker"] and "gatekeeper" in w.joined[0].roles
    assert w.changes[0].people == ["broker", "a0", "b0"]  # 'B 0' is b0's name


def test_a_staff_exchange_pairs_each_member_of_the_smaller_organisation() -> None:
    pa, ta = clique("a", 3, "health", "Clinic")
    pb, tb = clique("b", 5, "schools", "School")
    study = study_from_records(pa + pb, ta + tb)
    w = what_if(study, [StaffExchange(a="School", b="Clinic")])
    assert w.changes[0].ties_added == 6  # 3 pairs, both ways
    assert w.changes[0].people == ["a0", "b0", "a1", "b1", "a2", "b2"]
    assert w.components.after == 1


def test_merging_organisations_turns_their_ties_internal() -> None:
    study = two_cliques()
    w = what_if(study, [MergeOrganisations(organisations=["Clinic", "Council"], into="Health hub")])
    ei = w.ei_index["organisation"]
    # 42 arcs: 40 inside the cliques, a0→bridge and bridge→b0 between organisations;
    # after the merge a0→bridge is inside 'Health hub'
    assert ei.before == pytest.approx((2 - 40) / 42)
    assert ei.after == pytest.approx((1 - 41) / 42)
    assert w.people.change == 0 and w.components.change == 0


def test_removing_the_core_of_the_demo_reports_findings_and_overlap() -> None:
    study = generate(200, seed=3)
    before = analyse(study)
    core = before.core_consistency.stable_core
    w = what_if(study, [RemoveGroup(grouping="core")], before=before)
    assert sorted(w.changes[0].people) == sorted(core)
    assert w.core.before == core and not set(w.core.after) & set(core)
    assert w.core.overlap == 0 and w.core.left == core
    assert w.people.after == 200 - len(core)
    gone = w.finding("core-departure-risk")
    assert gone is not None and gone.change == "disappears" and gone.after is None
    codes = {f.code for f in w.findings if f.change in ("disappears", "stays")}
    assert codes == set(before.finding_codes())


def test_same_seed_same_difference() -> None:
    study = generate(120, seed=4)
    change = [RemoveGroup(grouping="sector", group="council")]
    assert what_if(study, change) == what_if(study, change)


# -- bad input ----------------------------------------------------------------


def named_twice() -> Study:
    people = [{"id": "x1", "name": "Sam Lee", "organisation": "Clinic"},
              {"id": "x2", "name": "Sam Lee", "organisation": "School"}, {"id": "y"}]  # fmt: skip
    ties = [{"source": "x1", "target": "y", "relation": "work"},
            {"source": "x2", "target": "y", "relation": "work"}]  # fmt: skip
    return study_from_records(people, ties)


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        (RemovePeople(people=["nobody"]), UnknownPerson, "nobody"),
        (RemovePeople(people=["Sam Lee"]), AmbiguousPerson, "'x1', 'x2'"),
        (AddTies(pairs=[("x1", "ghost")]), UnknownPerson, "ghost"),
        (AddTies(pairs=[("x1", "x1")]), ConfigError, "two different people"),
        (AddTies(pairs=[("x1", "y")], relation="gossip"), UnknownRelation, "gossip"),
        (RemoveGroup(grouping="sector", group="police"), UnknownGroup, "police"),
        (RemoveGroup(grouping="shoe size", group="9"), ConfigError, "shoe size"),
        (RemoveGroup(grouping="core"), ConfigError, "no stable core"),
        (StaffExchange(a="A", b="A"), ConfigError, "two organisations"),
        (MergeOrganisations(organisations=["A", "B"]), UnknownGroup, "organisation 'A'"),
        (AddIntermediary(id="y", tied_to=["x1"]), ConfigError, "already a person"),
    ],
)
def test_bad_changes_are_named_errors(change: object, error: type, words: str) -> None:
    study = named_twice()
    mark = study_fingerprint(study)
    with pytest.raises(error, match=None) as caught:
        what_if(study, [change])  # type: ignore[list-item]
    assert words in str(caught.value)
    assert study_fingerprint(study) == mark


def test_an_unknown_name_suggests_close_ones() -> None:
    with pytest.raises(UnknownPerson) as caught:
        what_if(two_cliques(), [RemovePeople(people=["Bea Bridg"])])
    assert "Bea Bridge" in caught.value.suggestions


def test_an_unknown_sector_suggests_close_ones() -> None:
    with pytest.raises(UnknownGroup) as caught:
        what_if(two_cliques(), [RemoveGroup(grouping="sector", group="helth")])
    assert caught.value.suggestions[0] == "health"


def test_no_change_and_removing_everyone_are_refused() -> None:
    with pytest.raises(ConfigError, match="at least one change"):
        what_if(two_cliques(), [])
    with pytest.raises(ConfigError, match="nobody to compare"):
        what_if(two_cliques(), [RemoveGroup(grouping="layer", group="frontline")])
