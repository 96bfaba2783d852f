"""The order of survey waves: one documented rule, and an error where it cannot decide.

A study surveyed more than once labels each tie with its wave. lisa puts the
waves in time order (``lisa analyse`` picks the latest by default), reading
the labels like this:

1. **Numbers.** When every label is a number — ``1``, ``2.5``, or a number
   after a word such as ``wave 2``, ``round 3``, ``w4``, ``t1`` — they are
   ordered by that number.
2. **Dates.** When every label begins with a year (or ends with one) they are
   ordered by year first, then within the year by the period the label
   names: a month or ISO date (``2023-05``, ``2023-05-01``), a quarter
   (``2024-q1`` … ``q4``: months 1, 4, 7, 10), a half (``h1``, ``h2``: 1, 7),
   a season (``spring`` 3, ``summer`` 6, ``autumn``/``fall`` 9, ``winter``
   12 — the winter at the *end* of that year) or a month name
   (``2023-may``, ``May 2023``). Labels of different years need nothing
   more (``2022-23`` comes before ``2023-24``).
3. **Otherwise lisa does not guess.** Two labels it cannot place relative to
   each other are the error ``unorderable-waves``, naming them: words
   (``baseline`` and ``followup``), a word among dates (``2023`` and
   ``pilot``), a bare year beside a period of the same year (``2023`` and
   ``2023-autumn``), two labels for the same point (``2023-q1`` and
   ``2023-01``, ``1`` and ``wave 1``). Rename them by the rule above.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

#: The month each named period of a year starts in.
PERIODS: dict[str, int] = {
    "q1": 1, "q2": 4, "q3": 7, "q4": 10,
    "h1": 1, "h2": 7,
    "spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
#: A label whose period is not one of those (``2023-pilot``): orderable against other years only.
UNKNOWN = -1

_NUMBER = re.compile(
    r"(?:(?:wave|round|sweep|survey|time|phase|w|t)\s*[-_#.:]?\s*)?([+-]?\d+(?:\.\d+)?)"
)
_SEP = r"[-/._ ]?"
_ISO = re.compile(r"(\d{4})[-/._ ](\d{1,2})(?:[-/._ ](\d{1,2}))?")
_PERIOD = "|".join(sorted(PERIODS, key=len, reverse=True))
_YEAR_PERIOD = re.compile(rf"(\d{{4}}){_SEP}({_PERIOD})")
_PERIOD_YEAR = re.compile(rf"({_PERIOD}){_SEP}(\d{{4}})")
_YEAR_ANY = re.compile(r"(\d{4})(?:\D.*)?")

DateKey = tuple[int, int | None, int | None]  # year, month (or UNKNOWN), day


@dataclass(frozen=True)
class WaveOrder:
    """The waves in time order, or None with the reason they cannot be ordered."""

    order: list[str] | None
    reason: str = ""


def as_number(label: str) -> float | None:
    """The number a wave label stands for (``"wave 2"`` → 2.0), or None."""
    m = _NUMBER.fullmatch(label.strip().lower())
    return float(m.group(1)) if m else None


def _year(text: str) -> int | None:
    year = int(text)
    return year if 1900 <= year <= 2199 else None


def as_date(label: str) -> DateKey | None:
    """``(year, month, day)`` of a dated wave label (missing parts None), or None."""
    s = label.strip().lower()
    if re.fullmatch(r"\d{4}", s):
        year = _year(s)
        return (year, None, None) if year else None
    m = _ISO.fullmatch(s)
    if m and (year := _year(m.group(1))):
        month, day = int(m.group(2)), int(m.group(3)) if m.group(3) else None
        try:
            dt.date(year, month, day or 1)
            return (year, month, day)
        except ValueError:
            return (year, UNKNOWN, None)
    for pattern, y, p in ((_YEAR_PERIOD, 1, 2), (_PERIOD_YEAR, 2, 1)):
        m = pattern.fullmatch(s)
        if m and (year := _year(m.group(y))):
            return (year, PERIODS[m.group(p)], None)
    m = _YEAR_ANY.fullmatch(s)
    if m and (year := _year(m.group(1))):
        return (year, UNKNOWN, None)
    return None


def _names(labels: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(f"'{w}'" for w in labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def _same_point(keys: dict[str, DateKey]) -> list[str] | None:
    """Labels of one year that cannot be told apart in time, or None when all can."""
    if len(keys) < 2:
        return None
    vague = [w for w, (_, month, _) in keys.items() if month is None or month == UNKNOWN]
    if vague:
        return vague + [w for w in keys if w not in vague][:1]
    by_month: dict[int | None, list[str]] = defaultdict(list)
    for w, (_, month, _) in keys.items():
        by_month[month].append(w)
    for same in by_month.values():
        days = [keys[w][2] for w in same]
        if len(same) > 1 and (None in days or len(set(days)) < len(days)):
            return same
    return None


def _order_dates(keys: dict[str, DateKey]) -> WaveOrder:
    by_year: dict[int, dict[str, DateKey]] = defaultdict(dict)
    for w, key in keys.items():
        by_year[key[0]][w] = key
    for year, group in sorted(by_year.items()):
        clash = _same_point(group)
        if clash:
            return WaveOrder(
                None,
                f"the waves {_names(clash)} are all in {year} and their labels do not say which "
                "came first; label each with its month or period (2023-05, 2023-spring, 2023-q2)",
            )
    order = sorted(keys, key=lambda w: (keys[w][0], keys[w][1] or 0, keys[w][2] or 0))
    return WaveOrder(order)


def order_waves(labels: Sequence[str]) -> WaveOrder:
    """Put wave labels in time order by the module's rule, or say why they cannot be.

    Parameters
    ----------
    labels
        The distinct wave labels, in any order.

    Returns
    -------
    WaveOrder
        ``order`` is the labels earliest first; None when the labels cannot
        be ordered, with ``reason`` naming the labels at fault.

    Examples
    --------
    >>> order_waves(["2024-spring", "2023-autumn", "2024-q3"]).order
    ['2023-autumn', '2024-spring', '2024-q3']
    >>> order_waves(["baseline", "followup"]).order is None
    True
    """
    labels = list(dict.fromkeys(labels))
    if len(labels) < 2:
        return WaveOrder(labels)
    numbers = {w: as_number(w) for w in labels}
    if all(v is not None for v in numbers.values()):
        seen: dict[float | None, str] = {}
        for w, v in numbers.items():
            if v in seen:
                return WaveOrder(None, f"the waves '{seen[v]}' and '{w}' are the same number")
            seen[v] = w
        return WaveOrder(sorted(labels, key=lambda w: numbers[w] or 0.0))
    dates = {w: as_date(w) for w in labels}
    if all(v is not None for v in dates.values()):
        return _order_dates({w: v for w, v in dates.items() if v is not None})
    odd = [w for w in labels if dates[w] is None and numbers[w] is None]
    odd = odd or [w for w in labels if dates[w] is None]  # numbers among dates
    dated = [w for w in labels if w not in odd]
    among = f" among {_names(dated, 3)}" if dated else ""
    return WaveOrder(
        None,
        f"lisa cannot tell the order of the waves {_names(odd)}{among}: it orders waves by number "
        "(1, 2, wave 3) or by date (2023, 2023-05, 2023-spring, 2024-q1), never by guessing; "
        "rename them so",
    )
