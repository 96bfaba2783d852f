"""What-if: change a study, analyse both, and say what changed.

Each change is a small typed model that takes a :class:`~lisa.study.Study`
and returns a new one (the original is never touched):

* :class:`RemovePeople` — these people leave (with all their ties);
* :class:`RemoveGroup` — everyone in a group leaves: a sector, an
  organisation, a layer or any roster column (``sector=council``), or the
  stable core (``core``, read from the analysis before the change);
* :class:`AddTies` — new mutual ties between named people;
* :class:`AddIntermediary` — a new person, tied both ways to named people;
* :class:`StaffExchange` — ties between the members of two organisations:
  every member of the smaller one is paired with one member of the other (in
  roster order, going round the larger one's members), both ways;
* :class:`MergeOrganisations` — several organisations become one.

:func:`what_if` applies the changes in order, runs :func:`lisa.analyse` on the
study before and after with the same settings and seed, and returns a
:class:`WhatIf`: reach, components, connected difference, E–I, the stable
core's overlap, roles gained and lost per person, and the findings that
appear or disappear. People who were removed are not compared: their roles
are listed as *left* (they went with them), never as *lost*; people added
are listed with the roles they *joined* with.

New ties go into the relation the change names (default: every relation of
the study, since the combined network is what the findings read), as mutual
nominations of weight 1, in the analysed wave.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from lisa.config import AnalysisConfig
from lisa.errors import ConfigError
from lisa.execution import Where, analysed
from lisa.network.results import ResultModel
from lisa.study import Person, Study
from lisa.vocabulary import Layer, Role

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

#: The word that names the stable core as a group (``--remove-group core``).
CORE_GROUP = "core"


class Applied(ResultModel):
    """One change as it was applied, in words."""

    kind: str
    description: str
    people: list[str] = Field(default_factory=list, description="Ids the change is about.")
    ties_added: int = 0


def _mutual(study: Study, pairs: Sequence[tuple[str, str]], relation: str | None) -> Study:
    """``study`` with each pair tied both ways, in ``relation`` or in every relation."""
    both = [p for a, b in pairs for p in ((a, b), (b, a))]
    for name in [relation] if relation else study.relation_names:
        study = study.with_ties(both, name)
    return study


def _relation_words(study: Study, relation: str | None) -> str:
    return f"in '{relation}'" if relation else f"in all {len(study.relations)} relations"


class RemovePeople(ResultModel):
    """These people leave, with all their ties (ids or unique names)."""

    kind: Literal["remove-people"] = "remove-people"
    people: list[str] = Field(min_length=1)

    def apply(self, study: Study, core: Sequence[str]) -> tuple[Study, Applied]:
        ids = list(dict.fromkeys(study.find_person(p) for p in self.people))
        return study.without_people(ids), Applied(
            kind=self.kind, description=f"{len(ids)} people leave", people=ids
        )


class RemoveGroup(ResultModel):
    """Everyone in a group leaves: ``grouping`` is layer, sector, organisation, a roster
    column, or ``core`` (the stable core before the change; ``group`` then unused)."""

    kind: Literal["remove-group"] = "remove-group"
    grouping: str
    group: str = ""

    def apply(self, study: Study, core: Sequence[str]) -> tuple[Study, Applied]:
        if self.grouping == CORE_GROUP:
            if not core:
                raise ConfigError("this study has no stable core to remove")
            ids, words = list(core), f"the stable core ({len(core)} people) leaves"
        else:
            ids = study.members(self.grouping, self.group)
            words = f"{self.grouping} '{self.group}' ({len(ids)} people) leaves"
        if len(ids) >= study.n_people - 1:
            raise ConfigError(f"removing {words.split(' leaves')[0]} would leave nobody to compare")
        return study.without_people(ids), Applied(kind=self.kind, description=words, people=ids)


class AddTies(ResultModel):
    """New mutual ties between pairs of people (ids or unique names)."""

    kind: Literal["add-ties"] = "add-ties"
    pairs: list[tuple[str, str]] = Field(min_length=1)
    relation: str | None = Field(None, description="Default: every relation.")

    def apply(self, study: Study, core: Sequence[str]) -> tuple[Study, Applied]:
        pairs = [(study.find_person(a), study.find_person(b)) for a, b in self.pairs]
        for a, b in pairs:
            if a == b:
                raise ConfigError(f"a tie needs two different people, not '{a}' twice")
        after = _mutual(study, pairs, self.relation)
        return after, Applied(
            kind=self.kind,
            description=f"{len(pairs)} new tie{'s' * (len(pairs) != 1)}, both ways, "
            + _relation_words(study, self.relation),
            people=list(dict.fromkeys(p for pair in pairs for p in pair)),
            ties_added=len(after.ties) - len(study.ties),
        )


class AddIntermediary(ResultModel):
    """A new person, tied both ways to each of ``tied_to``."""

    kind: Literal["add-intermediary"] = "add-intermediary"
    id: str = "intermediary"
    name: str = "New intermediary"
    organisation: str = ""
    sector: str = ""
    layer: Layer | None = None
    tied_to: list[str] = Field(min_length=1)
    relation: str | None = Field(None, description="Default: every relation.")

    def apply(self, study: Study, core: Sequence[str]) -> tuple[Study, Applied]:
        targets = list(dict.fromkeys(study.find_person(p) for p in self.tied_to))
        person = Person(
            id=self.id, name=self.name, organisation=self.organisation, sector=self.sector,
            layer=self.layer, responded=True if study.response_known else None,
        )  # fmt: skip
        grown = study.with_person(person)
        after = _mutual(grown, [(self.id, t) for t in targets], self.relation)
        return after, Applied(
            kind=self.kind,
            description=f"a new intermediary '{self.id}' tied to {len(targets)} people "
            + _relation_words(study, self.relation),
            people=[self.id, *targets],
            ties_added=len(after.ties) - len(study.ties),
        )


class StaffExchange(ResultModel):
    """Ties between the members of two organisations: each member of the smaller one is
    paired with one of the other's (roster order, round the larger one), both ways."""

    kind: Literal["staff-exchange"] = "staff-exchange"
    a: str
    b: str
    relation: str | None = Field(None, description="Default: every relation.")

    def apply(self, study: Study, core: Sequence[str]) -> tuple[Study, Applied]:
        if self.a == self.b:
            raise ConfigError(f"a staff exchange needs two organisations, not '{self.a}' twice")
        small, large = sorted(
            (study.members("organisation", self.a), study.members("organisation", self.b)),
            key=len,
        )
        pairs = [(p, large[i % len(large)]) for i, p in enumerate(small)]
        after = _mutual(study, pairs, self.relation)
        return after, Applied(
            kind=self.kind,
            description=f"a staff exchange between '{self.a}' and '{self.b}': {len(pairs)} "
            f"pairs, one per member of the smaller organisation, tied both ways "
            + _relation_words(study, self.relation),
            people=list(dict.fromkeys(p for pair in pairs for p in pair)),
            ties_added=len(after.ties) - len(study.ties),
        )


class MergeOrganisations(ResultModel):
    """Several organisations become one, called ``into`` (default: the first named)."""

    kind: Literal["merge-organisations"] = "merge-organisations"
    organisations: list[str] = Field(min_length=2)
    into: str | None = None

    def apply(self, study: Study, core: Sequence[str]) -> tuple[Study, Applied]:
        members = [p for org in self.organisations for p in study.members("organisation", org)]
        target = self.into or self.organisations[0]
        after = study.with_organisations({org: target for org in self.organisations})
        return after, Applied(
            kind=self.kind,
            description=f"{len(self.organisations)} organisations merge into '{target}' "
            f"({len(members)} people)",
            people=members,
        )


#: Any one change; ``kind`` says which.
Change = Annotated[
    RemovePeople | RemoveGroup | AddTies | AddIntermediary | StaffExchange | MergeOrganisations,
    Field(discriminator="kind"),
]


# -- the difference -------------------------------------------------------------


class Measure(ResultModel):
    """One number before and after the change."""

    before: float | None
    after: float | None
    change: float | None = Field(description="after - before (null if either is missing).")

    @classmethod
    def of(cls, before: float | None, after: float | None) -> Measure:
        change = None if before is None or after is None else after - before
        return cls(before=before, after=after, change=change)


class CoreChange(ResultModel):
    """The stable core before and after."""

    before: list[str]
    after: list[str]
    overlap: float = Field(description="Jaccard: in both / in either (1 when both are empty).")
    joined: list[str] = Field(description="In the core after, not before.")
    left: list[str] = Field(description="In the core before, not after (removed people included).")


class RoleChange(ResultModel):
    """A person in both studies whose roles (combined network) changed."""

    id: str
    gained: list[Role]
    lost: list[Role]


class PersonRoles(ResultModel):
    """A person only on one side, with the roles they had there."""

    id: str
    roles: list[Role]


class FindingChange(ResultModel):
    """A finding that appears, disappears or stays, with its headline each side."""

    code: str
    change: Literal["appears", "disappears", "stays"]
    title: str = Field(description="The title after (before, for one that disappears).")
    before: str | None = Field(description="The headline before (null if absent).")
    after: str | None = Field(description="The headline after (null if absent).")


class WhatIf(ResultModel):
    """The typed before/after difference of one what-if (see the module docs)."""

    changes: list[Applied]
    seed: int = Field(description="The analysis seed both sides used.")
    people: Measure
    ties: Measure = Field(description="Ties of the analysed wave (all relations).")
    reach2: Measure = Field(
        description="Mean two-step reach of everyone (combined network, share of the others)."
    )
    reach2_stayers: Measure = Field(
        description="The same, over the people in both studies only (removed and added left out)."
    )
    components: Measure
    largest_component_share: Measure
    connected_difference: dict[str, Measure] = Field(
        description="Mean normalised diversity of contacts (IQV) per grouping: sector, layer."
    )
    ei_index: dict[str, Measure] = Field(description="E–I index per grouping.")
    core: CoreChange
    roles: list[RoleChange] = Field(description="People in both whose roles changed.")
    left: list[PersonRoles] = Field(
        description="People removed, with the roles that left with them (not counted as lost)."
    )
    joined: list[PersonRoles] = Field(description="People added, with the roles they hold.")
    findings: list[FindingChange] = Field(description="Appearing first, then disappearing, then staying.")

    def finding(self, code: str) -> FindingChange | None:
        return next((f for f in self.findings if f.code == code), None)

    def measures(self) -> list[tuple[str, Measure, bool]]:
        """Every before/after number as (label, measure, is a share): the table's rows."""
        return [
            ("people", self.people, False),
            ("ties", self.ties, False),
            ("two-step reach (everyone)", self.reach2, True),
            ("two-step reach (people in both)", self.reach2_stayers, True),
            ("components", self.components, False),
            ("largest part", self.largest_component_share, True),
            *((f"connected difference ({g})", m, False) for g, m in self.connected_difference.items()),
            *((f"E–I index ({g})", m, False) for g, m in self.ei_index.items()),
        ]


def number_text(x: float | None, share: bool, sign: bool = False) -> str:
    """One number of a what-if in words: a share as a percentage (a change in points),
    a count whole, anything else to three decimals; None as an en dash."""
    if x is None:
        return "–"
    if share:
        return f"{100 * x:+.1f} pts" if sign else f"{100 * x:.1f}%"
    if float(x).is_integer():
        return f"{int(x):+,d}" if sign else f"{int(x):,d}"
    return f"{x:+.3f}" if sign else f"{x:.3f}"


def _mean_reach(result: AnalysisResult, ids: set[str] | None = None) -> float | None:
    values = [p.reach2 for pid, p in result.combined.people.items() if ids is None or pid in ids]
    return sum(values) / len(values) if values else None


def _core_change(before: AnalysisResult, after: AnalysisResult) -> CoreChange:
    a, b = before.core_consistency.stable_core, after.core_consistency.stable_core
    sa, sb = set(a), set(b)
    union = sa | sb
    return CoreChange(
        before=list(a),
        after=list(b),
        overlap=len(sa & sb) / len(union) if union else 1.0,
        joined=[p for p in b if p not in sa],
        left=[p for p in a if p not in sb],
    )


def _role_changes(
    before: AnalysisResult, after: AnalysisResult
) -> tuple[list[RoleChange], list[PersonRoles], list[PersonRoles]]:
    """(changes for people in both, roles of those removed, roles of those added)."""
    pb, pa = before.combined.people, after.combined.people
    changed = []
    for pid, p in pb.items():
        if pid in pa and set(p.roles) != set(pa[pid].roles):
            changed.append(
                RoleChange(
                    id=pid,
                    gained=[r for r in pa[pid].roles if r not in p.roles],
                    lost=[r for r in p.roles if r not in pa[pid].roles],
                )
            )
    left = [PersonRoles(id=pid, roles=list(p.roles)) for pid, p in pb.items() if pid not in pa]
    joined = [PersonRoles(id=pid, roles=list(p.roles)) for pid, p in pa.items() if pid not in pb]
    return changed, left, joined


def _finding_changes(before: AnalysisResult, after: AnalysisResult) -> list[FindingChange]:
    fb = {f.code: f for f in before.findings}
    fa = {f.code: f for f in after.findings}
    out = []
    for change, codes in (
        ("appears", [c for c in fa if c not in fb]),
        ("disappears", [c for c in fb if c not in fa]),
        ("stays", [c for c in fb if c in fa]),
    ):
        for code in codes:
            shown = fa.get(code) or fb[code]
            out.append(
                FindingChange(
                    code=code,
                    change=change,  # type: ignore[arg-type]
                    title=shown.title,
                    before=fb[code].headline.text if code in fb else None,
                    after=fa[code].headline.text if code in fa else None,
                )
            )
    return out


def compare(
    before: AnalysisResult, after: AnalysisResult, changes: Sequence[Applied] = ()
) -> WhatIf:
    """The difference between two analyses of the same place (before and after a change).

    Parameters
    ----------
    before, after
        :func:`lisa.analyse` results, with the same settings and seed.
    changes
        What was done between them, in words.

    Returns
    -------
    WhatIf
        The typed before/after difference.
    """
    nb, na = before.combined.network, after.combined.network
    stayers = set(before.combined.people) & set(after.combined.people)
    roles, left, joined = _role_changes(before, after)
    groupings = [g for g in ("sector", "layer") if g in nb.mean_contact_diversity]
    return WhatIf(
        changes=list(changes),
        seed=before.config.seed,
        people=Measure.of(nb.people, na.people),
        ties=Measure.of(before.study_summary.ties, after.study_summary.ties),
        reach2=Measure.of(_mean_reach(before), _mean_reach(after)),
        reach2_stayers=Measure.of(_mean_reach(before, stayers), _mean_reach(after, stayers)),
        components=Measure.of(nb.components, na.components),
        largest_component_share=Measure.of(nb.largest_component_share, na.largest_component_share),
        connected_difference={
            g: Measure.of(nb.mean_contact_diversity.get(g), na.mean_contact_diversity.get(g))
            for g in groupings
        },
        ei_index={g: Measure.of(nb.ei_index.get(g), na.ei_index.get(g)) for g in nb.ei_index},
        core=_core_change(before, after),
        roles=roles,
        left=left,
        joined=joined,
        findings=_finding_changes(before, after),
    )


def apply_changes(
    study: Study, changes: Sequence[Change], core: Sequence[str] = ()
) -> tuple[Study, list[Applied]]:
    """Apply ``changes`` in order; ``core`` is the stable core before them (for ``core``).

    Raises :class:`~lisa.errors.UnknownPerson`, :class:`~lisa.errors.AmbiguousPerson`,
    :class:`~lisa.errors.UnknownGroup` or :class:`~lisa.errors.ConfigError` naming what
    does not fit; the input study is never changed.
    """
    applied = []
    for change in changes:
        study, done = change.apply(study, [p for p in core if p in set(study.ids)])
        applied.append(done)
    return study, applied


def what_if(
    study: Study,
    changes: Sequence[Change],
    config: AnalysisConfig | None = None,
    *,
    before: AnalysisResult | None = None,
    workers: int | None = None,
    scheduler: Any = None,
) -> WhatIf:
    """Apply ``changes`` to ``study``, analyse both sides with the same settings, compare.

    Parameters
    ----------
    study
        The place as surveyed (restricted to ``config.wave`` first).
    changes
        One or more changes, applied in order.
    config
        Analysis settings and seed, the same for both sides (defaults if None).
    before
        The analysis of ``study`` with ``config``, if already computed.
    workers
        Local worker processes for each analysis' networks (see :func:`lisa.analyse`).
    scheduler
        A Dask scheduler address or client: run each analysis there instead
        (:func:`lisa.execution.analysed`). The second analysis needs the first (its stable core),
        so the two run one after the other.

    Returns
    -------
    WhatIf
        The typed difference.

    Raises
    ------
    UnknownPerson, AmbiguousPerson, UnknownGroup, ConfigError
        A change names someone or something the study does not have.

    Examples
    --------
    >>> from lisa import generate
    >>> w = what_if(generate(80, seed=1), [RemoveGroup(grouping="sector", group="council")])
    >>> w.people.before - w.people.after == len(w.changes[0].people)
    True
    """
    config = config or AnalysisConfig()
    if not changes:
        raise ConfigError("a what-if needs at least one change")
    where = Where(workers, scheduler)
    base = study.for_wave(config.wave)
    first = before if before is not None else analysed(base, config, where)
    changed, applied = apply_changes(base, changes, first.core_consistency.stable_core)
    second = analysed(changed, config.model_copy(update={"wave": None}), where)
    return compare(first, second, applied)


#: The largest what-if JSON :func:`read_what_if` reads.
MAX_WHATIF_BYTES = 200_000_000


def read_what_if(path: str | Path) -> WhatIf:
    """Read a what-if written by ``lisa whatif --json``.

    Raises
    ------
    StudyNotFound
        The file does not exist.
    InputInvalid
        The file is too large or is not a what-if result (the problems name why).
    """
    from lisa.scenarios._stored import read_model

    return read_model(path, WhatIf, "what-if", MAX_WHATIF_BYTES)
