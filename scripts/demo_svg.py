"""Re-draw docs/images/demo.svg: the terminal output of `lisa demo` as an SVG picture.

    .venv/bin/python scripts/demo_svg.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from typer.testing import CliRunner

from lisa.cli import _app
from lisa.cli import app

OUT = Path(__file__).resolve().parent.parent / "docs" / "images" / "demo.svg"


def main() -> None:
    _app.console.record = True
    _app.console.width = 110
    _app.console.force_terminal = True
    with tempfile.TemporaryDirectory() as tmp:
        result = CliRunner().invoke(app, ["demo", "--quiet", "--out", str(Path(tmp) / "lisa-demo")])
        assert result.exit_code == 0, result.output
    OUT.parent.mkdir(parents=True, exist_ok=True)
    _app.console.save_svg(str(OUT), title="lisa demo")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
