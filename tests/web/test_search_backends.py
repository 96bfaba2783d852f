"""The same typo'd names are found on SQLite (FTS5 trigram) and on PostgreSQL (pg_trgm).

The roster is built so that a typo'd name has more than the search's
:data:`~lisa.db.search.CANDIDATES` neighbours as close to it by trigrams as
the name meant (every "X Singh" for "Uan Singh": the benchmark's case at
20,000 people), and the queries are the benchmark's typo (two neighbouring
letters swapped) in whole names and in a first name or surname typed alone
(the short queries the live search sends).
"""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import Engine, insert, text

from lisa.db import engine_for, import_study, search_roster, session_factory, upgrade
from lisa.db.models import PersonRow
from lisa.db.search import CANDIDATES
from lisa.db.studies import searchable
from lisa.synth import FIRST, generate
from tests.web.conftest import Postgres

SURNAMES = ("Singh", "Scott", "Ali")
COPIES = 3  # "Una Singh", "Una Singh 2", "Una Singh 3" (as the generator names namesakes)
#: By hand (what a name found starts with, what was typed): whole names PostgreSQL missed in
#: the benchmark, and first names alone.
CASES = [("Una Singh", "Uan Singh"), ("Will Scott", "Wlil Scott"), ("Una Ali", "Uan Ali"),
         ("Tara Singh", "Traa Singh"), ("Zoe Scott", "Zeo Scott"), ("Yusuf Ali", "Yuusf Ali"),
         ("Will ", "Wlil"), ("Yusuf ", "Yuusf"), ("James ", "Jmaes"), ("Priya ", "Pirya"),
         ("Sophie ", "Sohpie")]


def _swap(name: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def _crowded(url: str) -> tuple[Engine, int]:
    """A database with a study whose roster has every first name with each surname, three
    times over (after 50 generated people)."""
    names = [f"{f} {s}" + (f" {k}" if k > 1 else "") for s in SURNAMES for f in FIRST
             for k in range(1, COPIES + 1)]
    assert len(FIRST) * COPIES > CANDIDATES  # more namesakes of a surname than candidates
    engine = engine_for(url)
    upgrade(engine)
    with session_factory(engine).begin() as s:
        row = import_study(s, generate(50, seed=5, name="Crowded place"), "crowded")
        s.execute(insert(PersonRow), [{"study_id": row.id, "position": 100 + i, "pid": f"c{i}",
                                       "name": n, "organisation": "Org", "sector": "public"}
                                      for i, n in enumerate(names)])
        searchable(s)
        return engine, row.id


def _found(url: str, cases: list[tuple[str, str]]) -> set[tuple[str, str]]:
    engine, study_id = _crowded(url)
    try:
        with session_factory(engine)() as s:
            return {(wanted, typo) for wanted, typo in cases
                    if any(m.name.startswith(wanted) for m in search_roster(s, study_id, typo))}
    finally:
        engine.dispose()


def test_postgres_finds_the_typos_sqlite_finds(postgres: Postgres, tmp_path: Path) -> None:
    rng = random.Random(8)
    whole = [f"{f} {s}" for s in SURNAMES for f in FIRST if len(f) >= 3]
    cases = CASES + [(n, _swap(n, rng)) for n in rng.sample(whole, 60)]
    # a first name alone, swapped: every one is found, also of 4 letters ("Traa": some
    # variant of a short query keeps a three-letter piece of the name through the swap)
    cases += [(f + " ", _swap(f, rng)) for f in FIRST if len(f) >= 4]
    cases += [("Cara ", "Caar"), ("Zoe ", "Zeo"), ("Tara ", "Traa"), ("Omar ", "Oamr")]
    on_sqlite = _found(f"sqlite:///{tmp_path / 'lisa.sqlite3'}", cases)
    on_postgres = _found(postgres.new_database(), cases)
    assert on_sqlite - on_postgres == set()
    assert [c for c in cases if c not in on_sqlite] == []
    assert [c for c in cases if c not in on_postgres] == []


def test_postgres_search_uses_the_trigram_index(postgres: Postgres) -> None:
    """EXPLAIN of the candidates' query on a 5,000-person roster, for a whole name and short
    queries with their variants: the trigram index, never a scan of the whole table."""
    from sqlalchemy import text

    from lisa.db.search import _PG_SETTINGS, _escaped, _postgres_query, trigrams, variants

    engine = engine_for(postgres.new_database())
    upgrade(engine)
    try:
        with session_factory(engine).begin() as s:
            study_id = import_study(s, generate(5000, seed=6, name="Big place"), "big").id
        with session_factory(engine)() as s:
            for q in ("uan singh", "wlil", "jmaes"):
                each = variants(q)
                pieces = [q] + (list(dict.fromkeys(trigrams(q))) if len(each) > 1 else [])
                s.execute(_PG_SETTINGS)
                plan = "\n".join(s.scalars(text("EXPLAIN " + _postgres_query(len(each)).text), {
                    "pieces": [f"%{_escaped(p)}%" for p in pieces], "study": study_id, "n": 200,
                    **{f"v{i}": v for i, v in enumerate(each)}}))
                assert "people_search" in plan and "Seq Scan" not in plan, plan
                s.rollback()
    finally:
        engine.dispose()


def test_one_or_two_letters_use_the_prefix_index_on_postgres(postgres: Postgres, tmp_path: Path) -> None:
    """The live search's first request (two letters) has no three-letter piece: on PostgreSQL
    it is looked up as the start of the name through its B-tree index, not by reading the
    study's whole roster; both backends list the same names, in name order."""
    from sqlalchemy import func, select

    from lisa.db.models import PersonRow

    found = {}
    for url in (postgres.new_database(), f"sqlite:///{tmp_path / 'lisa.sqlite3'}"):
        engine = engine_for(url)
        upgrade(engine)
        try:
            with session_factory(engine).begin() as s:
                study_id = import_study(s, generate(5000, seed=6, name="Big place"), "big").id
            with session_factory(engine)() as s:
                found[engine.dialect.name] = [(m.name, m.pid) for m in search_roster(s, study_id, "Ja")]
                if engine.dialect.name == "postgresql":
                    s.execute(text("ANALYZE people"))
                    query = (select(PersonRow.pid).where(
                        PersonRow.study_id == study_id,
                        func.lower(PersonRow.name).like(func.lower("ja%"), escape="\\")))
                    plan = "\n".join(s.scalars(text("EXPLAIN " + str(query.compile(
                        engine, compile_kwargs={"literal_binds": True})))))
                    assert "people_search_prefix" in plan and "Seq Scan" not in plan, plan
        finally:
            engine.dispose()
    assert found["postgresql"] == found["sqlite"]
    assert found["sqlite"] and all(name.lower().startswith("ja") for name, _ in found["sqlite"])
