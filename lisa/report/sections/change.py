"""Change over time: what the wave comparison (:mod:`lisa.change`) found, laid out.

Present only when the study has more than one wave. Every number comes from
the :class:`~lisa.change.WaveComparison`; this module only words and charts
it. No person is named here (counts only), so the section reads the same in
a pseudonymised report.
"""

from __future__ import annotations

from dataclasses import dataclass

from lisa.change import FindingChange, WaveComparison, describe_trend
from lisa.report import charts
from lisa.report.views import Figure, Table
from lisa.vocabulary import ROLES

#: How each finding status reads in the report.
STATUS_TEXT: dict[str, str] = {
    "appeared": "new",
    "resolved": "gone",
    "worse": "worse",
    "better": "better",
    "unchanged": "unchanged",
}


@dataclass
class ChangeView:
    """The "change over time" section."""

    before: str
    after: str
    turnover: str  # who came and went, in one sentence
    ties: Figure  # kept, gained, lost per network
    stability: Figure  # Jaccard per network against the warning level, with QAP
    warnings: list[str]
    findings: Table  # the findings that changed
    unchanged: list[str]  # codes of the findings present in both waves, unchanged
    roles: Table
    connected_difference: Figure
    trend: str  # "did connected difference grow?", answered with its numbers


def _turnover(c: WaveComparison) -> str:
    t = c.turnover
    how = "the roster's waves column" if t.presence == "roster column" else "who had a tie in each wave"
    return (
        f"Wave {c.before} had {t.before:,} people and wave {c.after} {t.after:,}: {t.stayers:,} took "
        f"part in both, {len(t.joiners):,} joined and {len(t.leavers):,} left (read from {how}). "
        "Tie changes below count only the people in both waves."
    )


def _ties(c: WaveComparison) -> Figure:
    changes = [*c.relations.values(), c.combined]
    chart = charts.stacked_counts(
        [(ch.label, (ch.kept, ch.gained, ch.lost)) for ch in changes],
        title=f"Ties kept, gained and lost from {c.before} to {c.after}",
    )
    rows = [
        [ch.label, f"{ch.kept:,}", f"{ch.gained:,}", f"{ch.lost:,}", f"{ch.never:,}", f"{ch.hamming:,}"]
        for ch in changes
    ]
    return Figure(chart, ["network", "kept", "gained", "lost", "in neither", "Hamming"], rows)


def _p(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _stability(c: WaveComparison) -> Figure:
    changes = [*c.relations.values(), c.combined]
    level = float(c.settings["jaccard_min"])
    chart = charts.bars(
        [(ch.label, ch.jaccard) for ch in changes],
        title="Stability of each network (Jaccard index of the two waves)",
        fmt="num",
        vmax=1.0,
        marks={ch.label: "caution" for ch in changes if ch.low_jaccard or ch.more_lost_than_kept},
        reference=(level, f"{level:.2f}"),
    )
    rows = [
        [ch.label, charts.num(ch.jaccard, 2), charts.num(ch.qap.correlation, 2), _p(ch.qap.p_value)]
        for ch in changes
    ]
    permutations = c.combined.qap.permutations
    caption = (
        f"Below {level:.2f} (the dashed line) a network changed too much to be read as the same "
        f"network evolving. QAP: correlation of the two waves' ties, p from {permutations:,} "
        "random relabellings of the people."
    )
    return Figure(chart, ["network", "Jaccard", "QAP correlation", "QAP p"], rows, caption)


def _headline(f: FindingChange, side: str) -> str:
    h = f.headline_before if side == "before" else f.headline_after
    sev = f.severity_before if side == "before" else f.severity_after
    return "—" if h is None else f"{h.text} ({sev})"


def _findings(c: WaveComparison) -> tuple[Table, list[str]]:
    changed = c.changed_findings()
    rows = [
        [f.title, STATUS_TEXT[f.status], _headline(f, "before"), _headline(f, "after")]
        for f in changed
    ]
    table = Table(["finding", "change", c.before, c.after], rows)
    unchanged = [f.code for f in c.findings if f.status == "unchanged"]
    return table, unchanged


def _roles(c: WaveComparison) -> Table:
    rows = [
        [role, f"{c.roles[role].before:,}", f"{c.roles[role].after:,}",
         f"{len(c.roles[role].gained):,}", f"{len(c.roles[role].lost):,}"]
        for role in ROLES
    ]  # fmt: skip
    return Table(["role", c.before, c.after, "took it on", "gave it up"], rows, "Combined network.")


def _connected_difference(c: WaveComparison) -> Figure:
    cd = c.connected_difference
    chart = charts.paired_bars(
        [("sector diversity of contacts", cd.before or 0.0, cd.after or 0.0)],
        title="Connected difference in each wave",
        labels=(c.before, c.after),
    )
    d, s = cd.difference, cd.stayers_difference
    rows = [
        ["everyone with contacts", charts.num(d.estimate, 3), charts.num(d.low, 3), charts.num(d.high, 3)],
        [f"stayers ({cd.stayers_measured:,})", charts.num(s.estimate, 3), charts.num(s.low, 3),
         charts.num(s.high, 3)],
    ]  # fmt: skip
    caption = (
        f"{charts.pct(cd.confidence)} intervals from {cd.resamples:,} bootstrap resamples of the "
        "people; they treat people as independent, so they are on the narrow side."
    )
    return Figure(chart, ["change", "estimate", "low", "high"], rows, caption)


def change_over_time(c: WaveComparison) -> ChangeView:
    """The section's content from a wave comparison."""
    findings, unchanged = _findings(c)
    return ChangeView(
        before=c.before,
        after=c.after,
        turnover=_turnover(c),
        ties=_ties(c),
        stability=_stability(c),
        warnings=list(c.warnings),
        findings=findings,
        unchanged=unchanged,
        roles=_roles(c),
        connected_difference=_connected_difference(c),
        trend=describe_trend(c.connected_difference),
    )
