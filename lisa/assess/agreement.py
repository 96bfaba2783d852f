"""Agreement between independent fillings of the instrument: Cohen's kappa.

Two evaluators fill the instrument for the same cases from the seed texts
alone. For each item, the units are the cases both answered: kappa says how
far the two agree beyond what their own answer frequencies would give by
chance (1 perfect, 0 chance level, below 0 worse than chance).

* :func:`cohen_kappa` - unweighted, for any categories (factor roles,
  extents); with ``weights="linear"`` the weighted kappa for ordinal scales
  (agree5: answers one point apart agree three-quarters).
* :func:`item_agreement` - per item, over pairs of fillings (one pair per
  case): the number of cases, the share agreeing exactly, kappa, and for
  agree5 items the linearly weighted kappa.

>>> round(cohen_kappa(["y"] * 20 + ["y"] * 5 + ["n"] * 10 + ["n"] * 15,
...                   ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15), 3)
0.4
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Literal

from lisa.assess.answers import AnswerSet
from lisa.assess.items import ItemBank
from lisa.errors import LisaError


class AgreementError(LisaError):
    """Ratings that cannot be compared (different lengths, no units, unknown weights)."""


def _weight(a: Hashable, b: Hashable, order: Sequence[Hashable], weights: str | None) -> float:
    if weights is None:
        return 1.0 if a == b else 0.0
    span = len(order) - 1
    return 1.0 - abs(order.index(a) - order.index(b)) / span if span else 1.0


def cohen_kappa(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    categories: Sequence[Hashable] | None = None,
    weights: Literal["linear"] | None = None,
) -> float | None:
    """Cohen's kappa between two raters' ratings of the same units.

    Parameters
    ----------
    a, b
        The two raters' ratings, unit by unit.
    categories
        The scale in order (needed for ``weights``; default: the categories
        seen, sorted).
    weights
        ``None`` (unweighted) or ``"linear"``: agreement weight
        ``1 - |i - j| / (k - 1)`` for categories ``i`` and ``j`` of ``k``.

    Returns
    -------
    float or None
        Kappa; ``None`` when chance agreement is already 1 (both raters gave
        one and the same category to every unit: kappa is undefined).

    Raises
    ------
    AgreementError
        For ratings of different lengths, no units, or unknown weights.

    Examples
    --------
    >>> cohen_kappa([1, 2, 3, 4], [1, 2, 3, 4])
    1.0
    >>> round(cohen_kappa([1, 2, 3], [2, 3, 3], categories=[1, 2, 3], weights="linear"), 3)
    0.25
    """
    if len(a) != len(b) or not a:
        raise AgreementError(f"kappa needs two equally long, non-empty ratings ({len(a)} and {len(b)})")
    if weights not in (None, "linear"):
        raise AgreementError(f"unknown kappa weights '{weights}' (none or 'linear')")
    order = list(categories) if categories is not None else sorted(set(a) | set(b), key=str)
    unknown = (set(a) | set(b)) - set(order)
    if unknown:
        raise AgreementError(f"ratings outside the categories: {sorted(map(str, unknown))}")
    n = len(a)
    observed = sum(_weight(x, y, order, weights) for x, y in zip(a, b, strict=True)) / n
    pa, pb = Counter(a), Counter(b)
    expected = sum(
        _weight(i, j, order, weights) * pa[i] * pb[j] / (n * n) for i in order for j in order
    )
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


@dataclass(frozen=True)
class ItemAgreement:
    """How two sets of fillings agree on one item, over the cases both answered."""

    item: str
    cases: int
    exact: float | None
    kappa: float | None
    weighted_kappa: float | None


def item_agreement(
    pairs: Sequence[tuple[AnswerSet, AnswerSet]], bank: ItemBank
) -> list[ItemAgreement]:
    """Per item of the bank (agree5 and choice items), the agreement of paired fillings.

    Parameters
    ----------
    pairs
        One pair of fillings per case: (evaluator A's, evaluator B's).
    bank
        The item bank whose items are compared.

    Returns
    -------
    list of ItemAgreement
        In item bank order; an item no pair answered twice has ``cases`` 0
        and no kappa.
    """
    out = []
    for item in bank:
        if item.scale.name not in ("agree5",) and (not item.scale.choices or item.scale.multiple):
            continue
        both = [
            (x.answers[item.id], y.answers[item.id])
            for x, y in pairs
            if item.id in x.answers and item.id in y.answers
        ]
        if not both:
            out.append(ItemAgreement(item.id, 0, None, None, None))
            continue
        a, b = [p[0] for p in both], [p[1] for p in both]
        if item.scale.name == "agree5":
            lo, hi = item.scale.min or 1, item.scale.max or 5
            order: list[Hashable] = list(range(lo, hi + 1))
            a, b = [round(v) for v in a], [round(v) for v in b]  # a median of .5 rounds to even
            weighted = cohen_kappa(a, b, order, weights="linear")
        else:
            order, weighted = list(item.scale.choices), None
        exact = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
        out.append(ItemAgreement(item.id, len(a), exact, cohen_kappa(a, b, order), weighted))
    return out


def _num(value: float | None) -> str:
    return "none" if value is None else f"{value:.2f}"


def _fillings(
    folder: Path, evaluators: tuple[str, str] | None
) -> dict[str, list[tuple[str, Path]]]:
    """The fillings in ``folder`` by case: (evaluator, path), of ``evaluators`` only when given."""
    from lisa.assess.placements import find_placement, read_placements

    placements = read_placements()
    by_case: dict[str, list[tuple[str, Path]]] = defaultdict(list)
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".yaml", ".yml", ".csv", ".xlsx") and "--" in path.stem:
            case_name, evaluator = path.stem.split("--", 1)
            case = find_placement(placements, case_name).key
            if evaluators is None or evaluator in evaluators:
                by_case[case].append((evaluator, path))
    return by_case


def agreement_table(folder: str | Path, evaluators: tuple[str, str] | None = None) -> str:
    """Markdown: per item, the agreement of the independent fillings in ``folder``.

    Files are named ``<case>--<evaluator>.<ext>``. Every two fillings of the
    same case are a pair; with ``evaluators`` (two names) only those two
    evaluators' fillings are read, so each case is one unit: kappa between
    two raters over the cases.

    Parameters
    ----------
    folder
        The folder of fillings.
    evaluators
        The two evaluators to compare (e.g. ``("A", "B")``); all fillings when left out.

    Returns
    -------
    str
        A line saying how many pairs and cases, then the per-item table.

    Raises
    ------
    UnknownPlacement
        For a file whose case is not in the placements.
    AssessmentInvalid
        For a filling with errors.
    """
    from lisa.assess.answers import read_answers
    from lisa.assess.instrument import Instrument

    instrument = Instrument.load()
    by_case: dict[str, list[AnswerSet]] = defaultdict(list)
    for case, fillings in _fillings(Path(folder), evaluators).items():
        order = sorted(fillings, key=lambda f: (evaluators or ()).index(f[0]) if evaluators else 0)
        for _, path in order:
            by_case[case].extend(read_answers(path, instrument))
    pairs = [pair for sets in by_case.values() for pair in combinations(sets, 2)]
    rows = [r for r in item_agreement(pairs, instrument.bank) if r.cases]
    lines = [
        f"{len(pairs)} pairs of fillings over {sum(len(v) > 1 for v in by_case.values())} cases.",
        "",
        "| item | cases | exact | kappa | weighted kappa |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| `{r.item}` | {r.cases} | {_num(r.exact)} | {_num(r.kappa)} | {_num(r.weighted_kappa)} |"
        for r in rows
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lisa.assess.agreement FOLDER [EVALUATOR EVALUATOR]``: print the table."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (1, 3) or not Path(args[0]).is_dir():
        print("usage: python -m lisa.assess.agreement FOLDER [EVALUATOR EVALUATOR]", file=sys.stderr)
        return 2
    evaluators = (args[1], args[2]) if len(args) == 3 else None
    try:
        print(agreement_table(args[0], evaluators))
    except LisaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
