"""The database: migrations, lossless study import/export, roster search (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import inspect

from lisa.db import export_study, import_study, search_roster, session_factory, study_from_db
from lisa.db.models import Base, StudyRow
from lisa.errors import ConfigError, StudyNotFound
from lisa.io import load_study, write_study
from lisa.synth import generate

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.name != "audit.log"
    }


def test_migrations_create_every_table_of_the_models(engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_folder_round_trips_byte_for_byte(engine, tmp_path: Path) -> None:
    study = generate(60, seed=3, response_rate=0.7, name="Round trip")
    source = write_study(study, tmp_path / "in")
    Session = session_factory(engine)
    with Session.begin() as s:
        import_study(s, load_study(source), "round-trip")
    with Session() as s:
        export_study(s, "round-trip", tmp_path / "out")
    assert _digest(tmp_path / "out") == _digest(source)


def test_extra_columns_waves_blank_response_and_unlisted_survive(engine, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "people.csv").write_text(
        "id,name,organisation,sector,layer,responded,Team\n"
        "a,Ann <b>,Org,health,systemic,yes,red\nb,Bob,Org,health,frontline,,blue\n"
        "c,Cai,Org2,education,,no,\n",
        "utf-8",
    )
    (folder / "ties.csv").write_text(
        "source,target,relation,weight,wave,How often\n"
        "a,b,work,1.0,2024,weekly\na,c,work,2.5,2025,monthly\nb,a,social,1.0,2025,\n",
        "utf-8",
    )
    (folder / "not_on_list.csv").write_text("respondent,relation,text,wave\na,work,Dee from the council,2025\n")
    original = load_study(folder)
    write_study(original, tmp_path / "canonical")
    Session = session_factory(engine)
    with Session.begin() as s:
        import_study(s, original, "shapes")
    with Session() as s:
        back = study_from_db(s, "shapes")
        export_study(s, "shapes", tmp_path / "out")
    assert back.waves == ["2024", "2025"]
    assert back.response_unknown.tolist() == [False, True, False]
    assert list(back.ties.attributes) == ["How often"]
    assert back.not_on_list == original.not_on_list
    assert _digest(tmp_path / "out") == _digest(tmp_path / "canonical")


def test_duplicate_or_bad_short_name_is_refused_and_nothing_changes(engine, tmp_path: Path) -> None:
    study = generate(50, seed=1, name="Dup")
    Session = session_factory(engine)
    with Session.begin() as s:
        import_study(s, study, "dup")
    for slug in ("dup", "Bad Name", "../x"):
        with pytest.raises(ConfigError), Session.begin() as s:
            import_study(s, study, slug)
    with Session() as s:
        assert [r.slug for r in s.query(StudyRow)] == ["dup"]
        assert study_from_db(s, "dup").n_people == 50
        with pytest.raises(StudyNotFound):
            study_from_db(s, "nope")


def test_search_is_typo_tolerant_and_stays_in_its_study(engine) -> None:
    from lisa.io import study_from_records

    people = [
        {"id": "p1", "name": "Anna Smith", "organisation": "Council"},
        {"id": "p2", "name": "Bertram Jones", "organisation": "Clinic"},
        {"id": "p3", "name": "Chidi Okafor", "organisation": "School"},
    ]
    ties = [{"source": "p1", "target": "p2", "relation": "work"}]
    other = [{"id": "q1", "name": "Anna Smithson", "organisation": "Elsewhere"}, {"id": "q2"}]
    Session = session_factory(engine)
    with Session.begin() as s:
        mine = import_study(s, study_from_records(people, ties, name="Mine"), "mine")
        import_study(s, study_from_records(other, [{"source": "q1", "target": "q2",
                                                     "relation": "work"}], name="Other"), "other")
    with Session() as s:
        for typed in ("smtih", "Anna", "okafr", "bertram jnes", "an"):
            found = search_roster(s, mine.id, typed)
            assert found, typed
            assert all(m.pid.startswith("p") for m in found), typed
        assert search_roster(s, mine.id, "smtih")[0].name == "Anna Smith"
        assert search_roster(s, mine.id, "okafr")[0].pid == "p3"
        assert search_roster(s, mine.id, "") == []
        assert search_roster(s, mine.id, "zzzzqqq") == []
        assert search_roster(s, mine.id, "\"' OR 1=1 --") == []


def test_every_web_setting_is_documented() -> None:
    from lisa.web import WebSettings

    page = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text("utf-8")
    for name in WebSettings.model_fields:
        assert f"`{name}`" in page, name


def test_migrations_match_the_models(engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    # the search index (FTS5 table / trigram index) is the migration's own, not a model's
    diff = [d for d in diff if "people_search" not in str(d)]
    assert diff == []
