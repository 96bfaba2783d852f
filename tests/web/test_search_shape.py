"""The roster search's query shape: long queries use their own pieces only, and still find
names through a swapped, dropped or wrong letter."""

from __future__ import annotations

import random

from lisa.db import import_study, search_roster, session_factory
from lisa.db.search import VARIANTS_UP_TO, trigrams
from lisa.synth import generate


def test_long_queries_look_up_only_their_own_pieces() -> None:
    long = "Robisnon Grace"
    assert len(long) > VARIANTS_UP_TO
    assert trigrams(long) == [long.lower()[i : i + 3] for i in range(len(long) - 2)]
    short = trigrams("smtih")
    assert "smi" not in short[:3] and "mti" in short and len(short) > 3  # variants for a short one


def test_typos_in_long_names_are_still_found(engine) -> None:
    study = generate(1500, seed=21, name="Search place")
    with session_factory(engine).begin() as s:  # type: ignore[arg-type]
        row = import_study(s, study, "search")
        study_id = row.id
    rng = random.Random(4)
    names = [n for n in study.names if len(n) > VARIANTS_UP_TO]

    def swap(n: str) -> str:
        i = rng.randrange(1, len(n) - 2)
        return n[:i] + n[i + 1] + n[i] + n[i + 2 :]

    def drop(n: str) -> str:
        i = rng.randrange(1, len(n) - 1)
        return n[:i] + n[i + 1 :]

    def wrong(n: str) -> str:
        i = rng.randrange(1, len(n) - 1)
        return n[:i] + "x" + n[i + 1 :]

    with session_factory(engine)() as s:  # type: ignore[arg-type]
        for typo in (swap, drop, wrong):
            for name in rng.sample(names, 25):
                found = [m.name for m in search_roster(s, study_id, typo(name))]
                assert name in found, (typo.__name__, name)
