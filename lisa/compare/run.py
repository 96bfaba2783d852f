"""``lisa compare``'s work: find the places, analyse them in parallel, compare them.

The arguments may be study folders (or workbooks), folders of study folders,
or benchmark packs (``.json``), and the studies stored in the web platform's
database (:func:`stored_sources`). Studies are analysed with the execution layer
(:func:`lisa.execution.run_many`: local processes, or a Dask cluster); a
place that fails is listed in :attr:`Comparison.failures` and the others are
compared without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

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

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from lisa.study import Study

#: Version of the comparison JSON (``lisa compare --json``).
COMPARE_VERSION = "1.0"
WORKBOOKS = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Source:
    """Where one place, or a pack of places, comes from: a study folder or workbook, a pack,
    or a study stored in the web platform's database (``database`` URL and ``slug``)."""

    kind: Literal["study", "pack", "stored"]
    path: Path | None = None
    database: str | None = None
    slug: str = ""

    @property
    def label(self) -> str:
        """How messages name it (a stored study by its short name: no URL, no password)."""
        return f"stored study '{self.slug}'" if self.kind == "stored" else str(self.path)

    def study(self) -> Study:
        """The study, loaded and checked (a stored one rebuilt from the database)."""
        if self.kind == "stored":
            from lisa.db import engine_for, session_factory
            from lisa.db.studies import study_from_db

            assert self.database is not None
            engine = engine_for(self.database)
            try:
                with session_factory(engine)() as session:
                    return study_from_db(session, self.slug)
            finally:
                engine.dispose()
        from lisa.io import load_study

        assert self.path is not None
        return load_study(self.path)


def stored_sources(engine: Engine) -> list[Source]:
    """Every study stored in the web platform's database of ``engine``, by short name."""
    from sqlalchemy import select

    from lisa.db import session_factory
    from lisa.db.models import StudyRow

    with session_factory(engine)() as session:
        slugs = session.scalars(select(StudyRow.slug).order_by(StudyRow.slug)).all()
    url = engine.url.render_as_string(hide_password=False)
    return [Source("stored", database=url, slug=slug) for slug in slugs]


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


def study_indicators(source: Source, config: AnalysisConfig) -> PlaceIndicators:
    """Load, analyse and read one place's indicators (the work of one worker).

    The place is analysed in the worker's own process (``workers=1``): the
    places are what fans out, and a Dask worker may not start processes.
    """
    from lisa.analysis import analyse

    return indicators_of(analyse(source.study(), config, workers=1))


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
    studies: dict[str, Source]  # where each analysed place's study is, by the place's name
    config: AnalysisConfig  # the settings every place was analysed with


def gather(
    paths: Sequence[Path],
    config: AnalysisConfig,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
    stored: Sequence[Source] = (),
) -> Gathered:
    """Read every pack and analyse every study (in parallel), the ``stored`` ones too
    (:func:`stored_sources`); failures are collected."""
    found = [*sources(paths), *stored]
    packs: list[BenchmarkPack] = [read_pack(s.path) for s in found if s.kind == "pack" and s.path]
    studies = [s for s in found if s.kind != "pack"]
    outcome = run_many(
        partial(study_indicators, config=config),
        studies,
        labels=[s.label for s in studies],
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
            + " (rename one in its study.yaml or in the web platform, or leave one out)"
        )
    done = {r.name: studies[k] for k, r in enumerate(outcome.results) if r is not None}
    return Gathered(places, outcome.failures, done, config)


def study_of(got: Gathered, name: str) -> Source:
    """Where the study of a place was read from (a place from a pack has none).

    Raises
    ------
    ConfigError
        No analysed study has that name.
    """
    if name not in got.studies:
        raise ConfigError(
            f"'{name}' is not one of the studies analysed (a place from a pack has no study)"
        )
    return got.studies[name]


def compare(
    paths: Sequence[Path],
    config: AnalysisConfig | None = None,
    *,
    reference: str | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
    stored: Sequence[Source] = (),
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
    stored
        Studies stored in the web platform's database too (:func:`stored_sources`).

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
    got = gather(paths, config, workers=workers, scheduler=scheduler, progress=progress,
                 stored=stored)
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
    return make_pack(got.places, name, [s.study() for s in got.studies.values()])
