"""The value ledger and the pipeline in the locality report."""

from __future__ import annotations

import html
import re
from pathlib import Path

import lisa
from lisa.assess import assess_files
from lisa.report import build_report, render_html
from lisa.value import read_ledger, value_of

CASES = Path(lisa.__file__).parent / "cases" / "data" / "assessments"
DATA = Path(__file__).parent / "data" / "value"


def text_of(page: str) -> str:
    body = re.sub(r"<(script|style).*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_the_report_shows_value_created_with_its_evidence_beside_the_value_corner(
    demo_result, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    [assessment] = assess_files([CASES / "tower-hamlets.yaml"])
    ledger = (DATA / "worked.yaml").read_text("utf-8")
    ledger = ledger.replace("Youth employment hub", assessment.innovation).replace(
        "Testshire", assessment.place
    )
    (tmp_path / "l.yaml").write_text(ledger, "utf-8")
    result = value_of(read_ledger(tmp_path / "l.yaml"))
    model = build_report(demo_result, [assessment], values=[result])
    [view] = model.values
    assert "13,786 GBP" in view.headline and "1.15 : 1" in view.headline
    assert view.corner.startswith("Assessed value corner:") and "evidenced" in view.corner
    assert [row[0] for row in view.outcomes.rows] == ["into work", "feel more confident"]
    assert view.tornado is not None and view.tornado.rows[0][0] == "wellbeing.proxy"
    text = text_of(render_html(model))
    assert "Value created and the pipeline" in text and "What the ratio hinges on" in text
    assert "The pipeline of innovations: Tower Hamlets" in text
    assert "Nothing in design and discovery" in text
    assert "A guide to Social Return on Investment" in text  # the method is cited
    # the weakly evidenced one gets the recommendation; with a ledger, 'build' is not given
    titles = [r.title for r in model.recommendations]
    assert "Build an evidence base for the value created" not in titles


def test_a_mature_innovation_without_a_ledger_is_told_to_build_one(demo_result) -> None:  # type: ignore[no-untyped-def]
    [assessment] = assess_files([CASES / "tower-hamlets.yaml"])
    model = build_report(demo_result, [assessment])
    [rec] = [r for r in model.recommendations if r.title.startswith("Build an evidence base")]
    assert rec.ref == "002 §5.1; 005" and "Social Return on Investment" in rec.source
    assert model.values == [] and "No value ledger supplied" in text_of(render_html(model))


def test_lisa_report_takes_value_ledgers(demo_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from lisa.cli import app

    runner = CliRunner()
    bad = tmp_path / "bad.yaml"
    bad.write_text((DATA / "worked.yaml").read_text("utf-8").replace("deadweight: 0.2", "deadweight: 20"))
    out = tmp_path / "r.html"
    r = runner.invoke(app, ["report", str(demo_dir), "--out", str(out), "--value", str(bad), "-q"])
    assert r.exit_code == 2 and "bad.yaml" in r.output and not out.exists()
    r = runner.invoke(app, ["report", str(demo_dir), "--out", str(out), "--value",
                            str(DATA / "worked.yaml"), "-q"])  # fmt: skip
    assert r.exit_code == 0, r.output
    text = text_of(out.read_text("utf-8"))
    assert "Youth employment hub (Testshire)" in text and "1.15 : 1" in text


def _with_value_corner(a, strength: float | None):  # type: ignore[no-untyped-def]
    t = a.triangle
    corner = t.corners["value"].model_copy(update={"strength": strength})
    return a.model_copy(update={"triangle": t.model_copy(update={"corners": t.corners | {"value": corner}})})


def test_the_value_corner_and_the_ledger_agree_or_not() -> None:
    from lisa.value import ValueSettings
    from lisa.value.advice import corner_check

    [a] = assess_files([CASES / "tower-hamlets.yaml"])
    need = a.triangle.corners["value"].need
    ledger = read_ledger(DATA / "worked.yaml")
    evidenced = value_of(ledger)
    weak = value_of(ledger, ValueSettings(evidenced_share=0.9))
    assert evidenced.verdict == "evidenced" and weak.verdict == "weakly evidenced"
    strong_corner, weak_corner = _with_value_corner(a, min(1.0, need + 0.1)), _with_value_corner(a, need - 0.1)
    assert corner_check(strong_corner, evidenced).endswith("The two agree.")
    assert corner_check(strong_corner, weak).endswith("more value than the ledger can show.")
    assert corner_check(weak_corner, evidenced).endswith("more value than the answers credit.")
    assert corner_check(weak_corner, weak).endswith("The two agree.")
    assert corner_check(_with_value_corner(a, None), weak).startswith("The value corner is unanswered")
