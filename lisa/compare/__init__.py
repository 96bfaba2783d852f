"""Comparing places: indicators per place, percentiles among the others, benchmark packs.

- :mod:`.indicators` — the comparable numbers of one place, read from its analysis;
- :mod:`.standing` — percentiles (the mid-rank rule), the places most alike,
  high-networking against the others;
- :mod:`.pack` — benchmark packs: indicators without personal data, checked
  on write and on read;
- :mod:`.run` — ``lisa compare``: find the places, analyse them in parallel
  (:mod:`lisa.execution`), compare.

``docs/compare.md`` describes the method and the pack format.
"""

from lisa.compare.indicators import INDICATORS, PlaceIndicators, indicators_of
from lisa.compare.pack import BenchmarkPack, PackInvalid, make_pack, read_pack, write_pack
from lisa.compare.run import Comparison, compare
from lisa.compare.standing import PlaceComparison, Standing, compare_places, standing

__all__ = [
    "INDICATORS",
    "BenchmarkPack",
    "Comparison",
    "PackInvalid",
    "PlaceComparison",
    "PlaceIndicators",
    "Standing",
    "compare",
    "compare_places",
    "indicators_of",
    "make_pack",
    "read_pack",
    "standing",
    "write_pack",
]
