"""Every analysis setting and threshold, declared once.

The role rules, the core–periphery method, the sampling budget and each
finding's thresholds live here, with their defaults and a one-line help. The
CLI (``--set name=value``), the docs (``docs/method.md``, ``docs/findings.md``)
and the JSON output (``result["config"]``) all read this one model, so a
threshold is never written twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal, Self

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from lisa.errors import ConfigError

#: How non-respondents' missing ties are handled.
ImputeMode = Literal["none", "reciprocity"]

#: The largest seed lisa accepts (NumPy takes any non-negative integer; this keeps it to 64 bits).
MAX_SEED = 2**64 - 1


def _whole_seed(value: object) -> object:
    """A seed is a whole number from 0 to MAX_SEED (not a bool, not 1.5; digits as text are
    fine, as ``--set seed=7`` gives them)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise _bad_seed(value)
    if not 0 <= int(value) <= MAX_SEED:
        raise _bad_seed(value)
    return int(value)


def _bad_seed(value: object) -> PydanticCustomError:
    return PydanticCustomError(
        "seed",
        "the seed must be a whole number from 0 to {top}, not {value}",
        {"top": MAX_SEED, "value": repr(value)},
    )


#: A random seed, validated the same way wherever lisa takes one.
Seed = Annotated[int, BeforeValidator(_whole_seed)]


def parse_assignments(items: Sequence[str] | None, option: str = "--set") -> dict[str, str]:
    """``["a=1", "b = x"]`` → ``{"a": "1", "b": "x"}``, the form of ``--set`` and ``--rule``.

    Raises :class:`~lisa.errors.ConfigError` for an item without ``=``.

    >>> parse_assignments(["stall_years=4"], "--rule")
    {'stall_years': '4'}
    """
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise ConfigError(f"{option} expects NAME=VALUE, got '{item}'")
        key, value = item.split("=", 1)
        out[key.strip()] = value.strip()
    return out


class Settings(BaseModel):
    """Base of lisa's settings models: built from ``NAME=VALUE`` overrides, described for docs."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    @classmethod
    def from_overrides(
        cls, overrides: dict[str, str] | None = None, **kwargs: object
    ) -> Self:
        """Build the settings from ``name=value`` strings (the CLI's ``--set`` or ``--rule``).

        Raises :class:`~lisa.errors.ConfigError` naming the setting and the value when a
        name is unknown or a value does not fit.
        """
        data: dict[str, object] = dict(kwargs)
        for key, value in (overrides or {}).items():
            if key not in cls.model_fields:
                raise ConfigError(
                    f"unknown setting '{key}'; settings are: {', '.join(sorted(cls.model_fields))}"
                )
            annotation = str(cls.model_fields[key].annotation)
            if "tuple" in annotation and isinstance(value, str):
                data[key] = tuple(v.strip() for v in value.split(",") if v.strip())
            else:
                data[key] = value
        try:
            return cls(**data)  # type: ignore[arg-type]
        except ValidationError as exc:
            first = exc.errors()[0]
            if not first["loc"]:  # a rule between settings, e.g. weak <= strong
                raise ConfigError(str(first["msg"]).removeprefix("Value error, ")) from None
            name = ".".join(str(p) for p in first["loc"])
            raise ConfigError(
                f"bad value for setting '{name}': {first.get('input')!r} ({first['msg']})"
            ) from None

    @classmethod
    def describe(cls) -> list[tuple[str, object, str]]:
        """(name, default, help) for every setting, for docs and the ``settings`` commands."""
        return [(name, f.default, f.description or "") for name, f in cls.model_fields.items()]


class AnalysisConfig(Settings):
    """Settings for :func:`lisa.analyse`. All have defaults; see ``docs/method.md``."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # -- which data ---------------------------------------------------------
    wave: str | None = Field(None, description="Survey wave to analyse; default the latest.")
    impute: ImputeMode = Field(
        "none",
        description="Non-respondent handling: 'reciprocity' adds j→i for every tie i→j "
        "naming a non-respondent j (Stork & Richards 1992; Huisman 2009).",
    )
    groupings: tuple[str, ...] = Field(
        ("layer", "sector", "organisation"),
        description="Roster attributes used for brokerage roles and mixing.",
    )

    # -- roles --------------------------------------------------------------
    hub_quantile: float = Field(
        0.9, ge=0, le=1, description="Hub: in-degree at or above this quantile of the network."
    )
    hub_min_in_degree: int = Field(3, ge=1, description="Hub: and at least this many nominations.")
    gatekeeper_quantile: float = Field(
        0.9, ge=0, le=1, description="Gatekeeper: betweenness at or above this quantile (and > 0)."
    )
    gatekeeper_min_cut: int = Field(
        2,
        ge=1,
        description="Gatekeeper: or an articulation point whose removal cuts off at least this "
        "many people from the rest.",
    )
    pulsetaker_reach_quantile: float = Field(
        0.75, ge=0, le=1, description="Pulsetaker: two-step reach at or above this quantile…"
    )
    pulsetaker_degree_quantile: float = Field(
        0.5, ge=0, le=1, description="…with direct contacts at or below this quantile."
    )

    # -- core–periphery -----------------------------------------------------
    core_min_size: int = Field(3, ge=2, description="Smallest core the fit may return.")
    stable_core_share: float = Field(
        0.75,
        ge=0,
        le=1,
        description="A person is in the stable core if in the core of at least this share of "
        "the relations.",
    )
    core_max_share: float = Field(
        0.25,
        ge=0,
        le=1,
        description="exclusive-core and core-departure-risk: a stable core holding more than "
        "this share of the people is no small core group, and neither fires.",
    )

    # -- computation --------------------------------------------------------
    exact_limit: int = Field(
        200_000_000,
        ge=0,
        description="Compute betweenness and closeness exactly while people × arcs of the "
        "place's combined network is at most this; above it, every network of the place is "
        "estimated from the same sampled sources (Brandes & Pich 2007): decided once per place.",
    )
    samples: int = Field(
        64,
        ge=16,
        description="Fewest sampled source people when estimating (more when the exact_limit "
        "budget allows: exact_limit / the combined network's arcs). Gatekeepers the bootstrap "
        "over the sources does not confirm are never named, so fewer sources name fewer, not "
        "wrong, gatekeepers (docs/method.md).",
    )
    role_stability: float = Field(
        0.9,
        gt=0,
        le=1,
        description="Where betweenness is estimated, a person is called a gatekeeper on "
        "betweenness only if at least this share of the bootstrap replicates agree; the "
        "others are counted as uncertain, never named.",
    )
    role_replicates: int = Field(
        200, ge=10, description="Bootstrap replicates over the sampled sources' batches."
    )
    seed: Seed = Field(
        0,
        description="Seed for sampling and random baselines (each draws from its own named "
        "stream of this seed).",
    )
    weighted_paths: bool = Field(
        False,
        exclude_if=lambda on: not on,  # an analysis without it keeps its JSON unchanged
        description="Tie quality: also compute betweenness and closeness with arc length "
        "1/weight (Opsahl et al. 2010), for a study with tie weights.",
    )
    resilience_top_k: int = Field(
        10, ge=1, description="How many top hubs leave in the hub scenario."
    )

    # -- intermediaries (docs/method.md, "Intermediaries") ----------------------
    intermediary_quantile: float = Field(
        0.9,
        ge=0,
        le=1,
        description="Intermediary: between-sector or between-layer brokerage (Gould–Fernandez "
        "representative + gatekeeper + liaison) at or above this quantile (and > 0), for people "
        "and for organisations; and the organisations-reached quantile.",
    )
    intermediary_min_organisations: int = Field(
        3,
        ge=1,
        description="Intermediary across organisations: tied to people of at least this many "
        "other organisations (and at or above intermediary_quantile of the place).",
    )
    intermediary_min_outside: int = Field(
        1,
        ge=1,
        description="Intermediary outside the place: tied to at least this many people the "
        "roster marks as outside the place (the optional 'outside' column).",
    )

    # -- findings -----------------------------------------------------------
    min_group_size: int = Field(
        5, ge=1, description="Groups smaller than this are not judged in group findings."
    )
    response_name_individuals: float = Field(
        0.8,
        ge=0,
        le=1,
        description="Name individual people in findings only at this response rate.",
    )
    response_broad_patterns: float = Field(
        0.65, ge=0, le=1, description="Below this response rate even broad patterns are unreliable."
    )
    thin_group_respondents: int = Field(
        3,
        ge=1,
        description="A layer or sector with fewer respondents than this (or all its people, if "
        "fewer) is too thin to judge.",
    )
    exclusive_core_overlap: float = Field(
        0.5, ge=0, le=1, description="exclusive-core: mean Jaccard overlap of the relations' cores."
    )
    exclusive_core_concentration: float = Field(
        0.8,
        ge=0,
        le=1,
        description="exclusive-core: share of the stable core drawn from its two largest sectors.",
    )
    excluded_group_ratio: float = Field(
        0.25,
        ge=0,
        le=1,
        description="excluded-group: the group's share of core places over its share of people "
        "is at most this.",
    )
    departure_reach_loss: float = Field(
        0.25,
        ge=0,
        le=1,
        description="core-departure-risk: the stable core leaving cuts the others' mean reach by "
        "at least this share…",
    )
    departure_vs_random: float = Field(
        2.0,
        ge=1,
        description="…and by at least this many times what as many random people do (for "
        "brokerage: this many times the core's share of the people).",
    )
    departure_between_loss: float = Field(
        0.5,
        ge=0,
        le=1,
        description="core-departure-risk, or: the stable core leaving cuts the others' two-step "
        "reach between sectors or between layers by at least this share (and departure_vs_random "
        "times random)…",
    )
    departure_brokerage_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="…or the stable core holds at least this share of the between-sector or "
        "between-layer brokerage (Gould–Fernandez representative, gatekeeper and liaison).",
    )
    connected_difference_min: float = Field(
        0.5,
        ge=0,
        le=1,
        description="low-connected-difference: mean normalised sector diversity of contacts "
        "(IQV) below this.",
    )
    thin_links_ratio: float = Field(
        0.5,
        ge=0,
        le=1,
        description="thin-*-links: a block's density below this share of the whole network's.",
    )
    isolated_share: float = Field(
        0.0, ge=0, le=1, description="isolated-people: fires when more than this share is isolated."
    )
    high_networking_ties: float = Field(
        4.0,
        ge=0,
        description="high-networking: mean people named per respondent per relation at least this.",
    )
    high_networking_reference_quantile: float = Field(
        0.75,
        ge=0,
        le=1,
        description="high-networking against other places (lisa compare): the networking level "
        "must be above this quantile of theirs.",
    )
    reference_min_places: int = Field(
        5,
        ge=1,
        description="lisa compare: a percentile, or a judgement against other places, needs at "
        "least this many other places with the indicator.",
    )
