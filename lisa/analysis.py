"""One call from a study to everything lisa knows about its network.

:func:`analyse` runs the network engine (:mod:`lisa.network`), the finding
rules (:mod:`lisa.findings`) and the recommendation rules those findings call
for (:mod:`lisa.assess.recommend`), and returns an :class:`AnalysisResult`: a
typed model whose JSON is ``docs/schema.md`` (generated from these classes).
A stored result reloads exactly (:meth:`AnalysisResult.from_json`), so the
report, ``lisa assess --network`` and the exports can use it without
re-analysing. The CLI and, later, the web app call this and nothing lower.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from pydantic import BaseModel, Field, PrivateAttr, ValidationError, model_serializer
from pydantic_core import to_json

from lisa.assess.recommend import Recommendation
from lisa.config import AnalysisConfig
from lisa.errors import ConfigError, InputInvalid, LisaError, Problem, StudyNotFound
from lisa.files import atomic_target
from lisa.findings import AnyFinding, Finding, evaluate
from lisa.network.results import NetworkAnalysis, ResultModel
from lisa.network.tiequality import TieQuality, tie_quality
from lisa.study import Study
from lisa.vocabulary import ROLE_METRIC, ROLES

#: Version of the analysis JSON (semantic versioning, see docs/schema.md).
SCHEMA_VERSION = "2.2"
#: The keys that come first in the JSON, in this order.
HEADER = ("schema_version", "lisa_version", "study", "config", "privacy")

Progress = Callable[[str, int, int], None]
#: The analysis JSON is indented for places up to this many people (readable in
#: an editor); larger places get compact JSON, a third smaller and quicker to write.
INDENT_UP_TO = 2_000


class ResultInvalid(InputInvalid):
    """A stored analysis JSON cannot be read back (not lisa's, another version, or edited)."""

    subject = "the analysis JSON"


#: The largest analysis JSON lisa reads back (a 100,000-person place writes about 1 GB).
MAX_ANALYSIS_BYTES = 4 * 1024**3


def _invalid(code: str, message: str, label: str) -> ResultInvalid:
    return ResultInvalid([Problem(code, message, label)])


def _decoded(data: bytes | str, label: str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_ANALYSIS_BYTES:
        raise _invalid(
            "file-too-large", f"larger than an analysis JSON can be ({len(data):,} bytes)", label
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _invalid(
            "encoding", f"not UTF-8 text (byte {exc.start}): not an analysis JSON of lisa's", label
        ) from None


class StudySummary(ResultModel):
    """Which data were analysed."""

    name: str
    people: int
    relations: list[str]
    ties: int = Field(description="Ties of the analysed wave.")
    waves: list[str] = Field(description="The study's waves (all of them).")
    wave: str | None = Field(description="The wave analysed, or null for a study without waves.")
    source: str | None = Field(
        description="Where the study was read from (null when pseudonymised)."
    )
    fingerprint: str | None = Field(
        description="sha256 of the analysed roster and ties: a stored result is only used "
        "with the same data (null when pseudonymised)."
    )


class Privacy(ResultModel):
    """How a result was protected before it was written (pseudonymised results only)."""

    pseudonymised: bool
    min_cell: int = Field(description="Small-cell threshold k for organisation × sector × layer.")
    coarsened_people: int = Field(
        description="People whose organisation was replaced by their sector (cells under k)."
    )


class KeyPerson(ResultModel):
    """A person who holds a role, with the number that earned it."""

    id: str
    name: str
    organisation: str
    sector: str
    layer: str | None
    value: float


def study_fingerprint(study: Study) -> str:
    """A sha256 of the roster ids, relations and ties (weights and waves included)."""
    h = hashlib.sha256()
    for part in (
        "\x1f".join(study.ids),
        "\x1f".join(study.relation_names),
        "\x1f".join(study.waves),
    ):
        h.update(part.encode("utf-8") + b"\x1e")
    t = study.ties
    for column in (t.source, t.target, t.relation, t.wave):
        h.update(np.ascontiguousarray(column, np.int64).tobytes())
    h.update(np.ascontiguousarray(t.weight, np.float64).tobytes())
    return h.hexdigest()


class AnalysisResult(NetworkAnalysis):
    """The analysis of one study: the network numbers, findings and recommendations.

    Build one with :func:`analyse`, or reload a stored one with :meth:`from_json`.
    ``to_dict()`` / :meth:`write_json` give the JSON of ``docs/schema.md``.
    The study it was computed from travels with it in memory (:attr:`study`);
    a reloaded result gets it back with ``from_json(path, study=...)``.
    """

    schema_version: str = SCHEMA_VERSION
    lisa_version: str
    study_summary: StudySummary = Field(alias="study")
    config: AnalysisConfig
    privacy: Privacy | None = None
    findings: list[AnyFinding] = Field(description="Most severe first.")
    recommendations: list[Recommendation] = Field(
        description="What the network findings call for, from the same rules as 'lisa assess'."
    )
    tie_quality: TieQuality | None = Field(
        None,
        exclude_if=lambda block: block is None,  # absent for a study without weights or items
        description="Strength, weighted paths and tie items (only for a study with tie "
        "weights or items; docs/method.md).",
    )
    _study: Study | None = PrivateAttr(default=None)

    model_config = {"populate_by_name": True, "serialize_by_alias": True}

    @model_serializer(mode="wrap")
    def _header_first(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        head = {k: data.pop(k) for k in HEADER if k in data}
        return {**head, **data}

    # -- the study ------------------------------------------------------------
    @property
    def study(self) -> Study:
        """The analysed study (restricted to the analysed wave)."""
        if self._study is None:
            raise LisaError(
                "this analysis was reloaded without its study: use "
                "AnalysisResult.from_json(path, study=load_study(folder))"
            )
        return self._study

    def with_study(self, study: Study) -> AnalysisResult:
        """Attach the study this result was computed from (checked by fingerprint)."""
        selected = study.for_wave(self.study_summary.wave) if self.study_summary.wave else study
        if self.study_summary.fingerprint is None:
            raise ConfigError("a pseudonymised analysis cannot be joined back to a study")
        if study_fingerprint(selected) != self.study_summary.fingerprint:
            raise ConfigError(
                f"the analysis was computed from other data than '{study.name}' (the roster or "
                "ties differ): analyse the study again"
            )
        self._study = selected
        return self

    # -- reading and writing ----------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON document as Python data."""
        return self.model_dump(mode="json")

    def to_json(self) -> str:
        """The JSON document: indented up to :data:`INDENT_UP_TO` people, compact above."""
        return self._json_bytes().decode("utf-8")

    def _json_bytes(self) -> bytes:
        """The JSON document, encoded block by block (see :func:`_encode_blocks`)."""
        indent = 1 if self.study_summary.people <= INDENT_UP_TO else None
        return _encode_blocks(self, indent)

    def write_json(self, path: str | Path) -> Path:
        """Write the JSON document (UTF-8) atomically; returns the path.

        Written one top-level block at a time, so a large result's JSON is never
        held whole in memory (at 100,000 people it is hundreds of megabytes).
        """
        indent = 1 if self.study_summary.people <= INDENT_UP_TO else None
        with atomic_target(path) as tmp, open(tmp, "wb") as out:
            for chunk in _chunks(self, indent):
                out.write(chunk)
        return Path(path)

    def people_table(self) -> pl.DataFrame:
        """Every person's numbers in every network as one long table (see docs/schema.md).

        One row per network and person (``network`` is a relation's name or
        ``combined``), people in the result's order, so a pseudonymised result
        gives a pseudonymised table.
        """
        from lisa.network.table import people_table

        return people_table(self)

    def write_people_table(self, path: str | Path) -> Path:
        """Write :meth:`people_table` as Parquet, atomically; returns the path."""
        from lisa.network.table import write_parquet

        return write_parquet(self.people_table(), path)

    @classmethod
    def from_json(cls, path: str | Path, study: Study | None = None) -> AnalysisResult:
        """Reload a result written by :meth:`write_json`, exactly.

        Parameters
        ----------
        path
            The analysis JSON file.
        study
            The study it was computed from, if the caller needs people's names
            or ties (report, exports); checked against the stored fingerprint.

        Raises
        ------
        StudyNotFound
            The file does not exist.
        ResultInvalid
            The file is not an analysis JSON of this schema version.
        """
        path = Path(path)
        if not path.is_file():
            raise StudyNotFound(f"no analysis JSON at '{path}'")
        if path.stat().st_size > MAX_ANALYSIS_BYTES:
            raise _invalid("file-too-large", "larger than an analysis JSON can be", str(path))
        result = cls.from_text(path.read_bytes(), str(path))
        return result.with_study(study) if study is not None else result

    @classmethod
    def from_text(cls, data: bytes | str, label: str = "analysis.json") -> AnalysisResult:
        """Parse an analysis JSON document (see :meth:`from_json`).

        A document of this schema is validated straight from its text (pydantic's
        JSON parser, several times faster than building Python objects first);
        anything else is parsed again only to say what is wrong with it.
        """
        text = _decoded(data, label)
        major = SCHEMA_VERSION.split(".")[0]
        try:
            result = cls.model_validate_json(text)
        except ValidationError as exc:
            fields = exc
        else:
            if result.schema_version.split(".")[0] == major:
                return result
            raise _invalid(
                "schema-version",
                f"this is not a lisa analysis of schema {major}.x (it says "
                f"'{result.schema_version}'): run 'lisa analyse' again",
                label,
            )
        try:
            head = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise _invalid("malformed-json", f"not valid JSON: {exc}", label) from None
        version = str(head.get("schema_version", "")) if isinstance(head, dict) else ""
        if version.split(".")[0] != major:
            raise _invalid(
                "schema-version",
                f"this is not a lisa analysis of schema {major}.x (it says "
                f"'{version or 'nothing'}'): run 'lisa analyse' again",
                label,
            )
        raise ResultInvalid(
            [
                Problem("bad-value", f"{'.'.join(map(str, e['loc']))}: {e['msg']}", label)
                for e in fields.errors()[:20]
            ]
        ) from None

    # -- reading the findings -----------------------------------------------------
    def finding_codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def finding(self, code: str) -> Finding | None:
        return next((f for f in self.findings if f.code == code), None)

    @property
    def names_individuals(self) -> bool:
        """Whether response is high enough to name individual people."""
        return self.response.names_individuals

    # -- people in roles -----------------------------------------------------------
    def role_holders(self, role: str, relation: str | None = None) -> list[tuple[str, float]]:
        """(id, value) of everyone holding ``role``, strongest first (ties by id)."""
        if role not in ROLE_METRIC:
            raise ConfigError(f"unknown role '{role}'; roles are: {', '.join(ROLES)}")
        metric = ROLE_METRIC[role]  # type: ignore[index]
        holders = [
            (pid, float(getattr(p, metric)))
            for pid, p in self.network(relation).people.items()
            if role in p.roles
        ]
        return sorted(holders, key=lambda t: (-t[1], t[0]))

    def key_people(
        self, role: str, *, relation: str | None = None, limit: int = 5
    ) -> list[KeyPerson]:
        """The people holding ``role``, strongest first (combined network by default)."""
        s = self.study
        out = []
        for pid, value in self.role_holders(role, relation)[:limit]:
            i = s.index_of(pid)
            out.append(
                KeyPerson(
                    id=pid,
                    name=s.names[i],
                    organisation=s.organisations[i],
                    sector=s.sectors[i],
                    layer=s.layers[i],
                    value=value,
                )
            )
        return out

    def role_counts(self, relation: str | None = None) -> dict[str, int]:
        """How many people hold each role (combined network by default)."""
        counts: dict[str, int] = dict.fromkeys(ROLES, 0)
        for p in self.network(relation).people.values():
            for r in p.roles:
                counts[r] += 1
        return counts

    # -- privacy -----------------------------------------------------------------
    def pseudonymised(
        self, rename: Callable[[str], str], order: Sequence[str], privacy: Privacy
    ) -> AnalysisResult:
        """A copy keyed by pseudonyms, people in ``order``, with nothing that links back.

        Use :meth:`lisa.privacy.Pseudonymiser.result` rather than calling this.
        """
        blocks = self._with_people(rename, order)
        rank = {pid: k for k, pid in enumerate(order)}
        findings = [
            f.model_copy(
                update={"people": [rename(p) for p in sorted(f.people, key=rank.__getitem__)]}
            )
            for f in self.findings
        ]
        summary = self.study_summary.model_copy(update={"source": None, "fingerprint": None})
        if self.tie_quality is not None:
            people = self.tie_quality.people
            blocks["tie_quality"] = self.tie_quality.model_copy(
                update={"people": {rename(p): people[p] for p in sorted(people, key=rank.__getitem__)}}
            )
        copy = self.model_copy(
            update={**blocks, "findings": findings, "study_summary": summary, "privacy": privacy}
        )
        copy._study = None
        return copy


def _encode(value: Any, indent: int | None, level: int) -> Iterator[bytes]:
    """One block of the document as JSON pieces, nested ``level`` deep (for its indentation).

    A model is encoded by its own serializer (in Rust, straight to bytes); a dict or
    list of blocks one item at a time, so neither a Python copy of the document nor
    the whole document's bytes are ever built.
    """
    if isinstance(value, BaseModel):
        text = value.__pydantic_serializer__.to_json(value, indent=indent)
    elif isinstance(value, dict | list) and value:
        keyed = isinstance(value, dict)
        pairs = value.items() if isinstance(value, dict) else ((None, v) for v in value)
        sep, colon = (b",", b":") if indent is None else (b",\n" + _pad(indent, level + 1), b": ")
        yield (b"{" if keyed else b"[") + (b"" if indent is None else b"\n" + _pad(indent, level + 1))
        for i, (key, item) in enumerate(pairs):
            yield (sep if i else b"") + (to_json(str(key)) + colon if keyed else b"")
            yield from _encode(item, indent, level + 1)
        yield (b"" if indent is None else b"\n" + _pad(indent, level)) + (b"}" if keyed else b"]")
        return
    else:
        text = to_json(value, indent=indent)
    yield text.replace(b"\n", b"\n" + _pad(indent, level)) if indent else text


def _pad(indent: int | None, level: int) -> bytes:
    return b" " * ((indent or 0) * level)


def _encode_blocks(result: AnalysisResult, indent: int | None) -> bytes:
    """The analysis JSON of ``result``: what its serializer gives, header keys first.

    Byte for byte what ``result.__pydantic_serializer__.to_json(result, indent=indent)``
    writes (tests/test_engine_fast.py checks it), without the document passing
    through Python objects first (the header-first wrap serializer builds them all):
    at 100,000 people that copy was gigabytes.
    """
    return b"".join(_chunks(result, indent))


def _chunks(result: AnalysisResult, indent: int | None) -> Iterator[bytes]:
    """The document of :func:`_encode_blocks` in pieces, one block at a time."""
    fields = type(result).model_fields
    keyed = {(info.alias or name): name for name, info in fields.items()}
    blocks = {}
    for key in [k for k in HEADER if k in keyed] + [k for k in keyed if k not in HEADER]:
        value = getattr(result, keyed[key])
        exclude = fields[keyed[key]].exclude_if
        if exclude is None or not exclude(value):
            blocks[key] = value
    yield from _encode(blocks, indent, 0)


def _recommendations(findings: Sequence[Finding]) -> list[Recommendation]:
    from lisa.assess.recommend import for_network

    return for_network(findings)


def analyse(
    study: Study,
    config: AnalysisConfig | None = None,
    *,
    progress: Progress | None = None,
    workers: int | None = None,
    reference: tuple[str, Sequence[float]] | None = None,
) -> AnalysisResult:
    """Analyse a study's networks, derive the findings and the recommendations they call for.

    Parameters
    ----------
    study
        A validated study (from :func:`lisa.io.load_study`, :func:`lisa.generate`
        or :func:`lisa.io.study_from_records`).
    config
        Role rules, thresholds, wave and non-response handling; defaults if None.
    progress
        Optional callback ``progress(task, done, total)`` for long analyses.
    workers
        Worker processes for the independent networks; None: the machine's cores
        (``LISA_WORKERS`` overrides), or this process alone for a small place.
        The result does not depend on it.
    reference
        Other places to judge high-networking against: (the set's name, their
        networking levels), as ``lisa compare`` gives them (``docs/compare.md``).

    Returns
    -------
    AnalysisResult
        ``.to_dict()`` is the JSON of ``docs/schema.md``.

    Raises
    ------
    ConfigError
        A setting names a wave or grouping the study does not have.

    Examples
    --------
    >>> import lisa
    >>> result = lisa.analyse(lisa.generate(80, seed=1))
    >>> result.combined.network.people
    80
    """
    from lisa import __version__
    from lisa.network import analyse_network

    config = config or AnalysisConfig()
    started = time.perf_counter()
    selected = study.for_wave(config.wave)
    network = analyse_network(selected, config, progress=progress, workers=workers)
    findings = evaluate(network, selected, config, reference=reference)
    summary = StudySummary(
        name=selected.name,
        people=selected.n_people,
        relations=selected.relation_names,
        ties=len(selected.ties),
        waves=list(study.waves),
        wave=config.wave or (study.waves[-1] if study.waves else None),
        source=selected.source,
        fingerprint=study_fingerprint(selected),
    )
    fields = dict(network)
    fields["computation"] = network.computation.model_copy(
        update={"seconds": round(time.perf_counter() - started, 3)}
    )
    result = AnalysisResult(
        **fields,
        lisa_version=__version__,
        study_summary=summary,
        config=config,
        findings=findings,
        recommendations=_recommendations(findings),
        tie_quality=tie_quality(selected, config.weighted_paths),
    )
    result._study = selected
    return result
