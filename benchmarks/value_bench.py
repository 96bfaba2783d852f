"""The value ledger at its bounds: read and add up the largest ledger lisa accepts.

``python benchmarks/value_bench.py`` writes a ledger with 5,000 inputs, 5,000
outcomes lasting up to 200 years and 500 assumptions (the limits of
``lisa/value/readers.py``) as YAML and as a CSV folder, and times reading each
and :func:`lisa.value.value_of` (sensitivity included). A measurement, not a test.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from lisa.value import read_ledger, value_of
from lisa.value.readers import MAX_ASSUMPTIONS, MAX_ROWS


def write(folder: Path) -> None:
    (folder / "about.csv").write_text("key,value\ninnovation,Big\n")
    (folder / "inputs.csv").write_text(
        "id,cost,year\n" + "".join(f"i{k},{100 + k},{k % 10}\n" for k in range(MAX_ROWS))
    )
    (folder / "outcomes.csv").write_text(
        "id,quantity,proxy,deadweight,displacement,attribution,duration,drop_off\n"
        + "".join(f"o{k},{k % 50},{10 + k % 7},0.2,0.1,0.3,{1 + k % 200},0.05\n" for k in range(MAX_ROWS))
    )
    fields = ("quantity", "deadweight", "duration", "proxy")
    rows = []
    for k in range(MAX_ASSUMPTIONS - 1):
        name = fields[k % 4]
        low, high = {"quantity": (0, 60), "deadweight": (0.1, 0.5), "duration": (1, 200), "proxy": (0, 20)}[name]
        rows.append(f"o{k}.{name},{low},{high}\n")
    rows.append("discount_rate,0.015,0.05\n")
    (folder / "assumptions.csv").write_text("target,low,high\n" + "".join(rows))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ledger"
        folder.mkdir()
        write(folder)
        start = time.perf_counter()
        ledger = read_ledger(folder)
        read = time.perf_counter() - start
        start = time.perf_counter()
        result = value_of(ledger)
        compute = time.perf_counter() - start
    print(f"read a {len(ledger.inputs):,}-input, {len(ledger.outcomes):,}-outcome, "
          f"{len(ledger.assumptions)}-assumption CSV ledger: {read:.2f} s")  # fmt: skip
    print(f"value_of (years, outcomes, {len(result.sensitivity.rows)} sensitivity rows): {compute:.2f} s")


if __name__ == "__main__":
    main()
