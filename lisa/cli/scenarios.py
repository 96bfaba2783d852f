"""Scenario commands: ``whatif`` and ``best-ties`` (docs/scenarios.md).

Each is thin: parse the options into the library's change models, call
:func:`lisa.scenarios.what_if` or :func:`lisa.scenarios.best_ties`, print the
difference, and write the typed result as JSON when asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from lisa.cli._app import app, console, handles_errors
from lisa.cli._options import (
    JsonOption,
    SetOption,
    StudyDir,
    WaveOption,
    check_outputs,
    config_from,
)
from lisa.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from lisa.scenarios.ties import BestTies, Objective
    from lisa.scenarios.whatif import Change, Measure, WhatIf


def _pair(text: str, option: str, sep: str = ":") -> tuple[str, str]:
    a, found, b = text.partition(sep)
    if not found or not a.strip() or not b.strip():
        raise ConfigError(f"{option} expects A{sep}B, got '{text}'")
    return a.strip(), b.strip()


def _changes(
    remove: list[str],
    groups: list[str],
    ties: list[str],
    intermediaries: list[str],
    exchanges: list[str],
    merges: list[str],
    relation: str | None,
) -> list[Change]:
    """The options as change models, in the order of the options' documentation."""
    from lisa.scenarios.whatif import (
        CORE_GROUP,
        AddIntermediary,
        AddTies,
        MergeOrganisations,
        RemoveGroup,
        RemovePeople,
        StaffExchange,
    )

    out: list[Change] = []
    if remove:
        out.append(RemovePeople(people=remove))
    for g in groups:
        if g.strip() == CORE_GROUP:
            out.append(RemoveGroup(grouping=CORE_GROUP))
        else:
            grouping, group = _pair(g, "--remove-group", "=")
            out.append(RemoveGroup(grouping=grouping, group=group))
    if ties:
        out.append(AddTies(pairs=[_pair(t, "--add-tie") for t in ties], relation=relation))
    for item in intermediaries:
        new_id, people = _pair(item, "--intermediary")
        tied = [p.strip() for p in people.split(",") if p.strip()]
        out.append(AddIntermediary(id=new_id, name=new_id, tied_to=tied, relation=relation))
    for item in exchanges:
        a, b = _pair(item, "--staff-exchange")
        out.append(StaffExchange(a=a, b=b, relation=relation))
    for item in merges:
        orgs = [o.strip() for o in item.split(",") if o.strip()]
        if len(orgs) < 2:
            raise ConfigError(f"--merge-orgs expects X,Y[,Z…], got '{item}'")
        out.append(MergeOrganisations(organisations=orgs))
    if not out:
        raise ConfigError(
            "say what changes: --remove, --remove-group, --add-tie, --intermediary, "
            "--staff-exchange or --merge-orgs"
        )
    return out


def _write_json(path: Path | None, result: BaseModel) -> None:
    """The typed result as JSON, when ``--json`` asked for it."""
    from lisa.files import atomic_write_text

    if path is not None:
        atomic_write_text(path, result.model_dump_json(indent=1))
        console.print(f"Written {path}", highlight=False)


def _num(x: float | None, share: bool, sign: bool = False) -> str:
    if x is None:
        return "–"
    if share:
        return f"{100 * x:+.1f} pts" if sign else f"{100 * x:.1f}%"
    if float(x).is_integer():
        return f"{int(x):+d}" if sign else f"{int(x)}"
    return f"{x:+.3f}" if sign else f"{x:.3f}"


def _measure_row(table: Table, label: str, m: Measure, share: bool = False) -> None:
    table.add_row(label, _num(m.before, share), _num(m.after, share), _num(m.change, share, True))


def print_what_if(w: WhatIf) -> None:
    """The difference as tables: what changed, the numbers, roles and findings."""
    for c in w.changes:
        console.print(f"• {c.description}", highlight=False)
    t = Table(title=f"Before and after (same settings, seed {w.seed})")
    for col in ("", "before", "after", "change"):
        t.add_column(col, justify="right" if col else "left")
    _measure_row(t, "people", w.people)
    _measure_row(t, "ties", w.ties)
    _measure_row(t, "two-step reach (everyone)", w.reach2, share=True)
    _measure_row(t, "two-step reach (people in both)", w.reach2_stayers, share=True)
    _measure_row(t, "components", w.components)
    _measure_row(t, "largest part", w.largest_component_share, share=True)
    for g, m in w.connected_difference.items():
        _measure_row(t, f"connected difference ({g})", m)
    for g, m in w.ei_index.items():
        _measure_row(t, f"E–I index ({g})", m)
    t.add_row("stable core overlap", "", f"{w.core.overlap:.2f}", "")
    console.print(t)
    gained = sum(len(r.gained) for r in w.roles)
    lost = sum(len(r.lost) for r in w.roles)
    left = sum(len(p.roles) for p in w.left)
    console.print(
        f"Roles: {gained} gained and {lost} lost by {len(w.roles)} people who stay; "
        f"{left} roles left with the {len(w.left)} people removed; "
        f"{len(w.joined)} people added.",
        highlight=False,
    )
    for f in w.findings:
        if f.change != "stays":
            headline = f.after if f.change == "appears" else f.before
            console.print(f"  {f.change:<10} {f.code}: {f.title} ({headline})", highlight=False)
        elif f.before != f.after:
            console.print(f"  {f.change:<10} {f.code}: {f.before} → {f.after}", highlight=False)


@app.command("whatif")
@handles_errors
def whatif_command(
    study: StudyDir,
    remove: Annotated[
        list[str] | None,
        typer.Option("--remove", help="A person leaves: id or unique name (repeatable)."),
    ] = None,
    remove_group: Annotated[
        list[str] | None,
        typer.Option(
            "--remove-group",
            help="A group leaves: GROUPING=VALUE (sector=council, organisation=…, layer=…, any "
            "roster column) or 'core' for the stable core (repeatable).",
            metavar="GROUPING=VALUE|core",
        ),
    ] = None,
    add_tie: Annotated[
        list[str] | None,
        typer.Option("--add-tie", help="A new tie both ways, A:B (repeatable).", metavar="A:B"),
    ] = None,
    intermediary: Annotated[
        list[str] | None,
        typer.Option(
            "--intermediary",
            help="A new person NEW_ID tied both ways to the people listed (repeatable).",
            metavar="NEW_ID:A,B,…",
        ),
    ] = None,
    staff_exchange: Annotated[
        list[str] | None,
        typer.Option(
            "--staff-exchange",
            help="Tie each member of the smaller organisation to one of the other's, X:Y.",
            metavar="X:Y",
        ),
    ] = None,
    merge_orgs: Annotated[
        list[str] | None,
        typer.Option("--merge-orgs", help="Organisations become one (the first name), X,Y.",
                     metavar="X,Y"),  # fmt: skip
    ] = None,
    relation: Annotated[
        str | None, typer.Option("--relation", help="Relation of new ties (default: every one).")
    ] = None,
    sets: SetOption = None,
    wave: WaveOption = None,
    json_out: JsonOption = None,
) -> None:
    """What if people left, ties were added or organisations merged? Analyse both, compare."""
    from lisa.io import load_study
    from lisa.scenarios.whatif import what_if

    config = config_from(sets, wave)
    if json_out is not None:
        check_outputs(study, [json_out])
    changes = _changes(
        remove or [], remove_group or [], add_tie or [], intermediary or [],
        staff_exchange or [], merge_orgs or [], relation,
    )  # fmt: skip
    result = what_if(load_study(study), changes, config)
    print_what_if(result)
    _write_json(json_out, result)


def print_best_ties(b: BestTies) -> None:
    """Each proposed tie in words, then the totals."""
    console.print(
        f"[bold]{len(b.ties)} new tie{'s' * (len(b.ties) != 1)}[/] for {b.objective} "
        f"(from {b.candidates:,} plausible pairs, at most {b.per_person} per person):",
        highlight=False,
    )
    for i, t in enumerate(b.ties, 1):
        console.print(f" {i}. {t.explanation}", highlight=False)
    console.print(
        f"{b.objective}: {b.objective_before:.4f} → {b.objective_after:.4f}. {b.method}",
        highlight=False,
    )
    if b.what_if is not None:
        print_what_if(b.what_if)


@app.command("best-ties")
@handles_errors
def best_ties_command(
    study: StudyDir,
    k: Annotated[int, typer.Option("-k", help="How many new ties to propose (1–100).")] = 5,
    objective: Annotated[
        str,
        typer.Option(
            "--objective",
            help="connected-difference (mean sector diversity of contacts) or core-risk "
            "(reach between sectors once the stable core has left).",
        ),
    ] = "connected-difference",
    per_person: Annotated[
        int, typer.Option("--per-person", help="Candidate bound: partners kept per person.")
    ] = 20,
    most: Annotated[
        int, typer.Option("--most-per-person", help="Most new ties proposed for any one person.")
    ] = 2,
    no_compare: Annotated[
        bool, typer.Option("--no-compare", help="Skip the second analysis with the ties added.")
    ] = False,
    sets: SetOption = None,
    wave: WaveOption = None,
    json_out: JsonOption = None,
) -> None:
    """Propose the k plausible new ties that most raise connected difference or cut the core risk."""
    from lisa.io import load_study
    from lisa.scenarios.ties import OBJECTIVES, best_ties

    if objective not in OBJECTIVES:
        raise ConfigError(f"unknown objective '{objective}': use one of {', '.join(OBJECTIVES)}")
    chosen: Objective = objective  # type: ignore[assignment]
    config = config_from(sets, wave)
    if json_out is not None:
        check_outputs(study, [json_out])
    result = best_ties(
        load_study(study), k, chosen, config, per_person=per_person, compare=not no_compare,
        most_per_person=most,
    )  # fmt: skip
    print_best_ties(result)
    _write_json(json_out, result)

