"""Retention dates (answers deleted after a study's date) and response per wave on the dashboard."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import select, update

from lisa.db import import_study, session_factory, sqlite_url
from lisa.db.models import AnswerRow, AuditRow, RelationRow, StudyRow, TieRow, UnlistedRow
from lisa.db.studies import export_study
from lisa.synth import generate
from lisa.web.retention import purge_due
from tests.web.conftest import Facilitator, hidden, make_client
from tests.web.test_flow import answer


def _checksums(sessions, slug: str, folder: Path) -> dict[str, str]:  # noqa: ANN001
    """sha256 of each file of the study exported as a folder."""
    with sessions() as s:
        out = export_study(s, slug, folder / slug)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}


def _two_studies_answered(client) -> tuple[Facilitator, object]:  # noqa: ANN001
    fac = Facilitator(client)
    for slug in ("northfield", "southfield"):
        links = {row["id"]: urlparse(row["link"]).path for row in fac.study(slug)}
        answer(client, links["p1"], ["p2", "p3"], ["p2"])
        answer(client, links["p2"], ["p1"], ["p1", "p4"])
        page = client.get(links["p3"])  # p3 saves a draft and names someone not on the list
        csrf = hidden(page.text, "csrf")
        client.post(f"{links['p3']}/consent", data={"csrf": csrf})
        client.post(f"{links['p3']}/step/0", data={"csrf": csrf, "pick": ["p1"], "unlisted": "Zed Stranger",
                                                     "go": "later"})
    sessions = session_factory(client.app.state.engine)
    with sessions.begin() as s:
        import_study(s, generate(50, seed=3, name="Imported place"), "imported")
    return fac, sessions


def _tomorrow() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).date().isoformat()


def test_answers_go_after_the_date_and_everything_else_stays(db_url: str, tmp_path: Path) -> None:
    client = make_client(db_url, tmp_path)
    with client:
        fac, sessions = _two_studies_answered(client)
        r = fac.post("/studies/northfield/retention", {"delete_after": _tomorrow()})
        assert r.status_code == 200
        assert f"Answers will be deleted after {_tomorrow()}" in r.text
        with sessions.begin() as s:  # an imported tie in the study: it came from a folder, it stays
            row = s.scalar(select(StudyRow).where(StudyRow.slug == "northfield"))
            rel = s.scalar(select(RelationRow).where(RelationRow.study_id == row.id, RelationRow.name == "work"))
            ids = [t.source_id for t in s.scalars(select(TieRow).where(TieRow.study_id == row.id))][:1]
            s.add(TieRow(study_id=row.id, source_id=ids[0], target_id=ids[0] + 2, relation_id=rel.id,
                         weight=1.0, wave=None, origin="import", attributes={}))
        before = {slug: _checksums(sessions, slug, tmp_path / "before")
                  for slug in ("northfield", "southfield", "imported")}
        assert purge_due(sessions) == {}  # not yet
        later = datetime.now(UTC) + timedelta(days=2)
        done = purge_due(sessions, later)
        assert done == {"northfield": {"answers": 3, "ties": 3, "not_on_list": 0}}
        after = {slug: _checksums(sessions, slug, tmp_path / "after")
                 for slug in ("northfield", "southfield", "imported")}
        assert after["southfield"] == before["southfield"]
        assert after["imported"] == before["imported"]
        for kept in ("people.csv", "relations.csv"):  # the roster and the questions stay
            assert after["northfield"][kept] == before["northfield"][kept]
        with sessions() as s:
            north = s.scalar(select(StudyRow).where(StudyRow.slug == "northfield"))
            assert s.scalars(select(AnswerRow).where(AnswerRow.study_id == north.id)).all() == []
            assert [t.origin for t in s.scalars(select(TieRow).where(TieRow.study_id == north.id))] == ["import"]
            assert s.scalars(select(UnlistedRow).where(UnlistedRow.study_id == north.id)).all() == []
            lines = [a for a in s.scalars(select(AuditRow).where(AuditRow.action == "retention-purge"))]
            assert [a.detail for a in lines] == [{"answers": 3, "ties": 3, "not_on_list": 0}]
        assert purge_due(sessions, later) == {}  # again: nothing left, no new audit line
        with sessions() as s:
            assert len(s.scalars(select(AuditRow).where(AuditRow.action == "retention-purge")).all()) == 1


def test_the_roster_goes_only_when_asked(tmp_path: Path) -> None:
    client = make_client(f"sqlite:///{tmp_path / 'web.sqlite3'}", tmp_path)
    with client:
        fac, sessions = _two_studies_answered(client)
        fac.post("/studies/northfield/retention", {"delete_after": _tomorrow(), "roster": "yes"})
        before = _checksums(sessions, "southfield", tmp_path / "before")
        done = purge_due(sessions, datetime.now(UTC) + timedelta(days=2))
        assert done["northfield"]["people"] == 4
        page = client.get("/studies/northfield")
        assert "No roster yet." in page.text and "Anna Smith" not in page.text
        assert "Answers were deleted on" in page.text
        assert _checksums(sessions, "southfield", tmp_path / "after") == before
        with sessions() as s:
            north = s.scalar(select(StudyRow).where(StudyRow.slug == "northfield"))
            assert len(s.scalars(select(RelationRow).where(RelationRow.study_id == north.id)).all()) == 7


def test_the_date_is_checked(client) -> None:  # noqa: ANN001
    fac = Facilitator(client)
    fac.study()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert fac.post("/studies/northfield/retention", {"delete_after": yesterday}).status_code == 422
    assert fac.post("/studies/northfield/retention", {"delete_after": "soon"}).status_code == 422
    fac.post("/studies/northfield/settings", {"consent": "", "closes": "2099-06-01"})
    r = fac.post("/studies/northfield/retention", {"delete_after": "2099-05-01"})
    assert r.status_code == 422 and "after the survey closes" in r.text
    assert fac.post("/studies/northfield/retention", {"delete_after": "2099-07-01"}).status_code == 200
    r = fac.post("/studies/northfield/settings", {"consent": "", "closes": "2099-08-01"})
    assert r.status_code == 422  # closing after the answers go
    r = client.post("/studies/northfield/retention", data={"delete_after": ""})
    assert r.status_code == 403  # no CSRF token
    assert "Answers will be deleted after 2099-07-01" in client.get("/studies/northfield").text
    assert "No date to delete answers after" in fac.post("/studies/northfield/retention", {}).text


def test_purge_runs_on_start_on_a_schedule_and_by_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from lisa.cli import app

    data = tmp_path / "data"
    url = sqlite_url(data)
    client = make_client(url, tmp_path)
    with client:
        fac = Facilitator(client)
        links = {row["id"]: urlparse(row["link"]).path for row in fac.study()}
        answer(client, links["p1"], ["p2"], ["p2"])
        sessions = session_factory(client.app.state.engine)
    past = datetime.now(UTC) - timedelta(minutes=1)
    with sessions.begin() as s:
        s.execute(update(StudyRow).values(delete_answers_after=past))
    assert client.get(links["p2"]).status_code == 410  # past the date the survey is closed
    client = make_client(url, tmp_path)
    with client:  # the server starts: the purge runs
        with sessions() as s:
            assert s.scalars(select(AnswerRow)).all() == []
        answer_row = AnswerRow(study_id=1, person_id=2, wave="", state="submitted", answers={},
                               updated_at=datetime.now(UTC))
        with sessions.begin() as s:  # an answer that slipped in later goes on the schedule
            s.add(answer_row)
    client = make_client(url, tmp_path, purge_interval_seconds=0.2)
    with client:
        with sessions.begin() as s:
            s.add(AnswerRow(study_id=1, person_id=3, wave="", state="draft", answers={},
                            updated_at=datetime.now(UTC)))
        for _ in range(100):
            with sessions() as s:
                if not s.scalars(select(AnswerRow)).all():
                    break
            time.sleep(0.1)
        with sessions() as s:
            assert s.scalars(select(AnswerRow)).all() == []
    with sessions.begin() as s:
        s.add(AnswerRow(study_id=1, person_id=4, wave="", state="draft", answers={},
                        updated_at=datetime.now(UTC)))
    done = CliRunner().invoke(app, ["db", "purge", "--data-dir", str(data)])
    assert done.exit_code == 0, done.output
    assert "northfield: deleted answers 1, ties 0, not on list 0" in done.output
    done = CliRunner().invoke(app, ["db", "purge", "--data-dir", str(data)])
    assert "Nothing to delete." in done.output


def test_response_per_wave_on_the_dashboard(db_url: str, tmp_path: Path) -> None:
    client = make_client(db_url, tmp_path)
    with client:
        fac = Facilitator(client)
        links = {row["id"]: urlparse(row["link"]).path for row in fac.study()}
        answer(client, links["p1"], ["p2"], ["p2"])
        answer(client, links["p2"], ["p1"], ["p1"])
        answer(client, links["p3"], ["p1"], ["p1"])
        r = fac.post("/studies/northfield/waves", {"earlier": "2025", "wave": "2026"})
        assert r.status_code == 200, r.text
        answer(client, links["p4"], ["p1"], ["p1"])
        page = client.get("/studies/northfield")
        table = page.text[page.text.index('id="response-waves"'):]
        table = table[: table.index("</table>")]
        assert "<th scope=\"row\">2025</th><td>4</td><td>3</td><td>75%</td><td>broad patterns only</td>" in table
        assert "<th scope=\"row\">2026 (now)</th><td>4</td><td>1</td><td>25%</td><td>unreliable</td>" in table


def _answers_left(sessions) -> int:  # noqa: ANN001
    with sessions() as s:
        return len(s.scalars(select(AnswerRow)).all())


def test_two_app_instances_on_one_database_purge_one_at_a_time(db_url: str, tmp_path: Path) -> None:
    import logging
    import threading

    from lisa.db.leases import LeaseRow, acquire, release
    from lisa.web.retention import LEASE, purge_once

    first = make_client(db_url, tmp_path / "a")
    with first:
        fac = Facilitator(first)
        links = {row["id"]: urlparse(row["link"]).path for row in fac.study()}
        answer(first, links["p1"], ["p2"], ["p2"])
        answer(first, links["p2"], ["p1"], ["p1"])
        one = session_factory(first.app.state.engine)
        with one.begin() as s:
            s.execute(update(StudyRow).values(delete_answers_after=datetime.now(UTC) - timedelta(minutes=1)))
        holder = first.app.state.lease_holder
        assert acquire(one, LEASE, holder, 900)  # the first app's purge is running
        second = make_client(db_url, tmp_path / "b")  # a second worker on the same database
        with second:  # its start-up purge finds the lease taken and leaves the answers alone
            two = session_factory(second.app.state.engine)
            assert _answers_left(two) == 2
            assert purge_once(two, second.app.state.lease_holder) is None
            assert _answers_left(two) == 2
            release(one, LEASE, holder)
            finished = time.time()
            # a scheduled run just after another worker's is skipped; an on-demand one runs
            assert purge_once(two, "other", gap=3600) is None and _answers_left(two) == 2
            assert purge_once(two, "other", gap=3600, clock=finished + 3601) is not None
            assert _answers_left(two) == 0
        # a holder that died: its lease expires by itself and another process takes over
        with one.begin() as s:
            s.query(LeaseRow).delete()
        assert acquire(one, LEASE, "dead", 5, clock=1000.0)
        assert not acquire(one, LEASE, "alive", 5, clock=1004.0)
        assert acquire(one, LEASE, "alive", 5, clock=1005.0)
        # many at once: exactly one gets it (on PostgreSQL the row lock decides, on SQLite the
        # single writer); the first insert of the row is raced too
        with one.begin() as s:
            s.query(LeaseRow).delete()
        won: list[str] = []
        start = threading.Barrier(6)

        def take(name: str) -> None:
            start.wait()
            if acquire(one, LEASE, name, 900):
                won.append(name)

        threads = [threading.Thread(target=take, args=(f"w{i}",)) for i in range(6)]
        logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(won) == 1, won
