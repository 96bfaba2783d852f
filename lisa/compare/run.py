"""``lisa compare``'s work: find the places, analyse them in parallel, compare them.

The arguments may be study folders (or workbooks), folders of study folders,
or benchmark packs (``.json``). Studies are analysed with the execution layer
(:func:`lisa.execution.run_many`: local processes, or a Dask cluster); a
place that fails is listed in :attr:`Comparison.failures` and the others are
compared without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from lisa.compare.indicators import PlaceIndicators, indicators_of
from lisa.compare.pack import BenchmarkPack, make_pack, read_pack
from lisa.compare.standing import PlaceComparison, compare_places, networking_reference
from lisa.config import AnalysisConfig
from lisa.errors import ConfigError, StudyNotFound
from lisa.execution import Failure, run_many
from lisa.findings import Reference
from lisa.io.folder import STUDY_TABLES
from lisa.network.results import ResultModel

#: Version of the comparison JSON (``lisa compare --json``).
COMPARE_VERSION = "1.0"
WORKBOOKS = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Source:
    """Where one place, or a pack of places, comes from."""

    kind: Literal["study", "pack"]
    path: Path


def _is_study(path: Path) -> bool:
    return (path.is_dir() and (path / STUDY_TABLES[0]).is_file()) or (
        path.is_file() and path.suffix.lower() in WORKBOOKS
    )


def sources(paths: Sequence[Path]) -> list[Source]:
    """Each argument as a study, a pack, or the studies in a folder of studies.

    Raises
    ------
    StudyNotFound
        An argument is none of these.
    """
    out: list[Source] = []
    for path in paths:
        if path.is_file() and path.suffix.lower() == ".json":
            out.append(Source("pack", path))
        elif _is_study(path):
            out.append(Source("study", path))
        elif path.is_dir() and (inside := sorted(p for p in path.iterdir() if _is_study(p))):
            out += [Source("study", p) for p in inside]
        else:
            raise StudyNotFound(
                f"'{path}' is not a study folder, a folder of studies or a benchmark pack (.json)"
            )
    return out


def study_indicators(path: Path, config: AnalysisConfig) -> PlaceIndicators:
    """Load, analyse and read one place's indicators (the work of one worker).

    The place is analysed in the worker's own process (``workers=1``): the
    places are what fans out, and a Dask worker may not start processes.
    """
    from lisa.analysis import analyse
    from lisa.io import load_study

    return indicators_of(analyse(load_study(path), config, workers=1))


class PlaceFailure(ResultModel):
    """A place that could not be compared, and why."""

    source: str
    error: str
    message: str


class Comparison(ResultModel):
    """Every place against the others (``lisa compare --json``)."""

    compare_version: str = COMPARE_VERSION
    reference: str = Field(description="The set's name: how findings cite it.")
    reference_min_places: int = Field(description="Fewest other places for a percentile.")
    places: list[PlaceComparison]
    failures: list[PlaceFailure] = Field(description="Places that could not be analysed.")

    def reference_for(self, name: str) -> Reference:
        """What high-networking for place ``name`` is judged against (the other places)."""
        others = [p.place for p in self.places if p.place.name != self.place(name).place.name]
        return networking_reference(others, self.reference)

    def place(self, name: str) -> PlaceComparison:
        """One place's comparison, by name."""
        for p in self.places:
            if p.place.name == name:
                return p
        raise ConfigError(
            f"no place '{name}' in the comparison; places are: "
            + ", ".join(p.place.name for p in self.places)
        )


@dataclass
class Gathered:
    """The places found and analysed, the packs read, and what failed."""

    places: list[PlaceIndicators]
    failures: list[Failure]
    study_paths: dict[str, Path]  # each analysed place's study, by the place's name
    config: AnalysisConfig  # the settings every place was analysed with


def gather(
    paths: Sequence[Path],
    config: AnalysisConfig,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
) -> Gathered:
    """Read every pack and analyse every study (in parallel); failures are collected."""
    found = sources(paths)
    packs: list[BenchmarkPack] = [read_pack(s.path) for s in found if s.kind == "pack"]
    studies = [s.path for s in found if s.kind == "study"]
    outcome = run_many(
        partial(study_indicators, config=config),
        studies,
        labels=[str(p) for p in studies],
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        description="Analysing places",
    )
    places = [*outcome.completed, *(p for pack in packs for p in pack.places)]
    names = [p.name for p in places]
    twins = sorted({n for n in names if names.count(n) > 1})
    if twins:
        raise ConfigError(
            "two places have the same name, so they cannot be told apart: "
            + ", ".join(f"'{n}'" for n in twins)
            + " (rename one in its study.yaml, or leave one out)"
        )
    done = {r.name: studies[k] for k, r in enumerate(outcome.results) if r is not None}
    return Gathered(places, outcome.failures, done, config)


def study_of(got: Gathered, name: str) -> Path:
    """The study folder a place was read from (a place from a pack has none).

    Raises
    ------
    ConfigError
        No analysed study has that name.
    """
    if name not in got.study_paths:
        raise ConfigError(
            f"'{name}' is not one of the studies analysed (a place from a pack has no study)"
        )
    return got.study_paths[name]


def compare(
    paths: Sequence[Path],
    config: AnalysisConfig | None = None,
    *,
    reference: str | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
) -> tuple[Comparison, Gathered]:
    """Compare the places of ``paths`` with each other.

    Parameters
    ----------
    paths
        Study folders or workbooks, folders of studies, benchmark packs.
    config
        The analysis settings (also the percentile and high-networking rules).
    reference
        The set's name, as findings cite it (default: "these N places").
    workers, scheduler
        Where the analyses run (:func:`lisa.execution.run_many`).
    progress
        Draw a progress bar on stderr.

    Returns
    -------
    (Comparison, Gathered)
        The comparison, and the places as gathered (for writing a pack).

    Raises
    ------
    StudyNotFound
        An argument is not a study, a folder of studies or a pack.
    PackInvalid
        A pack breaks the pack rules.
    ConfigError
        Two places share a name, or fewer than two places could be analysed.
    """
    config = config or AnalysisConfig()
    got = gather(paths, config, workers=workers, scheduler=scheduler, progress=progress)
    if len(got.places) < 2:
        raise ConfigError(
            f"comparing needs at least two places; {len(got.places)} could be read"
            + (f" ({len(got.failures)} failed)" if got.failures else "")
        )
    name = reference or f"these {len(got.places)} places"
    return (
        Comparison(
            reference=name,
            reference_min_places=config.reference_min_places,
            places=compare_places(got.places, config, name),
            failures=[PlaceFailure(source=f.label, error=f.error, message=f.message)
                      for f in got.failures],  # fmt: skip
        ),
        got,
    )


def pack_of(got: Gathered, name: str) -> BenchmarkPack:
    """A benchmark pack of the gathered places, checked against their rosters."""
    from lisa.io import load_study

    return make_pack(got.places, name, [load_study(p) for p in got.study_paths.values()])
