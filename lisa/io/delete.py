"""Deleting a person on request: from the study and from everything that names them.

:func:`remove_person` (pure) takes a person out of a study: their roster row,
every tie they gave or received, every set-aside "not on the list" answer they
gave or that names them, and every value of a free column (``people.csv``,
``ties.csv``, ``relations.csv``) that names them — a cell equal to their name
or id after :func:`~lisa.text.name_key` normalisation (a ``manager``
column, say), or holding their full name as whole words when it has two words
or more ("via Ann Lee") — which is blanked. A namesake's references go too:
lisa cannot tell which of two "Ann Lee"s a cell meant. :func:`delete_person` does it to a study
folder: load, remove, validate, write (the folder is replaced as a whole), and
appends a line to the folder's ``audit.log`` holding only counts and a random
event id — never the person's name or id. See ``docs/privacy.md``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from lisa.study import Study
from lisa.text import name_key


@dataclass(frozen=True)
class Removal:
    """What a deletion removed (counts only: nothing that identifies the person)."""

    people: int
    ties: int
    attribute_values: int
    not_on_list: int
    event: str | None = None  # the audit event id, once written

    def counts(self) -> dict[str, int]:
        """The four counts, for messages and the audit line."""
        return {k: v for k, v in asdict(self).items() if k != "event"}


class _Naming:
    """Whether a text names the person: equal to their name or id, or holding their
    full name of two or more words as whole words ("via Ann Lee"), after
    :func:`~lisa.text.name_key` normalisation."""

    def __init__(self, study: Study, i: int):
        self.keys = {name_key(t) for t in (study.ids[i], study.names[i]) if name_key(t)}
        full = name_key(study.names[i])
        self.inside = re.compile(rf"(?<!\w){re.escape(full)}(?!\w)") if " " in full else None

    def __call__(self, text: str) -> bool:
        key = name_key(text)
        if not key:
            return False
        return key in self.keys or bool(self.inside and self.inside.search(key))

    def blank(self, values: list[str], skip: int | None = None) -> tuple[list[str], int]:
        """The values with those naming the person blanked, and how many were."""
        out = ["" if j != skip and self(v) else v for j, v in enumerate(values)]
        return out, sum(1 for a, b in zip(values, out, strict=True) if a != b)


def remove_person(study: Study, person_id: str) -> tuple[Study, Removal]:
    """The study without this person and without anything that names them; pure.

    Parameters
    ----------
    study
        The study.
    person_id
        The person's roster id.

    Returns
    -------
    (Study, Removal)
        The new study and what was removed.

    Raises
    ------
    UnknownPerson
        When ``person_id`` is not on the roster (with the closest ids).

    Examples
    --------
    >>> from lisa.io import study_from_records
    >>> s = study_from_records(
    ...     [{"id": "a", "name": "Ann"}, {"id": "b", "name": "Bob", "manager": "Ann"},
    ...      {"id": "c", "name": "Cat"}],
    ...     [{"source": "a", "target": "b", "relation": "work"},
    ...      {"source": "b", "target": "c", "relation": "work"}])
    >>> smaller, removed = remove_person(s, "a")
    >>> smaller.ids, smaller.attributes["manager"], removed.counts()
    (['b', 'c'], ['', ''], {'people': 1, 'ties': 1, 'attribute_values': 1, 'not_on_list': 0})
    """
    i = study.index_of(person_id)
    naming = _Naming(study, i)
    blanked = 0
    attributes = {}
    for column, values in study.attributes.items():
        attributes[column], count = naming.blank(values, skip=i)
        blanked += count
    relation_attributes = {}
    for column, values in study.relation_attributes.items():
        relation_attributes[column], count = naming.blank(values)
        blanked += count
    t = study.ties
    touching = (t.source == i) | (t.target == i)
    tie_attributes = {}
    for column, cells in t.attributes.items():
        kept, count = naming.blank(cells[~touching].tolist())
        cells = cells.copy()
        cells[~touching] = np.array(kept, dtype=object)
        tie_attributes[column] = cells
        blanked += count
    unlisted = [u for u in study.not_on_list if u.respondent != study.ids[i] and not naming(u.text)]
    cleaned = replace(
        study,
        attributes=attributes,
        relation_attributes=relation_attributes,
        ties=replace(t, attributes=tie_attributes),
        not_on_list=unlisted,
    )
    removal = Removal(
        people=1,
        ties=int(touching.sum()),
        attribute_values=blanked,
        not_on_list=len(study.not_on_list) - len(unlisted),
    )
    return cleaned.without_people([study.ids[i]]), removal


def delete_person(path: str | Path, person_id: str, *, dry_run: bool = False) -> Removal:
    """Delete a person from a study folder on request (see the module docs).

    The study is checked before it is written, and the folder is replaced as a
    whole, with one audit line (counts and a random event id, no name or id).
    An unknown id changes nothing. A deletion that leaves no ties is written
    all the same (the study loads again once ties are added).

    Parameters
    ----------
    path
        The study folder.
    person_id
        The person's roster id.
    dry_run
        Only count what would be removed; write nothing.

    Returns
    -------
    Removal
        What was (or would be) removed, with the audit event id when written.

    Raises
    ------
    UnknownPerson
        When the id is not on the roster (with the closest ids); nothing is written.
    OutputError
        When the study is a workbook, or the folder cannot be written.
    """
    from lisa.io.folder import update_study

    removal: Removal | None = None

    def change(study: Study) -> tuple[Study, dict[str, int]] | None:
        nonlocal removal
        smaller, removal = remove_person(study, person_id)
        return None if dry_run else (smaller, removal.counts())

    event = update_study(path, "delete-person", change, allow_empty=True)
    assert removal is not None
    return removal if event is None else replace(removal, event=str(event["event"]))
