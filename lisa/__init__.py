"""lisa — Local Innovation System Analyser.

Map and steer how a place innovates: load a study's network survey, check it,
diagnose the network (hubs, gatekeepers, pulsetakers, core–periphery, layer
mixing, connected difference, resilience), read the findings and the
recommendations they call for, assess innovations, and write the report.

The public API is exactly :data:`__all__` (each subpackage — :mod:`lisa.io`,
:mod:`lisa.network`, :mod:`lisa.assess`, :mod:`lisa.cases`, :mod:`lisa.report`
— has its own); everything else is internal and may change.

>>> import lisa
>>> study = lisa.generate(80, seed=1)
>>> result = lisa.analyse(study)
>>> result.combined.network.people
80
"""

from lisa.config import AnalysisConfig
from lisa.errors import (
    AnswerError,
    AssessmentInvalid,
    ConfigError,
    DefinitionInvalid,
    InputInvalid,
    LisaError,
    MissingDependency,
    NotFound,
    OutputError,
    Problem,
    StudyInvalid,
    StudyNotFound,
    UnknownCase,
    UnknownPerson,
    UnknownRelation,
    UnknownWave,
)
from lisa.study import DEFAULT_RELATIONS, Person, Relation, Study, Tie
from lisa.vocabulary import LAYERS

__version__ = "0.1.0"

# Heavier entry points are imported on first use, so `import lisa` stays quick.
_LAZY = {
    "analyse": ("lisa.analysis", "analyse"),
    "AnalysisResult": ("lisa.analysis", "AnalysisResult"),
    "Finding": ("lisa.findings", "Finding"),
    "FINDING_CODES": ("lisa.findings", "FINDING_CODES"),
    "load_study": ("lisa.io", "load_study"),
    "check_study": ("lisa.io", "check_study"),
    "study_from_records": ("lisa.io", "study_from_records"),
    "write_study": ("lisa.io", "write_study"),
    "export_study": ("lisa.io", "export_study"),
    "generate": ("lisa.synth", "generate"),
    "Pseudonymiser": ("lisa.privacy", "Pseudonymiser"),
    "write_report": ("lisa.report", "write_report"),
    "assess_files": ("lisa.assess", "assess_files"),
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lisa' has no attribute '{name}'")


__all__ = [
    "DEFAULT_RELATIONS",
    "FINDING_CODES",
    "LAYERS",
    "AnalysisConfig",
    "AnalysisResult",
    "AnswerError",
    "AssessmentInvalid",
    "ConfigError",
    "DefinitionInvalid",
    "Finding",
    "InputInvalid",
    "LisaError",
    "MissingDependency",
    "NotFound",
    "OutputError",
    "Person",
    "Problem",
    "Pseudonymiser",
    "Relation",
    "Study",
    "StudyInvalid",
    "StudyNotFound",
    "Tie",
    "UnknownCase",
    "UnknownPerson",
    "UnknownRelation",
    "UnknownWave",
    "__version__",
    "analyse",
    "assess_files",
    "check_study",
    "export_study",
    "generate",
    "load_study",
    "study_from_records",
    "write_report",
    "write_study",
]
