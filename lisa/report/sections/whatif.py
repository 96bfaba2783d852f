"""What if: stored what-ifs and best new ties (``lisa whatif``, ``lisa best-ties``).

The section only presents :class:`~lisa.scenarios.WhatIf` and
:class:`~lisa.scenarios.BestTies` results computed elsewhere: per what-if the
changes in words, a before/after table, the findings that appear or disappear
and the role counts gained, lost and left; for the best ties each proposed tie
with why it is plausible and its gain. Every number and word comes from the
model. Neither model carries a fingerprint of the study or its name, so a
result is refused as "other data" when its seed, its before-counts of people
and ties, or any roster id it mentions do not match the report's analysis.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lisa.errors import ConfigError
from lisa.privacy import WITHHELD
from lisa.report.sections.common import label
from lisa.report.views import Table
from lisa.scenarios.whatif import number_text
from lisa.vocabulary import ROLES

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult
    from lisa.privacy import Pseudonymiser
    from lisa.scenarios import BestTies, WhatIf
    from lisa.scenarios.ties import ProposedTie
    from lisa.scenarios.whatif import Applied

#: The section's anchor and heading.
ANCHOR, HEADING = "whatif", "What if"
#: The objectives of best ties, in words.
OBJECTIVE_TEXT = {
    "connected-difference": "connected difference (mean sector diversity of contacts)",
    "core-risk": "reach between sectors once the stable core has left",
}


@dataclass
class WhatIfView:
    """One what-if, every number already worded."""

    changes: list[str]  # each change in words (people as the report shows them)
    table: Table  # before / after / change
    appear: list[str]  # titles of the findings that appear
    disappear: list[str]  # titles of the findings that disappear
    roles: Table  # per role: gained, lost, left with those removed, held by those added


@dataclass
class TieView:
    """One proposed tie."""

    a: str
    b: str
    why: str
    gain: str


@dataclass
class BestTiesView:
    """The proposed ties and, when computed, the what-if of adding them all."""

    lead: str
    ties: list[TieView]
    method: str
    what_if: WhatIfView | None


@dataclass
class WhatIfSection:
    """The whole section."""

    what_ifs: list[WhatIfView]
    best_ties: BestTiesView | None


# -- refusing other data ---------------------------------------------------------------


def _refuse(what: str, why: str) -> ConfigError:
    return ConfigError(
        f"the {what} was computed from other data than this analysis ({why}): run "
        f"'lisa {'whatif' if what == 'what-if' else what}' on the same study (and wave) and settings"
    )


def _check_ids(result: AnalysisResult, ids: Iterable[str], what: str) -> None:
    known = set(result.study.ids)
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise _refuse(what, f"{len(unknown)} people it names are not in this study")


def check_what_if(result: AnalysisResult, w: WhatIf, what: str = "what-if") -> None:
    """Raise :class:`~lisa.errors.ConfigError` unless ``w`` was computed from ``result``'s data.

    The model carries no fingerprint: the seed, the people and ties before the change
    and every roster id it names (people added by the what-if aside) must match.
    """
    if w.seed != result.config.seed:
        raise _refuse(what, f"seed {w.seed}, not {result.config.seed}")
    if w.people.before != result.combined.network.people or w.ties.before != result.study_summary.ties:
        raise _refuse(what, "the people or ties before the change differ")
    added = {p.id for p in w.joined}
    named = [p for c in w.changes for p in c.people if p not in added]
    _check_ids(result, [*named, *w.core.before, *(r.id for r in w.roles), *(p.id for p in w.left)], what)


# -- the words ---------------------------------------------------------------------------


def _table(w: WhatIf) -> Table:
    rows = [
        [name, number_text(m.before, share), number_text(m.after, share), number_text(m.change, share, True)]
        for name, m, share in w.measures()
    ]
    rows.append(["stable core overlap", "", f"{w.core.overlap:.2f}", ""])
    return Table(
        ["measure", "before", "after", "change"],
        rows,
        "Two-step reach: the mean share of the others a person reaches within two steps "
        "(combined network), its change in percentage points; largest part: the share of people "
        "in the largest component; stable core overlap: the people in the core both before and "
        "after, as a share of those in it either side.",
    )


def _role_table(w: WhatIf) -> Table:
    gained = Counter(r for c in w.roles for r in c.gained)
    lost = Counter(r for c in w.roles for r in c.lost)
    left = Counter(r for p in w.left for r in p.roles)
    joined = Counter(r for p in w.joined for r in p.roles)
    return Table(
        ["role", "gained", "lost", "left with those removed", "held by those added"],
        [[role, *(f"{c[role]}" for c in (gained, lost, left, joined))] for role in ROLES],
        "People counted per role; someone who was removed took their roles with them (left), "
        "which is not counted as lost.",
    )


def _withheld(pseudonymiser: Pseudonymiser) -> set[str]:
    s = pseudonymiser.study
    return {o for o, shown in zip(s.organisations, pseudonymiser.organisations, strict=True)
            if o and o != shown}  # fmt: skip


def _change_words(
    result: AnalysisResult, c: Applied, added: set[str], pseudonymiser: Pseudonymiser | None
) -> str:
    text = c.description
    if pseudonymiser is not None:
        for org in _withheld(pseudonymiser):
            text = text.replace(f"'{org}'", WITHHELD)
    if c.kind in ("remove-people", "add-ties"):
        who = [p for p in c.people if p not in added]
        shown = "; ".join(label(result, p, pseudonymiser) for p in who[:10])
        text += f": {shown}" + (f" and {len(who) - 10} more" if len(who) > 10 else "")
    return text


def what_if_view(
    result: AnalysisResult, w: WhatIf, pseudonymiser: Pseudonymiser | None
) -> WhatIfView:
    """One what-if as the report shows it (see :func:`check_what_if` for what is refused)."""
    check_what_if(result, w)
    added = {p.id for p in w.joined}
    return WhatIfView(
        changes=[_change_words(result, c, added, pseudonymiser) for c in w.changes],
        table=_table(w),
        appear=[f.title for f in w.findings if f.change == "appears"],
        disappear=[f.title for f in w.findings if f.change == "disappears"],
        roles=_role_table(w),
    )


def _why(t: ProposedTie) -> str:
    """Why a tie is plausible, from its fields only (no names): for a pseudonymised report."""
    why = []
    if t.shared_contacts:
        why.append(f"they share {t.shared_contacts} contact{'s' * (t.shared_contacts != 1)}")
    if t.same_organisation:
        why.append("they work in the same organisation")
    crosses = " and ".join(f"{c}s" for c in t.crosses)
    return f"Plausible because {' and '.join(why)}" + (
        f"; it crosses {crosses}." if crosses else "."
    )


def best_ties_view(
    result: AnalysisResult, b: BestTies, pseudonymiser: Pseudonymiser | None
) -> BestTiesView:
    """The proposed ties as the report shows them; other data is refused (ConfigError)."""
    _check_ids(result, [p for t in b.ties for p in (t.a, t.b, *t.examples)], "best-ties")
    start = result.combined.network.mean_contact_diversity.get("sector")
    if b.objective == "connected-difference" and (
        start is None or abs(start - b.objective_before) > 1e-9
    ):
        raise _refuse("best-ties", "its connected difference before any new tie differs")
    if b.what_if is not None:
        check_what_if(result, b.what_if, "best-ties")
    measure = OBJECTIVE_TEXT[b.objective]
    lead = (
        f"{len(b.ties)} new tie{'s' * (len(b.ties) != 1)} (of {b.k} asked for, among "
        f"{b.candidates:,} plausible pairs, at most {b.most_per_person} per person) would raise "
        f"{measure} from {b.objective_before:.4f} to {b.objective_after:.4f}."
    )
    ties = [
        TieView(
            a=label(result, t.a, pseudonymiser),
            b=label(result, t.b, pseudonymiser),
            why=t.explanation if pseudonymiser is None else _why(t),
            gain=f"{t.gain:+.4f} (to {t.objective_after:.4f})",
        )
        for t in b.ties
    ]
    return BestTiesView(
        lead=lead,
        ties=ties,
        method=b.method,
        what_if=None if b.what_if is None else what_if_view(result, b.what_if, pseudonymiser),
    )


def what_if_section(
    result: AnalysisResult,
    what_ifs: Sequence[WhatIf],
    best: BestTies | None,
    pseudonymiser: Pseudonymiser | None,
) -> WhatIfSection | None:
    """The section, or None when there is neither a what-if nor best ties.

    Parameters
    ----------
    result
        The report's analysis.
    what_ifs
        Stored or computed what-ifs of the same study and settings, in the order shown.
    best
        Proposed new ties of the same study, or None.
    pseudonymiser
        The run's pseudonymiser: people shown by role and group only, or None.

    Returns
    -------
    WhatIfSection or None
        Every number and word of the section, taken from the models.

    Raises
    ------
    ConfigError
        Any of them was computed from other data than the analysis (see :func:`check_what_if`).
    """
    if not what_ifs and best is None:
        return None
    return WhatIfSection(
        what_ifs=[what_if_view(result, w, pseudonymiser) for w in what_ifs],
        best_ties=None if best is None else best_ties_view(result, best, pseudonymiser),
    )
