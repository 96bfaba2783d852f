"""``lisa report`` and ``lisa demo``'s report, through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lisa.cli import app

runner = CliRunner()


def invoke(*args: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_report_writes_one_html_file(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "place.html"
    r = invoke("report", demo_dir, "--out", out, "--quiet")
    assert r.exit_code == 0, r.output
    assert out.exists() and "Wrote" in r.output
    page = out.read_text("utf-8")
    assert 'id="lisa-map-data"' in page and 'id="no-assessment"' in page


def test_report_with_assessment_settings_and_pseudonyms(demo_dir: Path, tmp_path: Path) -> None:
    from lisa.assess import assess_answers, write_json

    pilot = assess_answers({"answers": {"meta.innovation": "Pilot", "meta.place": "Town"}})
    assessment = write_json([pilot], tmp_path / "a.json")
    out = tmp_path / "p.html"
    r = invoke(
        "report", demo_dir, "--out", out, "--pseudonymise", "--assessment", assessment,
        "--set", "hub_quantile=0.8", "--title", "Board paper", "-q",
    )
    assert r.exit_code == 0, r.output
    page = out.read_text("utf-8")
    assert "Board paper" in page and "Pilot" in page and "Pseudonymised" in page
    assert "p0001" not in page
    assert "<td>0.8</td>" in page  # the --set value is in the method notes


def test_report_refuses_a_bad_setting(demo_dir: Path, tmp_path: Path) -> None:
    r = invoke("report", demo_dir, "--out", tmp_path / "x.html", "--set", "nonsense=1")
    assert r.exit_code == 2
    assert not (tmp_path / "x.html").exists()


def test_report_refuses_a_bad_assessment(demo_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    r = invoke("report", demo_dir, "--out", tmp_path / "x.html", "--assessment", bad)
    assert r.exit_code == 2 and "bad.json" in r.output and "Traceback" not in r.output
    r = invoke("report", demo_dir, "--out", tmp_path / "x.html", "--assessment", tmp_path / "none.json")
    assert r.exit_code == 3
    other = tmp_path / "other.json"  # JSON, but not a 'lisa assess' document: no partial section
    other.write_text(json.dumps({"schema_version": "1.0", "name": "Pilot", "phase": 2}), "utf-8")
    r = invoke("report", demo_dir, "--out", tmp_path / "x.html", "--assessment", other)
    assert r.exit_code == 2 and "other.json" in r.output
    assert "not a document of 'lisa assess --json'" in " ".join(r.output.split())
    assert not (tmp_path / "x.html").exists()


def test_report_on_a_missing_study(tmp_path: Path) -> None:
    r = invoke("report", tmp_path / "nowhere", "--out", tmp_path / "x.html")
    assert r.exit_code == 3


def test_demo_writes_the_report(tmp_path: Path) -> None:
    r = invoke("demo", "--out", tmp_path / "demo", "--quiet", "--people", "120")
    assert r.exit_code == 0, r.output
    page = (tmp_path / "demo" / "report.html").read_text("utf-8")
    assert "The network map" in page and "report.html" in r.output
