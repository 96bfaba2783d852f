"""The study: the validated data everything else in lisa reads.

A :class:`Study` is a roster of people (each with organisation, sector, layer
and free attributes), a set of named relations, and the ties between people
in each relation, optionally over several survey waves. It is immutable in
spirit: operations that change it (:meth:`Study.for_wave`,
:meth:`Study.without_people`, :meth:`Study.with_person`, :meth:`Study.with_ties`,
:meth:`Study.with_organisations`) return a new study.

People and ties are held column-wise (lists and NumPy arrays) so that a
100,000-person place with millions of ties loads and analyses quickly; use
:meth:`Study.person` and :meth:`Study.iter_ties` for friendly row objects.
Building a Study does not validate raw input: the readers in :mod:`lisa.io`
do that (see :mod:`lisa.io.validate`) and only hand over clean columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence, Sized
from dataclasses import dataclass, field, replace

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from lisa.errors import AmbiguousPerson, ConfigError, UnknownGroup, UnknownPerson, UnknownRelation
from lisa.vocabulary import PEOPLE, Layer, Nouns

#: The optional roster column naming the waves each person took part in
#: (labels separated by ``;``); without it everyone is on the roster of every wave.
WAVES_COLUMN = "waves"


def wave_cells(column: Sequence[str]) -> list[list[str]]:
    """Each cell of the roster's :data:`WAVES_COLUMN` as its wave labels (``2024;2025``)."""
    return [[w.strip() for w in cell.split(";") if w.strip()] for cell in column]


def present_in_wave(cells: Sequence[Sequence[str]], wave: str) -> np.ndarray:
    """Who is on the roster of ``wave``, from :func:`wave_cells`: a blank cell means every wave,
    and a wave no cell names (one imported after the column was written) has everyone."""
    if not any(wave in labels for labels in cells):
        return np.ones(len(cells), bool)
    return np.array([not labels or wave in labels for labels in cells], bool)
#: The optional roster column marking people based outside the place (a regional or
#: national body, a partner elsewhere): ``yes``/``no``, blank = in the place.
OUTSIDE_COLUMN = "outside"


class Relation(BaseModel):
    """A kind of relationship asked about in the survey (one network)."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="Short machine name used in ties.csv, e.g. 'innovation'.")
    label: str = Field(default="", description="Human label, e.g. 'New ideas and innovation'.")
    question: str = Field(default="", description="The survey question respondents answered.")
    directed: bool = Field(
        default=True,
        description="True when 'A names B' differs from 'B names A' (advice, "
        "information); False for mutual relations (e.g. co-working).",
    )

    def display(self) -> str:
        return self.label or self.name


#: The seven NetForm-style relations (after Stephenson's published network
#: types) used by default for new studies.
DEFAULT_RELATIONS: tuple[Relation, ...] = (
    Relation(
        name="work",
        label="Day-to-day work",
        question="Who do you work with most often to get your day-to-day work done?",
    ),
    Relation(
        name="social",
        label="Social",
        question="Who do you spend time with socially, inside or outside work?",
    ),
    Relation(
        name="innovation",
        label="New ideas and innovation",
        question="Who do you go to when you want to try out or develop a new idea?",
    ),
    Relation(
        name="expertise",
        label="Expertise",
        question="Who do you go to for expert knowledge or technical advice?",
    ),
    Relation(
        name="career",
        label="Career guidance",
        question="Who do you turn to for advice about your career?",
    ),
    Relation(
        name="learning",
        label="Learning",
        question="Who do you learn the most from about how to do your job better?",
    ),
    Relation(
        name="strategic",
        label="Strategic direction",
        question="Who do you talk to about the future direction of your organisation or area?",
    ),
)


class Person(BaseModel):
    """One person on the roster (a friendly row view of the study)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str = ""
    organisation: str = ""
    sector: str = ""
    layer: Layer | None = None
    responded: bool | None = Field(
        default=None, description="Whether this person answered the survey; None if unknown."
    )
    attributes: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class Tie:
    """One tie as a row: ``source`` names ``target`` in ``relation``."""

    source: str
    target: str
    relation: str
    weight: float = 1.0
    wave: str | None = None


@dataclass(frozen=True)
class Unlisted:
    """A survey answer naming someone not on the roster ("other: …"), set aside.

    Kept in ``not_on_list.csv`` so the roster can be extended later; never a
    tie. ``respondent`` is the roster id of who gave the answer.
    """

    respondent: str
    relation: str
    text: str
    wave: str | None = None


@dataclass
class Ties:
    """All ties of a study, column-wise.

    ``source`` and ``target`` index into :attr:`Study.ids`; ``relation``
    indexes :attr:`Study.relations`; ``wave`` indexes :attr:`Study.waves`
    (-1 when the study has no waves). For an undirected relation each pair is
    stored once, in the order it was read. ``attributes`` holds the further
    columns of ``ties.csv`` (header as written → one text per tie, as an
    object array), so that rewriting a study keeps them.
    """

    source: np.ndarray  # int32
    target: np.ndarray  # int32
    relation: np.ndarray  # int16
    weight: np.ndarray  # float64
    wave: np.ndarray  # int16
    attributes: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = int(self.source.shape[0])
        for label, column in (
            ("target", self.target),
            ("relation", self.relation),
            ("weight", self.weight),
            ("wave", self.wave),
            *self.attributes.items(),
        ):
            if column.shape[0] != n:
                raise ConfigError(
                    f"tie column '{label}' has {column.shape[0]} entries for {n} ties"
                )

    @classmethod
    def empty(cls) -> Ties:
        return cls(
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
            np.zeros(0, np.int16),
            np.zeros(0, np.float64),
            np.zeros(0, np.int16),
        )

    def __len__(self) -> int:
        return int(self.source.shape[0])

    def select(self, mask: np.ndarray) -> Ties:
        """The ties where ``mask`` is True (or at these positions), extra columns included."""
        return Ties(
            self.source[mask],
            self.target[mask],
            self.relation[mask],
            self.weight[mask],
            self.wave[mask],
            {k: v[mask] for k, v in self.attributes.items()},
        )

    def concat(self, other: Ties) -> Ties:
        """These ties followed by ``other``'s; an extra column one side lacks is blank there."""
        keys = list(dict.fromkeys([*self.attributes, *other.attributes]))

        def column(t: Ties, key: str) -> np.ndarray:
            if key in t.attributes:
                return t.attributes[key]
            return np.full(len(t), "", dtype=object)

        return Ties(
            np.concatenate([self.source, other.source]).astype(np.int32),
            np.concatenate([self.target, other.target]).astype(np.int32),
            np.concatenate([self.relation, other.relation]).astype(np.int16),
            np.concatenate([self.weight, other.weight]).astype(np.float64),
            np.concatenate([self.wave, other.wave]).astype(np.int16),
            {k: np.concatenate([column(self, k), column(other, k)]) for k in keys},
        )


@dataclass
class Study:
    """A validated study: roster, relations, ties and waves.

    Parameters
    ----------
    name
        A short title for the study (the folder name by default).
    ids, names, organisations, sectors, layers
        One entry per person, in roster order. ``layers`` holds one of
        :data:`LAYERS` or ``None``.
    responded
        Boolean array: who counts as a respondent in the analysis (answered
        the survey). ``response_known`` is False when the data have no
        response at all (no ``responded`` column): then everyone counts as a
        respondent.
    response_unknown
        Boolean array: whose response is not recorded (a blank
        ``responded`` cell; everyone when ``response_known`` is False). With
        ``response_known``, these people are *not* counted as respondents
        (``responded`` is False for them) but are written back as blank,
        never as "no". Together the two arrays are the tri-state response:
        answered (``responded``), did not (neither), unknown.
    attributes
        Further roster columns, name → one string per person.
    relations
        The study's relations (networks), in order.
    relation_attributes
        Further columns of ``relations.csv``, name → one string per relation.
    ties
        All ties, see :class:`Ties` (its ``attributes`` are the further
        columns of ``ties.csv``).
    waves
        Survey wave labels in chronological order; empty for a single survey.
    not_on_list
        Survey answers naming someone not on the roster, set aside (see
        :class:`Unlisted`).
    nodes
        What the rows are called in findings and printouts: people, or
        organisations for a study rolled up to its organisations.
    """

    name: str
    ids: list[str]
    names: list[str]
    organisations: list[str]
    sectors: list[str]
    layers: list[str | None]
    relations: list[Relation]
    ties: Ties
    responded: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    response_known: bool = False
    attributes: dict[str, list[str]] = field(default_factory=dict)
    waves: list[str] = field(default_factory=list)
    source: str | None = None  # where it was read from, for messages
    response_unknown: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    relation_attributes: dict[str, list[str]] = field(default_factory=dict)
    not_on_list: list[Unlisted] = field(default_factory=list)
    nodes: Nouns = PEOPLE

    def __post_init__(self) -> None:
        n = len(self.ids)
        for label, column in (
            ("names", self.names),
            ("organisations", self.organisations),
            ("sectors", self.sectors),
            ("layers", self.layers),
        ):
            if len(column) != n:
                raise ConfigError(
                    f"Study column '{label}' has {len(column)} entries for {n} people"
                )
        if self.responded.shape[0] == 0 and n:
            self.responded = np.ones(n, bool)
        if self.response_unknown.shape[0] == 0 and n:
            self.response_unknown = np.full(n, not self.response_known, bool)
        per_person: list[tuple[str, Sized]] = [
            ("responded", self.responded),
            ("response_unknown", self.response_unknown),
            *self.attributes.items(),
        ]
        for label, values in per_person:
            if len(values) != n:
                raise ConfigError(
                    f"Study column '{label}' has {len(values)} entries for {n} people"
                )
        if self.response_known:
            self.responded = self.responded & ~self.response_unknown
        for label, rvalues in self.relation_attributes.items():
            if len(rvalues) != len(self.relations):
                raise ConfigError(
                    f"relation column '{label}' has {len(rvalues)} entries for "
                    f"{len(self.relations)} relations"
                )
        self._index: dict[str, int] = {pid: i for i, pid in enumerate(self.ids)}
        self._relation_index: dict[str, int] = {r.name: i for i, r in enumerate(self.relations)}

    # -- people ---------------------------------------------------------
    @property
    def n_people(self) -> int:
        return len(self.ids)

    def index_of(self, person_id: str) -> int:
        """Roster position of ``person_id``; raises :class:`UnknownPerson`."""
        try:
            return self._index[person_id]
        except KeyError:
            from rapidfuzz import process

            close = process.extract(person_id, self.ids, limit=3, score_cutoff=60)
            raise UnknownPerson(person_id, [c[0] for c in close]) from None

    def find_person(self, text: str) -> str:
        """The id of the person ``text`` names: an id, else a name (case and spacing ignored).

        Raises :class:`UnknownPerson` (with close ids and names as suggestions) when
        nobody fits, :class:`~lisa.errors.AmbiguousPerson` when several people share
        the name.

        >>> from lisa.synth import generate
        >>> s = generate(60, seed=1)
        >>> s.find_person(s.names[3]) == s.ids[3] or s.names.count(s.names[3]) > 1
        True
        """
        if text in self._index:
            return text
        key = " ".join(text.split()).casefold()
        hits = [pid for pid, name in zip(self.ids, self.names, strict=True) if name and
                " ".join(name.split()).casefold() == key]  # fmt: skip
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise AmbiguousPerson(text, hits)
        from rapidfuzz import process

        close = process.extract(text, [*self.ids, *self.names], limit=3, score_cutoff=60)
        raise UnknownPerson(text, [c[0] for c in close])

    def members(self, grouping: str, group: str) -> list[str]:
        """The ids of everyone whose ``grouping`` (layer, sector, organisation or a roster
        column) is ``group``; raises :class:`~lisa.errors.UnknownGroup` when nobody is."""
        values = self.group_values(grouping)
        ids = [pid for pid, v in zip(self.ids, values, strict=True) if v == group]
        if not ids:
            from rapidfuzz import process

            known = sorted({v for v in values if v})
            close = process.extract(group, known, limit=3, score_cutoff=60)
            raise UnknownGroup(group, grouping, [c[0] for c in close])
        return ids

    def person(self, person_id: str) -> Person:
        i = self.index_of(person_id)
        return Person(
            id=self.ids[i],
            name=self.names[i],
            organisation=self.organisations[i],
            sector=self.sectors[i],
            layer=self.layers[i],  # type: ignore[arg-type]
            responded=self.response_of(i),
            attributes={k: v[i] for k, v in self.attributes.items()},
        )

    def response_of(self, i: int) -> bool | None:
        """Whether the person at roster position ``i`` answered; None when not recorded."""
        if not self.response_known or self.response_unknown[i]:
            return None
        return bool(self.responded[i])

    def people(self) -> Iterator[Person]:
        for pid in self.ids:
            yield self.person(pid)

    def group_values(self, attribute: str) -> list[str]:
        """One value per person for a grouping attribute.

        ``attribute`` is ``layer``, ``sector``, ``organisation`` or any roster
        attribute column. Missing values become ``""``.
        """
        if attribute == "layer":
            return [v or "" for v in self.layers]
        if attribute == "sector":
            return list(self.sectors)
        if attribute == "organisation":
            return list(self.organisations)
        if attribute in self.attributes:
            return list(self.attributes[attribute])
        raise ConfigError(
            f"grouping '{attribute}' is not a roster column; the study has: layer, sector, "
            f"organisation{''.join(', ' + a for a in self.attributes)}"
        )

    # -- relations ------------------------------------------------------
    @property
    def relation_names(self) -> list[str]:
        return [r.name for r in self.relations]

    def relation(self, name: str) -> Relation:
        try:
            return self.relations[self._relation_index[name]]
        except KeyError:
            raise UnknownRelation(name, self.relation_names) from None

    def relation_index(self, name: str) -> int:
        self.relation(name)
        return self._relation_index[name]

    # -- ties -----------------------------------------------------------
    def arcs(self, relation: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Directed arcs ``(source, target, weight)`` as roster indices.

        For one relation, or for all relations combined when ``relation`` is
        None. Undirected relations contribute both directions. Duplicate arcs
        are merged (the largest weight is kept) and self-ties are dropped, so
        the result is a simple directed graph's arc list.
        """
        t = self.ties
        if relation is not None:
            mask = t.relation == self.relation_index(relation)
            rels = [self.relation(relation)]
            src, tgt, w, rel = t.source[mask], t.target[mask], t.weight[mask], t.relation[mask]
        else:
            rels = self.relations
            src, tgt, w, rel = t.source, t.target, t.weight, t.relation
        undirected = [i for i, r in enumerate(self.relations) if not r.directed and r in rels]
        if undirected:
            back = np.isin(rel, np.array(undirected, dtype=rel.dtype))
            src, tgt = np.concatenate([src, tgt[back]]), np.concatenate([tgt, src[back]])
            w = np.concatenate([w, w[back]])
        keep = src != tgt
        src, tgt, w = src[keep], tgt[keep], w[keep]
        if src.size == 0:
            return src.astype(np.int32), tgt.astype(np.int32), w.astype(np.float64)
        n = max(self.n_people, 1)
        key = src.astype(np.int64) * n + tgt.astype(np.int64)
        order = np.lexsort((-w, key))
        key, w = key[order], w[order]
        first = np.ones(key.shape[0], bool)
        first[1:] = key[1:] != key[:-1]
        key, w = key[first], w[first]
        return (key // n).astype(np.int32), (key % n).astype(np.int32), w.astype(np.float64)

    def iter_ties(self) -> Iterator[Tie]:
        t = self.ties
        for i in range(len(t)):
            wave = int(t.wave[i])
            yield Tie(
                self.ids[int(t.source[i])],
                self.ids[int(t.target[i])],
                self.relations[int(t.relation[i])].name,
                float(t.weight[i]),
                self.waves[wave] if wave >= 0 else None,
            )

    # -- derived studies -----------------------------------------------
    def for_wave(self, wave: str | None) -> Study:
        """The study restricted to one wave's ties (``None``: the latest wave).

        A study without waves is returned unchanged.
        """
        if not self.waves:
            return self
        label = self.waves[-1] if wave is None else wave
        if label not in self.waves:
            raise ConfigError(
                f"no wave '{label}' in this study; it has waves: {', '.join(self.waves)}"
            )
        mask = self.ties.wave == self.waves.index(label)
        ties = self.ties.select(mask)
        ties = replace(ties, wave=np.zeros(len(ties), np.int16))  # index into the one wave left
        selected = _replace(self, ties=ties, waves=[label], name=self.name)
        present = self.present_in(label)
        if present is None:
            return selected
        if not present.all():
            selected = selected.without_people([self.ids[i] for i in np.flatnonzero(~present)])
        column = {WAVES_COLUMN: [label] * selected.n_people}  # everyone left is in this wave
        return _replace(selected, attributes={**selected.attributes, **column})

    def present_in(self, wave: str) -> np.ndarray | None:
        """Who is on the roster of ``wave`` by the :data:`WAVES_COLUMN` column; None without it.

        A blank cell means every wave; a wave no cell names (one imported after
        the column was written) has everyone. Raises :class:`ConfigError` when
        the column names a wave the study does not have.
        """
        column = self.attributes.get(WAVES_COLUMN)
        if column is None:
            return None
        cells = wave_cells(column)
        known = set(self.waves)
        for i, labels in enumerate(cells):
            unknown = [w for w in labels if w not in known]
            if unknown:
                raise ConfigError(
                    f"the roster's '{WAVES_COLUMN}' column names the wave '{unknown[0]}' for "
                    f"'{self.ids[i]}', which is not one of the study's waves "
                    f"({', '.join(self.waves) or 'none'})"
                )
        return present_in_wave(cells, wave)

    def outside_place(self) -> np.ndarray | None:
        """Who the roster's :data:`OUTSIDE_COLUMN` column marks as outside the place.

        None without the column (header matched ignoring case); a blank or
        unreadable cell counts as in the place (the readers report unreadable
        ones as ``bad-value``).
        """
        from lisa.io.validate import parse_bool

        key = next((k for k in self.attributes if k.strip().casefold() == OUTSIDE_COLUMN), None)
        if key is None:
            return None
        return np.array([parse_bool(v) is True for v in self.attributes[key]], bool)

    def without_people(self, person_ids: Sequence[str]) -> Study:
        """A copy with these people, all their ties and their set-aside answers removed.

        The building block of deletion on request (:func:`lisa.io.delete.remove_person`
        also blanks other values that name the person).
        """
        drop = {self.index_of(pid) for pid in person_ids}
        dropped_ids = {self.ids[i] for i in drop}
        keep = np.array([i not in drop for i in range(self.n_people)], bool)
        new_index = np.cumsum(keep) - 1
        tie_keep = keep[self.ties.source] & keep[self.ties.target]
        t = self.ties.select(tie_keep)
        t = replace(
            t,
            source=new_index[t.source].astype(np.int32),
            target=new_index[t.target].astype(np.int32),
        )
        idx = np.flatnonzero(keep)
        return replace(
            self,
            ids=[self.ids[i] for i in idx],
            names=[self.names[i] for i in idx],
            organisations=[self.organisations[i] for i in idx],
            sectors=[self.sectors[i] for i in idx],
            layers=[self.layers[i] for i in idx],
            relations=list(self.relations),
            ties=t,
            responded=self.responded[keep],
            response_unknown=self.response_unknown[keep],
            attributes={k: [v[i] for i in idx] for k, v in self.attributes.items()},
            waves=list(self.waves),
            not_on_list=[u for u in self.not_on_list if u.respondent not in dropped_ids],
        )

    def with_person(self, person: Person) -> Study:
        """A copy with ``person`` added at the end of the roster (no ties yet).

        Raises :class:`~lisa.errors.ConfigError` when the id is already taken.
        Roster columns the person does not give are blank; their response is
        not recorded.
        """
        if person.id in self._index:
            raise ConfigError(f"there is already a person with id '{person.id}' in this study")
        answered = person.responded
        return replace(
            self,
            ids=[*self.ids, person.id],
            names=[*self.names, person.name],
            organisations=[*self.organisations, person.organisation],
            sectors=[*self.sectors, person.sector],
            layers=[*self.layers, person.layer],
            responded=np.append(self.responded, bool(answered) or not self.response_known),
            response_unknown=np.append(self.response_unknown, answered is None),
            attributes={k: [*v, person.attributes.get(k, "")] for k, v in self.attributes.items()},
            relations=list(self.relations),
            waves=list(self.waves),
        )

    def with_ties(
        self, pairs: Sequence[tuple[str, str]], relation: str, *, weight: float = 1.0
    ) -> Study:
        """A copy with the tie ``a → b`` added in ``relation`` for each ``(a, b)`` in ``pairs``.

        Ids must be on the roster (:class:`UnknownPerson`) and the relation defined
        (:class:`UnknownRelation`). In a study with waves the ties go into the
        latest wave. Extra tie columns are blank for the new ties.
        """
        r = self.relation_index(relation)
        src = np.array([self.index_of(a) for a, _ in pairs], np.int32)
        tgt = np.array([self.index_of(b) for _, b in pairs], np.int32)
        k = len(pairs)
        added = Ties(
            src,
            tgt,
            np.full(k, r, np.int16),
            np.full(k, weight, np.float64),
            np.full(k, len(self.waves) - 1 if self.waves else -1, np.int16),
        )
        return replace(self, ties=self.ties.concat(added), relations=list(self.relations))

    def with_organisations(self, rename: dict[str, str]) -> Study:
        """A copy in which every organisation ``old`` in ``rename`` is called ``rename[old]``."""
        return replace(
            self,
            organisations=[rename.get(o, o) for o in self.organisations],
            relations=list(self.relations),
        )

    def summary(self) -> dict[str, object]:
        return {
            "name": self.name,
            "people": self.n_people,
            "relations": self.relation_names,
            "ties": len(self.ties),
            "waves": list(self.waves),
            "response_known": self.response_known,
        }


def _replace(study: Study, **changes: object) -> Study:
    return replace(study, **changes)  # type: ignore[arg-type]
