"""Who answered the survey, how far to trust the result, and imputation.

Non-respondents still appear in the networks — others name them — but their
own nominations are missing, so their out-degree is zero and paths through
them are lost. lisa never drops them silently. The response rate sets how
the results may be used (thresholds configurable): at 80 % or more,
individual people may be named; from 65 %, only broad patterns; below,
results are unreliable. Betweenness suffers most from missing respondents,
in-degree and closeness least (Costenbader & Valente 2003).

With ``impute="reciprocity"`` every tie ``i → j`` that names a
non-respondent ``j`` is mirrored as ``j → i`` (reconstruction by
reciprocity; Stork & Richards 1992, Huisman 2009) — the usual remedy for
mutual relations such as co-working, and a documented assumption for the
others.
"""

from __future__ import annotations

import numpy as np

from lisa.config import AnalysisConfig
from lisa.network.results import Response, ResponseGroup
from lisa.study import Study, Ties
from lisa.vocabulary import LAYERS, ResponseLevel


def response_level(rate: float, known: bool, config: AnalysisConfig) -> ResponseLevel:
    """How far a response rate lets results be read (the thresholds of the settings)."""
    if not known or rate >= config.response_name_individuals:
        return "individuals"
    if rate >= config.response_broad_patterns:
        return "patterns"
    return "unreliable"


def _by_group(
    study: Study,
    responded: np.ndarray,
    values: list[str],
    config: AnalysisConfig,
    order: tuple[str, ...] = (),
) -> dict[str, ResponseGroup]:
    out: dict[str, ResponseGroup] = {}
    arr = np.asarray(values, dtype=object).astype(str)
    rank = {g: i for i, g in enumerate(order)}
    for group in sorted(set(arr.tolist()) - {""}, key=lambda g: (rank.get(g, len(rank)), g)):
        members = arr == group
        people = int(members.sum())
        got = int(responded[members].sum())
        rate = got / people if people else 0.0
        too_few = got < min(config.thin_group_respondents, people)
        thin = study.response_known and (rate < config.response_broad_patterns or too_few)
        out[group] = ResponseGroup(people=people, respondents=got, rate=rate, thin=bool(thin))
    return out


def response_summary(study: Study, config: AnalysisConfig, imputed_arcs: int) -> Response:
    """Who answered, overall and by layer and sector, and the level it allows."""
    n = study.n_people
    responded = study.responded if study.response_known else np.ones(n, bool)
    r = int(responded.sum())
    rate = r / n if n else 0.0
    return Response(
        known=bool(study.response_known),
        people=n,
        respondents=r,
        rate=rate,
        level=response_level(rate, study.response_known, config),
        imputation=config.impute,
        imputed_arcs=imputed_arcs,
        by_layer=_by_group(study, responded, study.group_values("layer"), config, LAYERS),
        by_sector=_by_group(study, responded, study.group_values("sector"), config),
        non_respondents=[study.ids[i] for i in np.flatnonzero(~responded)],
        not_recorded=int(study.response_unknown.sum()) if study.response_known else 0,
    )


def response_by(study: Study, attribute: str, config: AnalysisConfig) -> dict[str, ResponseGroup]:
    """Who answered in each group of ``attribute`` (layer, sector, organisation or a roster column).

    The same counts and "thin" flag as the analysis's ``by_layer`` and ``by_sector``;
    the web dashboard shows them while a survey runs.

    Raises
    ------
    ConfigError
        When the study has no such attribute.
    """
    responded = study.responded if study.response_known else np.ones(study.n_people, bool)
    order = LAYERS if attribute == "layer" else ()
    return _by_group(study, responded, study.group_values(attribute), config, order)


def impute_reciprocity(study: Study) -> tuple[Study, int]:
    """Mirror ties that name non-respondents; returns the new study and the arcs added."""
    if not study.response_known:
        return study, 0
    t = study.ties
    silent = ~study.responded
    naming_silent = silent[t.target] & ~silent[t.source]
    # do not add a mirror that already exists
    n = max(study.n_people, 1)
    existing = (
        t.relation.astype(np.int64) * n * n
        + t.source.astype(np.int64) * n
        + t.target.astype(np.int64)
    )
    mirror_key = (
        t.relation.astype(np.int64) * n * n
        + t.target.astype(np.int64) * n
        + t.source.astype(np.int64)
    )
    add = naming_silent & ~np.isin(mirror_key, existing)
    if not add.any():
        return study, 0
    mirrored = Ties(t.target[add], t.source[add], t.relation[add], t.weight[add], t.wave[add])
    new_ties = Ties(
        np.concatenate([t.source, mirrored.source]),
        np.concatenate([t.target, mirrored.target]),
        np.concatenate([t.relation, mirrored.relation]),
        np.concatenate([t.weight, mirrored.weight]),
        np.concatenate([t.wave, mirrored.wave]),
    )
    from dataclasses import replace

    return replace(study, ties=new_ties), int(add.sum())
