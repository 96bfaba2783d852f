"""Re-draw docs/images/reach-curves.svg: the report's reach-curve chart on the demo place.

    .venv/bin/python scripts/reach_curves_svg.py

The demo place (300 people, seed 7), default diffusion settings: the chart the
report's "How an idea would spread" section shows.
"""

from __future__ import annotations

from pathlib import Path

from lisa import analyse, generate
from lisa.files import atomic_write_text
from lisa.report import build_report
from lisa.scenarios import DiffusionConfig, simulate

OUT = Path(__file__).resolve().parent.parent / "docs" / "images" / "reach-curves.svg"


def main() -> None:
    result = analyse(generate(300, seed=7, preset="appendix-c", name="Demo place"))
    spread = simulate(result.study, DiffusionConfig(), analysis=result)
    view = build_report(result, diffusion=spread).diffusion
    assert view is not None
    svg = view.figure.chart.svg.replace('class="chart"', 'class="chart" style="background:#fff"', 1)
    atomic_write_text(OUT, svg)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
