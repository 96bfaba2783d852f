"""Killing lisa (SIGKILL) at random points while it writes a study leaves the old or the new one.

A subprocess rewrites, imports into or deletes from a generated study folder
over and over; it is killed after a random delay. Then the folder must load
and its study files must equal, byte for byte, one of the versions the
subprocess writes; the user's own files must be untouched; nothing temporary
may be inside the study folder, and after the next lisa write nothing may be
left beside it either. Both swap methods are exercised (Linux's
``renameat2(RENAME_EXCHANGE)`` and the two-rename fallback with recovery).
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lisa.files import NEW_SUFFIX, OLD_SUFFIX, TEMP_SUFFIX
from lisa.io import (
    delete_person,
    load_study,
    read_survey_export,
    write_study,
    write_survey_ties,
)
from lisa.synth import generate

ITERATIONS = 36
MODES = ("write", "import", "delete")

WORKER = r"""
import sys
from pathlib import Path

import lisa.files
from lisa.errors import UnknownPerson
from lisa.io import delete_person, load_study, read_survey_export, write_study, write_survey_ties

mode, folder, versions, export, person, exchange = sys.argv[1:7]
folder, versions = Path(folder), Path(versions)
lisa.files.USE_RENAME_EXCHANGE = exchange == "1"
a, b = load_study(versions / "a"), load_study(versions / "b")
print("ready", flush=True)
while True:
    if mode == "write":
        write_study(a, folder)
        write_study(b, folder)
    elif mode == "import":
        write_survey_ties(read_survey_export(export, load_study(folder)), folder)
        write_study(a, folder)
    else:
        try:
            delete_person(folder, person)
        except UnknownPerson:  # killed last time between the deletion and the rewrite
            pass
        write_study(a, folder)
"""

STUDY_FILES = ("people.csv", "ties.csv", "relations.csv", "not_on_list.csv", "study.yaml")
USER_FILES = {"NOTES.md": b"Notes about our survey.\n", "letters/reply.txt": b"Thank you.\n"}


def tables(folder: Path) -> dict[str, str]:
    """Checksums of the study's own files (the audit log is checked separately)."""
    return {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in STUDY_FILES
        if (folder / name).exists()
    }


def add_user_files(folder: Path) -> None:
    for name, data in USER_FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The study versions each mode may leave, as file checksums."""
    root = tmp_path_factory.mktemp("versions")
    study = generate(60, seed=11, response_rate=0.8)
    write_study(study, root / "a")
    write_study(study.without_people([study.ids[5]]), root / "b")
    person, other = study.ids[3], study.ids[4]
    export = root / "export.csv"  # ids, not names: generated names may repeat
    ids = study.ids
    export.write_text(
        f"respondent,work,innovation\n{person},{ids[7]}; {ids[8]}; other: Jo from the library,\n"
        f"{other},{ids[9]},{ids[10]}\n",
        "utf-8",
    )
    imported = root / "imported"
    shutil.copytree(root / "a", imported)
    write_survey_ties(read_survey_export(export, load_study(imported)), imported)
    deleted = root / "deleted"
    shutil.copytree(root / "a", deleted)
    delete_person(deleted, person)
    a, b = tables(root / "a"), tables(root / "b")
    return {
        "root": root,
        "export": export,
        "person": person,
        "allowed": {
            "write": [a, b],
            "import": [a, tables(imported)],
            "delete": [a, tables(deleted)],
        },
    }


def lisa_leftovers(place: Path) -> list[str]:
    return [
        p.name for p in place.iterdir() if p.name.endswith((TEMP_SUFFIX, NEW_SUFFIX, OLD_SUFFIX))
    ]


def test_killing_a_write_at_any_point_leaves_the_old_or_the_new_study(
    tmp_path: Path, versions: dict[str, object]
) -> None:
    root = versions["root"]
    assert isinstance(root, Path)
    allowed: dict[str, list[dict[str, str]]] = versions["allowed"]  # type: ignore[assignment]
    rng = random.Random(20240611)
    folder = tmp_path / "study"
    seen: dict[str, set[int]] = {mode: set() for mode in MODES}
    for iteration in range(ITERATIONS):
        mode = MODES[iteration % len(MODES)]
        exchange = "1" if iteration % 2 else "0"
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(root / "a", folder)
        add_user_files(folder)
        worker = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                mode,
                str(folder),
                str(root),
                str(versions["export"]),
                str(versions["person"]),
                exchange,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == b"ready", worker.stderr.read()  # type: ignore[union-attr]
        time.sleep(rng.uniform(0.0, 0.25))
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        assert worker.returncode == -signal.SIGKILL, worker.stderr.read()  # type: ignore[union-attr]

        study = load_study(folder)  # loads (recovering a half-done two-rename swap)
        state = tables(folder)
        assert state in allowed[mode], f"iteration {iteration} ({mode}): a mix of versions"
        seen[mode].add(allowed[mode].index(state))
        assert study.n_people in (59, 60)
        for name, data in USER_FILES.items():
            assert (folder / name).read_bytes() == data
        inside = {p.name for p in folder.iterdir()}
        assert inside <= {*STUDY_FILES, "audit.log", "NOTES.md", "letters"}, inside
        for line in (
            (folder / "audit.log").read_text("utf-8").splitlines()
            if (folder / "audit.log").exists()
            else []
        ):
            json.loads(line)  # whole lines only

        write_study(load_study(folder), folder)  # the next lisa write sweeps what the kill left
        assert lisa_leftovers(tmp_path) == [] and lisa_leftovers(folder) == []
        for lock in tmp_path.glob(".*.lisa-lock"):
            assert lock.read_bytes() == b""  # a lock file holds nothing
    # the kills landed on both sides of the swaps
    assert any(1 in states for states in seen.values()) and all(0 in s for s in seen.values()), seen
