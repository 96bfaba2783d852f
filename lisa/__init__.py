"""lisa — Local Innovation System Analyser.

Map and steer how a place innovates: load a study's network survey, check it,
diagnose the network (hubs, gatekeepers, pulsetakers, core–periphery, layer
mixing, connected difference, resilience) and read the findings.

>>> import lisa
>>> study = lisa.generate(n_people=80, seed=1)
>>> result = lisa.analyse(study)
>>> sorted(result.finding_codes())  # doctest: +SKIP
"""

from lisa.config import AnalysisConfig
from lisa.errors import (
    ConfigError,
    LisaError,
    Problem,
    StudyInvalid,
    StudyNotFound,
    UnknownPerson,
    UnknownRelation,
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
    "AnalysisConfig",
    "AnalysisResult",
    "FINDING_CODES",
    "Finding",
    "analyse",
    "check_study",
    "export_study",
    "generate",
    "load_study",
    "study_from_records",
    "write_study",
    "ConfigError",
    "DEFAULT_RELATIONS",
    "LAYERS",
    "LisaError",
    "Person",
    "Problem",
    "Relation",
    "Study",
    "StudyInvalid",
    "StudyNotFound",
    "Tie",
    "UnknownPerson",
    "UnknownRelation",
    "__version__",
]
