"""The analysis result is typed, reloads exactly, and is reused without re-analysing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lisa.analysis import AnalysisResult, ResultInvalid, analyse
from lisa.cli import app
from lisa.errors import ConfigError, LisaError, StudyNotFound
from lisa.io import load_study, study_from_records, write_study
from lisa.network.results import CoreOverlap, Departure, LayerLink

runner = CliRunner()


def test_a_stored_result_reloads_exactly(demo_result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = demo_result.write_json(tmp_path / "analysis.json")
    again = AnalysisResult.from_json(path)
    assert again.model_dump() == demo_result.model_dump()
    assert again.to_json() == path.read_text("utf-8")  # write → read → write is byte-identical
    assert again.findings[0].headline == demo_result.findings[0].headline
    assert type(again.findings[0]) is type(demo_result.findings[0])


def test_a_reloaded_result_needs_its_own_study(demo_result, demo_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = demo_result.write_json(tmp_path / "analysis.json")
    with pytest.raises(LisaError, match="reloaded without its study"):
        AnalysisResult.from_json(path).key_people("hub")
    joined = AnalysisResult.from_json(path, study=load_study(demo_dir))
    assert joined.key_people("hub", limit=3) == demo_result.key_people("hub", limit=3)
    other = write_study(load_study(demo_dir).without_people([demo_result.study.ids[0]]), tmp_path / "other")
    with pytest.raises(ConfigError, match="other data"):
        AnalysisResult.from_json(path, study=load_study(other))


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"not json at all", "malformed-json"),
        (b'{"schema_version": "1.0"}', "schema-version"),
        (b"[1, 2, 3]", "schema-version"),
        (None, "bad-value"),  # a real document with one field edited
        ("3.0", "schema-version"),  # a real document claiming another major version
    ],
)
def test_a_document_that_is_not_this_schema_is_a_named_error(
    demo_result, tmp_path: Path, content: bytes | str | None, code: str  # type: ignore[no-untyped-def]
) -> None:
    if content is None or isinstance(content, str):
        doc = demo_result.to_dict()
        if content is None:
            doc["combined"]["network"]["arcs"] = "many"
        else:
            doc["schema_version"] = content
        content = json.dumps(doc).encode()
    path = tmp_path / "a.json"
    path.write_bytes(content)
    with pytest.raises(ResultInvalid) as info:
        AnalysisResult.from_json(path)
    assert info.value.problems[0].code == code
    with pytest.raises(StudyNotFound):
        AnalysisResult.from_json(tmp_path / "missing.json")


def test_records_not_strings(demo_result) -> None:  # type: ignore[no-untyped-def]
    cc = demo_result.core_consistency
    assert all(isinstance(o, CoreOverlap) for o in cc.overlap)
    names = list(demo_result.relations)
    assert len(cc.overlap) == len(names) * (len(names) - 1) // 2
    assert cc.overlap_of(names[1], names[0]) == cc.overlap_of(names[0], names[1])
    kinds = {s.kind for s in demo_result.resilience.scenarios}
    assert {"stable-core", "top-hubs", "group"} <= kinds
    group = next(s for s in demo_result.resilience.scenarios if s.kind == "group")
    assert isinstance(group, Departure) and group.grouping == "sector" and group.group
    assert all(isinstance(x, LayerLink) for x in demo_result.layers.links)


def test_each_finding_carries_its_headline_number(demo_result) -> None:  # type: ignore[no-untyped-def]
    for f in demo_result.findings:
        assert f.headline.text
        assert isinstance(f.headline.value, float)
    loss = demo_result.finding("core-departure-risk")
    assert loss.headline.value == loss.evidence.reach_loss


def test_the_verdicts_on_layer_links_are_the_findings(demo_result) -> None:  # type: ignore[no-untyped-def]
    thin_vertical = demo_result.layers.thin("vertical")
    finding = demo_result.finding("thin-vertical-links")
    assert (finding is not None) == bool(thin_vertical)
    if finding is not None:
        assert finding.evidence.thin == thin_vertical
        for link in thin_vertical:
            assert link.density < demo_result.config.thin_links_ratio * demo_result.layers.overall_density


def test_stable_core_composition_is_read_not_recounted(demo_result) -> None:  # type: ignore[no-untyped-def]
    study = demo_result.study
    by_sector = demo_result.core_consistency.stable_core_by["sector"]
    stable = demo_result.core_consistency.stable_core
    assert sum(by_sector.values()) == len(stable)
    for sector, count in by_sector.items():
        assert count == sum(study.sectors[study.index_of(p)] == sector for p in stable)
    assert list(by_sector.values()) == sorted(by_sector.values(), reverse=True)


def test_recommendations_are_part_of_the_result(demo_result) -> None:  # type: ignore[no-untyped-def]
    codes = set(demo_result.finding_codes())
    assert demo_result.recommendations
    for rec in demo_result.recommendations:
        assert any(f"'{c}'" in " ".join(rec.why) for c in codes)


def test_adding_a_scenario_does_not_shift_another_scenarios_random_baseline() -> None:
    from lisa.config import AnalysisConfig
    from lisa.network import analyse_network
    from lisa.synth import generate

    study = generate(200, seed=4)
    base = analyse_network(study, AnalysisConfig())
    fewer = analyse_network(study, AnalysisConfig(min_group_size=40))  # drops small sectors
    assert len(fewer.resilience.scenarios) < len(base.resilience.scenarios)
    for kind in ("stable-core", "top-hubs"):
        a, b = base.resilience.scenario(kind), fewer.resilience.scenario(kind)  # type: ignore[arg-type]
        assert a is not None and b is not None
        assert a.random_reach_loss == b.random_reach_loss


def test_a_relation_named_with_a_bar_works_everywhere(tmp_path: Path) -> None:
    people = [{"id": f"p{i}", "sector": "s" if i < 6 else "t", "layer": "frontline"} for i in range(12)]
    ties = []
    for rel in ("a|b", "c"):
        for i in range(12):
            ties.append({"source": f"p{i}", "target": f"p{(i + 1) % 12}", "relation": rel})
            ties.append({"source": f"p{i}", "target": f"p{(i + 3) % 12}", "relation": rel})
    study = study_from_records(people, ties)
    result = analyse(study)
    assert {o.a for o in result.core_consistency.overlap} | {o.b for o in result.core_consistency.overlap} == {"a|b", "c"}
    folder = write_study(study, tmp_path / "bar")
    again = AnalysisResult.from_json(result.write_json(tmp_path / "r.json"), study=load_study(folder))
    assert again.core_consistency.overlap_of("a|b", "c") == result.core_consistency.overlap_of("c", "a|b")
    from lisa.report import build_report, render_html

    model = build_report(again)
    assert model.core_overlap.columns == ["relation", "a|b", "c"]
    assert "a|b" in render_html(model)
    r = runner.invoke(app, ["export", str(folder), "--format", "gexf", "--out", str(tmp_path / "x.gexf")])
    assert r.exit_code == 0, r.output
    assert 'value="a|b"' in (tmp_path / "x.gexf").read_text("utf-8")


def test_report_and_export_reuse_a_stored_analysis(demo_dir: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    stored = tmp_path / "analysis.json"
    assert runner.invoke(app, ["analyse", str(demo_dir), "--json", str(stored), "-q"]).exit_code == 0

    def no_analysis(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the study was analysed again")

    monkeypatch.setattr("lisa.analysis.analyse", no_analysis)
    r = runner.invoke(
        app, ["report", str(demo_dir), "--analysis", str(stored), "--out", str(tmp_path / "r.html")]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app,
        ["export", str(demo_dir), "--analysis", str(stored), "--format", "csv", "--out", str(tmp_path / "csv")],
    )
    assert r.exit_code == 0, r.output
    header = (tmp_path / "csv" / "people.csv").read_text("utf-8").splitlines()[0]
    assert "betweenness" in header and "roles" in header


def test_a_stored_analysis_of_other_data_is_refused(demo_dir: Path, tmp_path: Path) -> None:
    from lisa.synth import generate

    other = write_study(generate(120, seed=2), tmp_path / "other")
    stored = tmp_path / "analysis.json"
    assert runner.invoke(app, ["analyse", str(other), "--json", str(stored), "-q"]).exit_code == 0
    r = runner.invoke(app, ["report", str(demo_dir), "--analysis", str(stored), "--out", str(tmp_path / "r.html")])
    assert r.exit_code == 2
    assert "other data" in r.output
    assert not (tmp_path / "r.html").exists()
