"""lisa — Local Innovation System Analyser.

Map and steer how a place innovates: load a study's network survey, check it,
diagnose the network (hubs, gatekeepers, pulsetakers, core–periphery, layer
mixing, connected difference, resilience) and read the findings.

>>> import lisa
>>> study = lisa.generate(n_people=80, seed=1)
>>> result = lisa.analyse(study)
>>> sorted(result.finding_codes())  # doctest: +SKIP
"""

from lisa.errors import (
    ConfigError,
    LisaError,
    Problem,
    StudyInvalid,
    StudyNotFound,
    UnknownPerson,
    UnknownRelation,
)
from lisa.config import AnalysisConfig
from lisa.study import DEFAULT_RELATIONS, LAYERS, Person, Relation, Study, Tie

__version__ = "0.1.0"

__all__ = [
    "AnalysisConfig",
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
