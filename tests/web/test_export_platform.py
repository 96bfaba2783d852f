"""``lisa db export`` then ``lisa db import`` gives back the same study: tables, survey set-up,
per-tie items and their answers, respondents' answers, waves, dates, retention, innovations —
on SQLite and PostgreSQL; a hostile platform file is refused whole and nothing is stored."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from lisa.db import session_factory
from lisa.db.assessments import AssessorRow, InnovationRow
from lisa.db.export import PLATFORM_FILE
from lisa.db.models import (
    AccountRow,
    AnswerRow,
    PersonRow,
    RelationRow,
    StudyRow,
    TieItemRow,
    TieRow,
    UnlistedRow,
)
from tests.web.test_assessments import ANN, BOB, _fill, _innovation, _links
from tests.web.test_tie_items import _path, cli, ready, start

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _when(value: datetime | None) -> str | None:
    """A time as UTC text (SQLite gives naive times back, PostgreSQL aware ones)."""
    if value is None:
        return None
    return (value.replace(tzinfo=None) if value.tzinfo is None else
            value.astimezone(tz=None).replace(tzinfo=None)).isoformat()


def everything(sessions, slug: str) -> dict[str, Any]:  # noqa: ANN001
    """Every stored fact of one study, without row ids, its short name or link hashes."""
    with sessions() as s:
        study = s.scalar(select(StudyRow).where(StudyRow.slug == slug))
        assert study is not None
        sid = study.id
        pids = dict(s.execute(select(PersonRow.id, PersonRow.pid).where(PersonRow.study_id == sid)).tuples().all())
        rels = dict(s.execute(select(RelationRow.id, RelationRow.name).where(RelationRow.study_id == sid)).tuples().all())
        emails = dict(s.execute(select(AccountRow.id, AccountRow.email)).tuples().all())

        def cols(row: Any, leave: set[str]) -> dict[str, Any]:
            out = {c.key: getattr(row, c.key) for c in row.__mapper__.columns if c.key not in leave}
            return {k: _when(v) if isinstance(v, datetime) else v for k, v in out.items()}

        def rows(table: Any, *order: Any) -> list[Any]:
            return list(s.scalars(select(table).where(table.study_id == sid).order_by(*order)))

        out: dict[str, Any] = {"study": cols(study, {"id", "slug"})}
        out["people"] = [cols(p, {"id", "study_id"}) for p in rows(PersonRow, PersonRow.position)]
        out["relations"] = [cols(r, {"id", "study_id"}) for r in rows(RelationRow, RelationRow.position)]
        out["ties"] = [(pids[t.source_id], pids[t.target_id], rels[t.relation_id],
                        cols(t, {"id", "study_id", "source_id", "target_id", "relation_id"}))
                       for t in rows(TieRow, TieRow.id)]
        out["not_on_list"] = [(pids[u.respondent_id], cols(u, {"id", "study_id", "respondent_id"}))
                              for u in rows(UnlistedRow, UnlistedRow.id)]
        out["tie_items"] = [(rels[i.relation_id], cols(i, {"id", "study_id", "relation_id"}))
                            for i in rows(TieItemRow, TieItemRow.relation_id, TieItemRow.position)]
        out["answers"] = [(pids[a.person_id], emails.get(a.proxy_account_id),
                           cols(a, {"id", "study_id", "person_id", "proxy_account_id"}))
                          for a in rows(AnswerRow, AnswerRow.id)]
        out["innovations"] = [
            (cols(i, {"id", "study_id"}),
             [cols(a, {"id", "innovation_id", "token_hash"}) for a in s.scalars(
                 select(AssessorRow).where(AssessorRow.innovation_id == i.id).order_by(AssessorRow.id))])
            for i in rows(InnovationRow, InnovationRow.id)]
    return out


def _rich_study(client) -> None:  # noqa: ANN001
    """A study with everything the platform holds: set-up, items, answers of every kind, a proxy
    entry, a 'not on the list' name, retention, templates, a second wave, innovations."""
    fac, links, _ = ready(client)
    fac.post("/studies/northfield/settings", {"consent": "We keep answers <2 years>. Ça va ?",
                                              "opens": "2026-01-05", "closes": "2099-03-01"})
    fac.post("/studies/northfield/relations", {"question-work": "Whose work do you rely on? ‮RTL"})
    fac.post("/studies/northfield/retention", {"delete_after": "2099-06-30", "roster": "yes"})
    fac.post("/studies/northfield/mail/templates", {
        "invitation-subject": "Please answer: {study}", "invitation-body": "Hello {name}, {link}",
        "reminder-subject": "Still open", "reminder-body": "{link} until {closes}"})
    base, csrf, _ = start(client, links["p1"], ["p2", "p3"])
    client.post(f"{base}/step/1/items", data={"csrf": csrf, "go": "next", "item:frequency:p2": "monthly",
                                              "item:trust:p3": "2"})
    client.post(f"{base}/submit", data={"csrf": csrf})
    proxy = fac.post("/studies/northfield/proxy", {"id": "p2"}, follow_redirects=False)
    base = proxy.headers["location"]  # entered for p2 by the owner,
    csrf = re.findall(r'name="csrf" value="([^"]+)"', client.get(base).text)[-1]  # not sign-out's
    client.post(f"{base}/consent", data={"csrf": csrf})
    client.post(f"{base}/step/0", data={"csrf": csrf, "pick": ["p4"], "go": "next"})
    client.post(f"{base}/step/2", data={"csrf": csrf, "pick": [], "unlisted": "Zed Unlisted, Mill",
                                        "go": "next"})  # with a name not on the list
    client.post(f"{base}/submit", data={"csrf": csrf})
    base, csrf, _ = start(client, links["p3"], ["p1"])
    client.post(f"{base}/withdraw", data={"csrf": csrf})
    base, csrf, _ = start(client, links["p4"], ["p1"])  # saved half-way with an item answered
    client.post(f"{base}/step/1/items", data={"csrf": csrf, "go": "later", "item:trust:p1": "4"})
    youth = _innovation(fac)
    assessors = _links(fac, youth, "Ann\nBob\nCy")
    _fill(client, assessors["Ann"], ANN)
    _fill(client, assessors["Bob"], BOB, go="save")


def test_export_then_import_gives_back_the_same_study(db_url: str, tmp_path: Path) -> None:
    from tests.web.conftest import make_client

    client = make_client(db_url, tmp_path)
    with client:
        _rich_study(client)
        sessions = session_factory(client.app.state.engine)
        r = cli("db", "export", "northfield", tmp_path / "out", "--database-url", db_url)
        assert r.exit_code == 0, r.output
        assert "platform.json" in r.output
        r = cli("db", "import", tmp_path / "out", "--name", "copy", "--database-url", db_url)
        assert r.exit_code == 0, r.output
        original, copy = everything(sessions, "northfield"), everything(sessions, "copy")
        # the study really holds what the round trip must keep
        assert original["tie_items"] and original["innovations"][0][1][0]["state"] == "submitted"
        assert {a[2]["state"] for a in original["answers"]} == {"submitted", "draft", "withdrawn"}
        assert {t[3]["origin"] for t in original["ties"]} == {"survey"}
        assert original["not_on_list"], original["answers"]
        assert original["study"]["delete_roster_too"] is True
        assert "RTL" in original["relations"][0]["question"]
        assert [(a[0], a[1]) for a in original["answers"] if a[1]] == [("p2", "fac@example.org")]
        drafts = [a[2]["answers"] for a in original["answers"] if a[0] == "p4"]
        assert drafts[0]["items"]["work"] == {"p1": {"trust": "4"}}  # a draft's per-tie answer
        for part in original:
            assert copy[part] == original[part], part
        # links are credentials, not study data: the copy's assessors have new ones
        with sessions() as s:
            hashes = {slug: set(s.scalars(select(AssessorRow.token_hash).join(InnovationRow).join(
                StudyRow, StudyRow.id == InnovationRow.study_id).where(StudyRow.slug == slug)))
                for slug in ("northfield", "copy")}
        assert len(hashes["copy"]) == 3 and not hashes["copy"] & hashes["northfield"]
        assert "token" not in (tmp_path / "out" / PLATFORM_FILE).read_text("utf-8")
        # exporting the copy gives the same files again
        r = cli("db", "export", "copy", tmp_path / "again", "--database-url", db_url)
        assert r.exit_code == 0, r.output
        for name in ("people.csv", "ties.csv", "relations.csv", "not_on_list.csv", PLATFORM_FILE):
            assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "out" / name).read_bytes(), name
        # a workbook export carries it beside the workbook, and imports back the same
        r = cli("db", "export", "northfield", tmp_path / "book.xlsx", "--xlsx", "--database-url", db_url)
        assert r.exit_code == 0 and (tmp_path / "book-platform.json").is_file()
        r = cli("db", "import", tmp_path / "book.xlsx", "--name", "book", "--database-url", db_url)
        assert r.exit_code == 0, r.output
        book = everything(sessions, "book")
        for part in original:
            assert book[part] == original[part], part


def _digest(sessions) -> str:  # noqa: ANN001
    with sessions() as s:
        values = [repr(sorted({c.key: getattr(row, c.key) for c in t.__mapper__.columns}.items()))
                  for t in (StudyRow, PersonRow, TieRow, TieItemRow, AnswerRow, InnovationRow, AssessorRow)
                  for row in s.scalars(select(t).order_by(*t.__table__.primary_key.columns))]
    return hashlib.sha256("\n".join(values).encode()).hexdigest()


def _edit(folder: Path, change) -> Path:  # noqa: ANN001
    data = json.loads((folder / PLATFORM_FILE).read_text("utf-8"))
    change(data)
    (folder / PLATFORM_FILE).write_text(json.dumps(data), "utf-8")
    return folder


def test_a_hostile_platform_file_is_refused_whole_and_nothing_changes(tmp_path: Path) -> None:
    from tests.web.conftest import make_client

    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    client = make_client(url, tmp_path)
    with client:
        _rich_study(client)
        sessions = session_factory(client.app.state.engine)
        assert cli("db", "export", "northfield", tmp_path / "out", "--database-url", url).exit_code == 0
        before = _digest(sessions)

        def put(key: str, value: object):  # noqa: ANN202
            return lambda d: d.__setitem__(key, value)

        def first(part: str, key: str, value: object):  # noqa: ANN202
            return lambda d: d[part][0].__setitem__(key, value)

        cases = {
            "not-json": None,
            "unknown-field": put("owner_password", "x"),
            "bad-format": put("format", 99),
            "ties-out-of-range": put("survey_ties", [[0, 10_000]]),
            "ties-backwards": put("survey_ties", [[1, 0]]),
            "stranger-answers": first("answers", "person", "nobody"),
            "answers-naming-a-stranger": first("answers", "answers", {"names": ["nobody"]}),
            "answers-of-a-bad-shape": first("answers", "answers", {"names": "p1; p2"}),
            "bad-state": first("answers", "state", "hacked"),
            "unknown-relation-item": first("tie_items", "relation", "no-such"),
            "reserved-item-key": first("tie_items", "key", "source"),
            "item-without-choices": first("tie_items", "choices", []),
            "negative-weight": lambda d: d["tie_items"][0]["choices"][0].__setitem__("weight", -1),
            "current-wave-unknown": put("current_wave", "1999"),
            "assessor-off-scale": lambda d: d["innovations"][0]["assessors"][0]["answers"]["answers"]
            .__setitem__("sign.trigger", "9"),
            "innovation-twice": lambda d: d["innovations"].append(d["innovations"][0]),
            "proxy-unmarked": lambda d: next(a for a in d["answers"] if a["proxy"])
            .__setitem__("proxy_entered", False),
            "older-format": put("format", 1),
        }
        for n, (case, change) in enumerate(cases.items()):
            folder = shutil.copytree(tmp_path / "out", tmp_path / f"case-{n}")
            if change is None:
                (folder / PLATFORM_FILE).write_text("{not json", "utf-8")
            else:
                _edit(folder, change)
            r = cli("db", "import", folder, "--name", f"case-{n}", "--database-url", url)
            assert r.exit_code == 2, (case, r.output)
            assert "platform.json" in r.output and "Traceback" not in r.output, case
            assert _digest(sessions) == before, case
        big = shutil.copytree(tmp_path / "out", tmp_path / "big")
        from lisa.db import export as platform

        limit = platform.PLATFORM_MAX_BYTES
        try:
            platform.PLATFORM_MAX_BYTES = 100
            r = cli("db", "import", big, "--name", "big", "--database-url", url)
        finally:
            platform.PLATFORM_MAX_BYTES = limit
        assert r.exit_code == 2 and "platform.json is larger than 100 bytes" in r.output
        assert _digest(sessions) == before
        with sessions() as s:
            assert [row.slug for row in s.scalars(select(StudyRow))] == ["northfield"]


def test_a_proxy_entry_stays_marked_in_a_database_without_its_facilitator(tmp_path: Path) -> None:
    """The mark is the answer's own: imported where no account of that e-mail exists, the
    paper or phone answer is still marked as entered on the person's behalf."""
    from tests.web.conftest import make_client

    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    with make_client(url, tmp_path / "a") as client:
        _rich_study(client)
    assert cli("db", "export", "northfield", tmp_path / "out", "--database-url", url).exit_code == 0
    elsewhere = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    r = cli("db", "import", tmp_path / "out", "--name", "northfield", "--database-url", elsewhere)
    assert r.exit_code == 0, r.output
    marks = {}
    for where in (url, elsewhere):
        engine = create_engine(where)
        with session_factory(engine)() as s:
            marks[where] = {(pid, a.proxy_entered, a.proxy_account_id is not None) for a, pid in s.execute(
                select(AnswerRow, PersonRow.pid).join(PersonRow, PersonRow.id == AnswerRow.person_id))}
        engine.dispose()
    assert ("p2", True, True) in marks[url]  # entered by the owner's account, which exists there
    assert ("p2", True, False) in marks[elsewhere]  # no such account here: still marked
    assert {(p, m) for p, m, _ in marks[url]} == {(p, m) for p, m, _ in marks[elsewhere]}
    assert cli("db", "export", "northfield", tmp_path / "again", "--database-url", elsewhere).exit_code == 0
    again = json.loads((tmp_path / "again" / PLATFORM_FILE).read_text("utf-8"))
    assert [(a["person"], a["proxy_entered"], a["proxy"]) for a in again["answers"] if a["proxy_entered"]] \
        == [("p2", True, None)]


def test_a_folder_with_nothing_beyond_its_tables_gets_no_platform_file(tmp_path: Path) -> None:
    from lisa.io import write_study
    from lisa.synth import generate

    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    source = write_study(generate(60, seed=3, name="Plain"), tmp_path / "in")
    assert cli("db", "import", source, "--name", "plain", "--database-url", url).exit_code == 0
    out = tmp_path / "out"
    out.mkdir()
    (out / PLATFORM_FILE).write_text("{}", "utf-8")  # left by an older export: removed
    assert cli("db", "export", "plain", out, "--database-url", url).exit_code == 0
    assert not (out / PLATFORM_FILE).exists()
    assert _path("http://x/y") == "/y"
