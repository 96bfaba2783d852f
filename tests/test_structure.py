"""The package's shape: every module imports on its own, errors form one tree."""

from __future__ import annotations

import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import lisa.errors

PACKAGE = Path(lisa.errors.__file__).resolve().parent


def module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def test_every_module_imports_on_its_own() -> None:
    """No import cycles: each module can be the first one a program imports."""

    def first_import(name: str) -> tuple[str, str]:
        done = subprocess.run(
            [sys.executable, "-c", f"import {name}"], capture_output=True, text=True, timeout=120
        )
        return name, "" if done.returncode == 0 else done.stderr.strip().splitlines()[-1]

    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = {name: err for name, err in pool.map(first_import, module_names()) if err}
    assert failures == {}


def _raised_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name):
                names.add(exc.id)
    return names


@pytest.mark.parametrize("builtin", ["ValueError", "KeyError", "TypeError", "RuntimeError"])
def test_lisa_raises_only_its_own_errors(builtin: str) -> None:
    """Every error lisa raises derives from LisaError (no bare built-in exceptions)."""
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if builtin in _raised_names(ast.parse(path.read_text("utf-8")))
    ]
    assert offenders == []


def test_error_classes_carry_no_exit_codes() -> None:
    """Exit codes belong to the CLI edge, so a web layer can map the same errors to statuses."""
    for obj in vars(lisa.errors).values():
        if isinstance(obj, type) and issubclass(obj, lisa.errors.LisaError):
            assert not hasattr(obj, "exit_code"), obj


def test_every_lisa_error_has_a_documented_exit_code() -> None:
    from lisa.cli._app import exit_code

    for obj in vars(lisa.errors).values():
        if isinstance(obj, type) and issubclass(obj, lisa.errors.LisaError):
            if obj in (lisa.errors.InputInvalid, lisa.errors.StudyInvalid, lisa.errors.AssessmentInvalid):
                err = obj([])
            elif obj.__init__ is not Exception.__init__ and obj.__name__.startswith("Unknown"):
                err = obj("x")
            else:
                err = obj("message")
            assert exit_code(err) in (1, 2, 3)


#: The public API, pinned: a change here is a change users see (and the changelog says so).
PUBLIC = {
    "lisa": {
        "DEFAULT_RELATIONS", "FINDING_CODES", "LAYERS", "AnalysisConfig", "AnalysisResult",
        "AnswerError", "AssessmentInvalid", "ConfigError", "DefinitionInvalid", "Finding",
        "InputInvalid", "LisaError", "MissingDependency", "NotFound", "OutputError", "Person",
        "Problem", "Pseudonymiser", "Relation", "Study", "StudyInvalid", "StudyNotFound", "Tie",
        "UnknownCase", "UnknownPerson", "UnknownRelation", "UnknownWave", "__version__", "analyse",
        "assess_files", "check_study", "export_study", "generate", "load_study",
        "study_from_records", "write_report", "write_study",
    },
    "lisa.network": {"NetworkAnalysis", "analyse_network"},
    "lisa.change": {
        "FINDING_DIRECTION", "ConnectedDifferenceChange", "FindingChange", "PersonChange", "Qap",
        "RoleChange", "TieChange", "Turnover", "WaveComparison", "WavesConfig", "cell_keys",
        "compare_waves", "correlation", "describe_trend", "finding_status", "pick_waves",
        "presence", "qap", "tie_change",
    },
    "lisa.io": {
        "ReadLimits", "Removal", "SurveyImport", "Table", "check_study", "delete_person",
        "export_study", "load_study", "merge_survey", "read_csv", "read_sheet",
        "read_survey_export", "remove_person", "study_from_records", "validate_study",
        "write_study", "write_survey_ties",
    },
    "lisa.assess": {
        "AnswerSet", "Assessment", "AssessmentDocument", "AssessmentDocumentInvalid",
        "AssessmentInvalid", "AssessmentSettings", "CombinedAnswers", "Context", "Disagreement",
        "HistoryEntry", "Instrument", "Item", "ItemBank", "Locality", "PHASE_NAMES",
        "Recommendation", "Risk", "Rules", "SCHEMA_VERSION", "answers_from_mapping",
        "assess_answers", "assess_combined", "assess_files", "assess_sets", "assessment_document",
        "check_answers", "check_many", "combine", "for_network", "locality_summary",
        "read_answers", "read_assessments", "read_document", "read_many", "write_json",
    },
    "lisa.cases": {
        "CASE_KINDS", "Case", "CaseMatch", "UnknownCase", "case_assessment", "compare",
        "get_case", "load_cases",
    },
    "lisa.value": {
        "Assumption", "Input", "Ledger", "LedgerInvalid", "Outcome", "ValueResult",
        "ValueSettings", "check_ledger", "ledger_from_yaml", "read_ledger", "value_of",
    },
    "lisa.scenarios": {
        "AddIntermediary", "AddTies", "BestTies", "MergeOrganisations", "ProposedTie",
        "RemoveGroup", "RemovePeople", "StaffExchange", "WhatIf", "best_ties", "compare",
        "what_if", "Diffusion", "DiffusionConfig", "ReachCurve", "StrategyOutcome", "simulate",
    },
    "lisa.report": {
        "ReportModel", "build_report", "render_html", "write_html", "write_pdf", "write_report",
    },
    "lisa.compare": {
        "INDICATORS", "BenchmarkPack", "Comparison", "PackInvalid", "PlaceComparison",
        "PlaceIndicators", "Standing", "compare", "compare_places", "indicators_of", "make_pack",
        "read_pack", "standing", "write_pack",
    },
    "lisa.db": {
        "engine_for", "export_study", "import_study", "search_roster", "session_factory",
        "sqlite_url", "study_from_db", "upgrade",
    },
    "lisa.web": {"WebSettings", "create_app"},
}  # fmt: skip


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_the_public_api_is_exactly_all(package: str) -> None:
    import importlib

    module = importlib.import_module(package)
    assert set(module.__all__) == PUBLIC[package]
    for name in module.__all__:
        assert getattr(module, name) is not None, name
