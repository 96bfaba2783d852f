"""Pseudonymisation of people for analyses, exports and shared reports.

Survey data are personal data about named people. A pseudonymised run of lisa
(``--pseudonymise``) makes one :class:`Pseudonymiser` and hands it to every
writer, so every file of the run — the analysis JSON, the GraphML, GEXF and
CSV exports, the report and its map — uses the same pseudonyms and none holds
a roster id, a name or a free roster attribute:

* **Codes.** Each person gets a code like ``P0042``. Codes are assigned by a
  random permutation, so they do not follow the roster order, and never equal
  a roster id (another letter is used when the roster's ids look like codes).
* **Order.** People are listed — in tables, graph files, the analysis JSON
  and the map payload — in a second, independent random order (not the roster
  order and not the code order), and ties are listed in the order of their
  people, so a file's row order says nothing about the roster.
* **Randomness.** Both permutations come from NumPy's PCG64 generator seeded
  from the operating system's secure random source (:mod:`secrets`, 128 bits),
  split with :class:`numpy.random.SeedSequence`. A ``seed`` can be given for
  reproducible tests; anyone who knows it and holds the roster can recompute
  the codes, so never use a known seed for data you share.
* **Small cells.** Organisation, sector and layer stay (the analysis is about
  groups), but they can single a person out: where a combination of the three
  is held by fewer than ``min_cell`` people (default 5), the organisation is
  withheld and replaced by the sector. The run reports how many people were
  coarsened, and how many are still in a cell under ``min_cell``.
* **The key** (id → code) is never written unless asked for, and then only to
  a separate file (:meth:`Pseudonymiser.write_key`), never beside the release.

``docs/privacy.md`` says what this protects against and what it does not.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lisa.files import atomic_write_text
from lisa.study import Study

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult, Privacy

#: Roster fields that stay in a pseudonymised export (groups, not people).
KEPT_FIELDS = ("organisation", "sector", "layer")
#: Default small-cell threshold k: combinations held by fewer people are coarsened.
MIN_CELL = 5
#: What a withheld organisation reads as.
WITHHELD = "(organisation withheld)"


#: Letters a code may start with, in order of preference.
PREFIXES = ("P", "Q", "X", "Z", "PX", "QX")


def pseudonym_codes(ids: Sequence[str], rng: np.random.Generator) -> list[str]:
    """``P0001``-style codes for the people ``ids``, assigned in a random order.

    No code equals a roster id, even ignoring case: when the roster's own ids
    look like ``p0001``, the codes take the next letter of :data:`PREFIXES`.
    """
    n = len(ids)
    width = max(4, len(str(n)))
    taken = {i.casefold() for i in ids}
    prefix = next(
        (p for p in PREFIXES if not any(f"{p}{k:0{width}d}".casefold() in taken for k in range(1, n + 1))),
        "LISA-P",
    )
    codes = [""] * n
    for k, i in enumerate(rng.permutation(n).tolist()):
        codes[i] = f"{prefix}{k + 1:0{width}d}"
    return codes


def coarsen_organisations(
    organisations: Sequence[str], sectors: Sequence[str], layers: Sequence[str | None], min_cell: int
) -> tuple[list[str], int]:
    """Organisations with those in cells under ``min_cell`` replaced by their sector.

    Returns the coarsened organisations and how many people were coarsened.
    """
    cells = Counter(zip(organisations, sectors, layers, strict=True))
    out, coarsened = [], 0
    for org, sector, layer in zip(organisations, sectors, layers, strict=True):
        if org and cells[(org, sector, layer)] < min_cell:
            out.append(f"{sector} {WITHHELD}" if sector else WITHHELD)
            coarsened += 1
        else:
            out.append(org)
    return out, coarsened


class Pseudonymiser:
    """One pseudonymisation of one study, shared by every file a run writes.

    Parameters
    ----------
    study
        The study whose people are pseudonymised.
    min_cell
        Small-cell threshold k (organisation × sector × layer).
    seed
        Only for reproducible tests; by default the seed is secret and random.

    Examples
    --------
    >>> import lisa
    >>> study = lisa.generate(60, seed=1)
    >>> p = Pseudonymiser(study, seed=3)
    >>> sorted(p.codes)[:2]  # the roster's ids are p0001..., so the codes take Q
    ['Q0001', 'Q0002']
    >>> p.code(study.ids[0]) != "Q0001" and p.order.tolist() != list(range(60))
    True
    """

    def __init__(self, study: Study, *, min_cell: int = MIN_CELL, seed: int | None = None):
        if min_cell < 1:
            from lisa.errors import ConfigError

            raise ConfigError(f"the small-cell threshold must be at least 1, not {min_cell}")
        entropy = secrets.randbits(128) if seed is None else seed
        code_seed, order_seed = np.random.SeedSequence(entropy).spawn(2)
        self.study = study
        self.min_cell = min_cell
        self.codes = pseudonym_codes(study.ids, np.random.default_rng(code_seed))
        #: Roster indices in the order every output lists people.
        self.order: np.ndarray = np.random.default_rng(order_seed).permutation(study.n_people)
        #: Each person's position in that order.
        self.rank: np.ndarray = np.empty(study.n_people, np.int64)
        self.rank[self.order] = np.arange(study.n_people)
        self.mapping = dict(zip(study.ids, self.codes, strict=True))
        self.organisations, self.coarsened = coarsen_organisations(
            study.organisations, study.sectors, study.layers, min_cell
        )
        cells = Counter(zip(self.organisations, study.sectors, study.layers, strict=True))
        #: People still in a cell under ``min_cell`` after coarsening (sector × layer too small).
        self.still_small = sum(1 for c in cells.values() if c < min_cell for _ in range(c))

    @classmethod
    def of(cls, study: Study, pseudonymise: bool | Pseudonymiser) -> Pseudonymiser | None:
        """The run's own pseudonymiser, a fresh one for ``True``, or None for ``False``."""
        if isinstance(pseudonymise, Pseudonymiser):
            return pseudonymise
        return cls(study) if pseudonymise else None

    def code(self, person_id: str) -> str:
        return self.mapping[person_id]

    def label(self, i: int, roles: Sequence[str] = ()) -> str:
        """How a person appears in a pseudonymised report: role and groups, no identity."""
        s = self.study
        text = f"{', '.join(roles) or 'person'} · {s.sectors[i] or 'no sector'}"
        return text + (f" ({s.layers[i]})" if s.layers[i] else "")

    def privacy(self) -> Privacy:
        from lisa.analysis import Privacy

        return Privacy(pseudonymised=True, min_cell=self.min_cell, coarsened_people=self.coarsened)

    def result(self, result: AnalysisResult) -> AnalysisResult:
        """The analysis keyed by pseudonyms, people listed in this run's order."""
        ordered_ids = [self.study.ids[int(i)] for i in self.order]
        return result.pseudonymised(self.code, ordered_ids, self.privacy())

    def write_key(self, path: str | Path) -> Path:
        """Write the id → code key to ``path`` (keep it apart from the release)."""
        lines = ["id,pseudonym"] + [
            f"{pid},{code}" for pid, code in sorted(self.mapping.items(), key=lambda kv: kv[1])
        ]
        return atomic_write_text(path, "\n".join(lines) + "\n")
