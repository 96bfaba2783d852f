"""Per-tie items (issue 10): set-up, the respondent's page, storage as tie columns, export and
import, deletion, and hostile posts — on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from sqlalchemy import select

from lisa.db import session_factory, study_from_db
from lisa.db.models import AnswerRow, PersonRow, StudyRow, TieItemRow, TieRow
from lisa.errors import ConfigError
from lisa.io import load_study
from tests.web.conftest import PASSWORD, Facilitator, hidden, make_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def cli(*args: object):  # type: ignore[no-untyped-def]
    """``lisa`` on the command line, in-process."""
    from typer.testing import CliRunner

    from lisa.cli import app

    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def _path(link: str) -> str:
    return urlparse(link).path


def _item_ids(client, slug: str = "northfield") -> dict[str, int]:
    with session_factory(client.app.state.engine)() as s:
        return {row.key: row.id for row in s.scalars(select(TieItemRow).order_by(TieItemRow.id))}


def set_up(fac: Facilitator, slug: str = "northfield") -> dict[str, int]:
    """Frequency (as the tie weight) and trust on the "work" relation."""
    for preset in ("frequency", "trust"):
        r = fac.post(f"/studies/{slug}/tie-items", {"relation": "work", "preset": preset})
        assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    ids = _item_ids(fac.client)
    page = fac.client.get(f"/studies/{slug}/tie-items").text  # type: ignore[attr-defined]
    choices = re.search(r'name="choices" rows="5">([^<]*)</textarea>', page)
    assert choices and "daily | Daily or almost daily | 4" in choices.group(1)
    r = fac.post(f"/studies/{slug}/tie-items/{ids['frequency']}",
                 {"wording": "How often do you talk?", "choices": choices.group(1).replace("&#39;", "'"),
                  "is_weight": "yes", "go": "save"})
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    return ids


def ready(client) -> tuple[Facilitator, dict[str, str], dict[str, int]]:
    """A signed-in owner, the study's links by roster id, and the ids of its two items."""
    fac = Facilitator(client)
    links = {row["id"]: row["link"] for row in fac.study()}
    return fac, links, set_up(fac)


def start(client, link: str, names: list[str]) -> tuple[str, str, object]:
    """Consent, name people in stage one and in "work" (step 1); returns (base, csrf, last page)."""
    base = _path(link)
    csrf = hidden(client.get(base).text, "csrf")
    client.post(f"{base}/consent", data={"csrf": csrf})
    client.post(f"{base}/step/0", data={"csrf": csrf, "pick": names, "go": "next"})
    return base, csrf, client.post(f"{base}/step/1", data={"csrf": csrf, "pick": names, "go": "next"})


def _sign_in(client, who: Facilitator, email: str) -> None:
    page = client.get("/login")
    client.post("/login", data={"form_token": hidden(page.text, "form_token"), "email": email,
                                "password": PASSWORD})
    who.csrf = hidden(client.get("/").text, "csrf")


def _snapshot(client) -> str:
    """A checksum of every stored row of the tables a survey or set-up can change."""
    from lisa.db.models import AuditRow, RelationRow, UnlistedRow

    digest = hashlib.sha256()
    with session_factory(client.app.state.engine)() as s:
        for table in (StudyRow, PersonRow, RelationRow, TieRow, TieItemRow, AnswerRow, UnlistedRow, AuditRow):
            for row in s.scalars(select(table).order_by(*table.__table__.primary_key.columns)):
                values = {c.name: getattr(row, c.key) for c in table.__mapper__.columns}
                digest.update(repr(sorted(values.items())).encode())
    return digest.hexdigest()


def test_items_are_asked_per_person_and_become_tie_columns_and_weight(db_url: str, tmp_path: Path) -> None:
    client = make_client(db_url, tmp_path)
    with client:
        fac, links, _ = ready(client)
        base, csrf, r = start(client, links["p1"], ["p2", "p3"])
        assert r.status_code == 200 and str(r.url).endswith("/step/1/items")
        page = r.text
        assert "Bertram Jones" in page and "Chidi Okafor" in page and "How often do you talk?" in page
        assert page.count('type="radio"') == 2 * (4 + 1) + 2 * (5 + 1)  # each with "No answer"
        assert "<script" not in page.split("<main")[1]  # no script at all on the page
        r = client.post(f"{base}/step/1/items", data={
            "csrf": csrf, "go": "next", "item:frequency:p2": "weekly", "item:trust:p2": "4",
            "item:frequency:p3": "daily", "item:trust:p3": ""})
        assert r.status_code == 200 and "step 3 of" in r.text.lower()
        review = client.get(f"{base}/step/8").text
        assert "Bertram Jones (Weekly; 4)" in review and "Chidi Okafor (Daily or almost daily)" in review
        for _ in range(2):  # submitting twice gives the same ties
            assert "Thank you" in client.post(f"{base}/submit", data={"csrf": csrf}).text
        with session_factory(client.app.state.engine)() as s:
            study = study_from_db(s, "northfield")
        assert [(t.target, t.weight) for t in study.iter_ties()] == [("p2", 3.0), ("p3", 4.0)]
        assert study.ties.attributes["frequency"].tolist() == ["weekly", "daily"]
        assert study.ties.attributes["trust"].tolist() == ["4", ""]
        # they reach the analysis through the existing paths: weight, and a ties column
        from lisa.scenarios.flow import tie_chances

        chance, _ = tie_chances(study, np.ones(2, bool), "weight", 0.5, None, 1.0)
        assert chance.tolist() == [1 - 0.5**3, 1 - 0.5**4]
        with pytest.raises(ConfigError, match="trust"):  # a blank trust is no number: said, not guessed
            tie_chances(study, np.ones(2, bool), "column", 0.5, "trust", 5.0)
        chance, _ = tie_chances(study, np.array([True, False]), "column", 0.5, "trust", 5.0)
        assert chance.tolist() == [0.8]


def test_items_are_skippable_saved_and_resumed(client) -> None:
    fac, links, _ = ready(client)
    base, csrf, _ = start(client, links["p1"], ["p2"])
    r = client.post(f"{base}/step/1/items", data={"csrf": csrf, "go": "later", "item:trust:p2": "5"})
    assert "saved" in r.text.lower()
    page = client.get(f"{base}/step/1/items").text
    assert 'name="item:trust:p2" value="5" checked' in page
    assert 'name="item:frequency:p2" value="" checked' in page  # unanswered stays unanswered
    r = client.post(f"{base}/step/1/items", data={"csrf": csrf, "go": "skip", "item:trust:p2": "1"})
    assert r.status_code == 200  # skip moves on and keeps what was saved
    assert 'value="5" checked' in client.get(f"{base}/step/1/items").text
    # a relation without items, or nobody named, goes straight on
    assert str(client.get(f"{base}/step/2/items").url).endswith("/step/3")
    client.post(f"{base}/step/1", data={"csrf": csrf, "pick": [], "go": "next"})  # un-names p2
    with session_factory(client.app.state.engine)() as s:
        draft = s.scalar(select(AnswerRow)).answers
    assert draft["items"]["work"] == {}  # answers about someone no longer named go too
    client.post(f"{base}/submit", data={"csrf": csrf})
    with session_factory(client.app.state.engine)() as s:
        assert s.scalar(select(TieRow.id)) is None


def test_export_and_import_round_trip_the_tie_columns(db_url: str, tmp_path: Path) -> None:
    client = make_client(db_url, tmp_path)
    with client:
        fac, links, _ = ready(client)
        for who, named, answers in (("p1", ["p2", "p3"], {"item:frequency:p2": "monthly", "item:trust:p3": "2"}),
                                    ("p4", ["p1"], {"item:frequency:p1": "daily", "item:trust:p1": "5"})):
            base, csrf, _ = start(client, links[who], named)
            client.post(f"{base}/step/1/items", data={"csrf": csrf, "go": "next", **answers})
            client.post(f"{base}/submit", data={"csrf": csrf})
        sessions = session_factory(client.app.state.engine)
        with sessions() as s:
            original = study_from_db(s, "northfield")
        assert cli("db", "export", "northfield", tmp_path / "out", "--database-url", db_url).exit_code == 0
        ties_csv = (tmp_path / "out" / "ties.csv").read_text("utf-8").splitlines()
        assert ties_csv[0] == "source,target,relation,weight,frequency,trust"
        assert "p1,p2,work,2.0,monthly,\"\"" in ties_csv and "p4,p1,work,4.0,daily,5" in ties_csv
        r = cli("db", "import", tmp_path / "out", "--name", "copy", "--database-url", db_url)
        assert r.exit_code == 0, r.output
        assert cli("db", "export", "copy", tmp_path / "again", "--database-url", db_url).exit_code == 0
        with sessions() as s:
            copy = study_from_db(s, "copy")
        assert load_study(tmp_path / "again").ties.attributes.keys() == {"frequency", "trust"}
        for name in ("people.csv", "ties.csv", "relations.csv"):
            assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()
        assert copy.ties.weight.tolist() == original.ties.weight.tolist()
        assert {k: v.tolist() for k, v in copy.ties.attributes.items()} == {
            k: v.tolist() for k, v in original.ties.attributes.items()}


def test_deleting_a_person_or_withdrawing_removes_their_tie_items(db_url: str, tmp_path: Path) -> None:
    client = make_client(db_url, tmp_path)
    with client:
        fac, links, _ = ready(client)
        base1, csrf1, _ = start(client, links["p1"], ["p2", "p3"])
        client.post(f"{base1}/step/1/items", data={"csrf": csrf1, "item:trust:p2": "3", "item:trust:p3": "4"})
        client.post(f"{base1}/submit", data={"csrf": csrf1})
        base3, csrf3, _ = start(client, links["p3"], ["p2"])
        client.post(f"{base3}/step/1/items", data={"csrf": csrf3, "go": "later", "item:trust:p2": "1"})
        assert fac.post("/studies/northfield/delete-person", {"id": "p2"}).status_code == 200
        sessions = session_factory(client.app.state.engine)
        with sessions() as s:
            drafts = {a.person_id: a.answers for a in s.scalars(select(AnswerRow))}
            study = study_from_db(s, "northfield")
        assert "p2" not in str(drafts)  # neither a tie item about p2 in a draft nor a name
        assert [(t.target, a) for t, a in zip(study.iter_ties(), study.ties.attributes["trust"],
                                              strict=True)] == [("p3", "4")]
        r = client.post(f"{base1}/withdraw", data={"csrf": csrf1})
        assert r.status_code == 200
        with sessions() as s:
            assert s.scalar(select(TieRow.id)) is None
            mine = s.scalar(select(AnswerRow).join(PersonRow).where(PersonRow.pid == "p1"))
            assert mine is not None and mine.answers == {}


def test_proxy_entry_answers_the_items_too(client) -> None:
    fac = Facilitator(client)
    fac.study()
    set_up(fac)
    r = fac.post("/studies/northfield/proxy", {"id": "p3"}, follow_redirects=False)
    link = r.headers["location"]
    page = client.get(link).text
    csrf = re.findall(r'name="csrf" value="([^"]+)"', page)[-1]
    client.post(f"{link}/consent", data={"csrf": csrf})
    r = client.post(f"{link}/step/1", data={"csrf": csrf, "pick": ["p1"], "go": "next"})
    assert "on behalf of Chidi Okafor" in r.text and "item:trust:p1" in r.text
    client.post(f"{link}/step/1/items", data={"csrf": csrf, "item:frequency:p1": "less"})
    client.post(f"{link}/submit", data={"csrf": csrf})
    with session_factory(client.app.state.engine)() as s:
        study = study_from_db(s, "northfield")
        assert s.scalar(select(AnswerRow.proxy_account_id)) is not None
    assert study.ties.attributes["frequency"].tolist() == ["less"] and study.ties.weight.tolist() == [1.0]


def test_hostile_respondent_posts_are_refused_and_nothing_changes(db_url: str, tmp_path: Path) -> None:
    client = make_client(db_url, tmp_path, max_body_bytes=64 * 1024)
    with client:
        fac, links, _ = ready(client)
        base, csrf, _ = start(client, links["p1"], ["p2"])
        client.post(f"{base}/step/1/items", data={"csrf": csrf, "item:trust:p2": "3"})
        before = _snapshot(client)
        items = f"{base}/step/1/items"
        cases: list[tuple[str, dict[str, object], int, str | None]] = [
            ("unknown choice", {"item:frequency:p2": "hourly"}, 422, "not one of the choices"),
            ("out of range", {"item:trust:p2": "6"}, 422, "not one of the choices"),
            ("negative", {"item:trust:p2": "-1"}, 422, "not one of the choices"),
            ("fraction", {"item:trust:p2": "4.5"}, 422, "not one of the choices"),
            ("unknown item", {"item:salary:p2": "1"}, 422, "does not ask"),
            ("not named, on the roster", {"item:trust:p4": "3"}, 422, "did not name"),
            ("not named, not on the roster", {"item:trust:p99": "3"}, 422, "did not name"),
            ("overlong value", {"item:trust:p2": "3" * 101}, 422, None),
            ("oversized post", {"item:trust:p2": "x" * 70_000}, 413, None),
            ("no csrf", {"csrf": "", "item:trust:p2": "2"}, 403, None),
        ]
        bodies = {}
        for label, data, status, text in cases:
            r = client.post(items, data={"csrf": csrf, "go": "next", **data})
            assert r.status_code == status, label
            if text:
                assert text in r.text, label
            bodies[label] = r.text
            assert _snapshot(client) == before, label
        assert bodies["not named, on the roster"] == bodies["not named, not on the roster"]
        assert "p4" not in bodies["not named, on the roster"] and "Dana" not in bodies["not named, on the roster"]
        for url, status in ((f"{base}/step/0/items", 404), (f"{base}/step/99/items", 404),
                            ("/s/" + "A" * 43 + "/step/1/items", 404)):
            assert client.post(url, data={"csrf": csrf, "item:trust:p2": "1"}).status_code == status, url
            assert client.get(url).status_code == status, url
        assert _snapshot(client) == before


def test_hostile_or_mistaken_set_up_is_refused_and_nothing_changes(db_url: str, tmp_path: Path) -> None:
    client = make_client(db_url, tmp_path, allow_signup=True)
    with client:
        fac, links, ids = ready(client)
        base, csrf, _ = start(client, links["p1"], ["p2"])
        client.post(f"{base}/step/1/items", data={"csrf": csrf, "item:trust:p2": "3",
                                                  "item:frequency:p2": "weekly"})
        before = _snapshot(client)
        freq, trust = f"/studies/northfield/tie-items/{ids['frequency']}", f"/studies/northfield/tie-items/{ids['trust']}"
        scale = "1\n2\n3\n4\n5"
        cases: list[tuple[str, str, dict[str, object], int, str | None]] = [
            ("unknown preset", "/studies/northfield/tie-items", {"relation": "work", "preset": "salary"}, 400, "not an item"),
            ("unknown relation", "/studies/northfield/tie-items", {"relation": "nope", "preset": "trust"}, 404, None),
            ("same key twice", "/studies/northfield/tie-items", {"relation": "work", "preset": "trust"}, 400, "already asks"),
            ("standard column", "/studies/northfield/tie-items", {"relation": "work", "preset": "trust", "key": "weight"}, 400, "standard tie column"),
            ("alias column", "/studies/northfield/tie-items", {"relation": "work", "preset": "trust", "key": "from"}, 400, "standard tie column"),
            ("bad key", "/studies/northfield/tie-items", {"relation": "work", "preset": "trust", "key": "1<b>"}, 400, "cannot name"),
            ("dropping a used value", trust, {"wording": "Trust?", "choices": "1\n2\n4\n5"}, 400, "already hold 3"),
            ("duplicate choice", trust, {"wording": "Trust?", "choices": scale + "\n5"}, 400, "twice"),
            ("too many choices", trust, {"wording": "Trust?", "choices": "\n".join(map(str, range(1, 30)))}, 400, "1 to 20"),
            ("no choices", trust, {"wording": "Trust?", "choices": "\n \n"}, 400, "1 to 20"),
            ("weight not positive", freq, {"wording": "Often?", "choices": "daily|d|0\nweekly\nmonthly\nless", "is_weight": "yes"}, 400, "positive"),
            ("weight missing", freq, {"wording": "Often?", "choices": "daily|d\nweekly|w|3\nmonthly|m|2\nless|l|1", "is_weight": "yes"}, 400, "needs a weight"),
            ("weight not a number", trust, {"wording": "Trust?", "choices": scale.replace("5", "5|five|lots")}, 400, "not a number"),
            ("second weight item", trust, {"wording": "Trust?", "choices": "1|a|1\n2|b|2\n3|c|3\n4|d|4\n5|e|5", "is_weight": "yes"}, 400, "only one item"),
            ("blank wording", trust, {"wording": "  ", "choices": scale}, 400, "wording"),
            ("removing an item in use", trust, {"go": "remove"}, 400, "can no longer be removed"),
            ("no such item", "/studies/northfield/tie-items/99999", {"wording": "x", "choices": "1"}, 404, None),
            ("no csrf", trust, {"csrf": "", "go": "remove"}, 403, None),
        ]
        for label, url, data, status, text in cases:
            r = fac.post(url, data)
            assert r.status_code == status, (label, r.text)  # type: ignore[attr-defined]
            if text:
                assert text in r.text, label  # type: ignore[attr-defined]
            assert _snapshot(client) == before, label
        # another study's item, and a viewer, are refused too
        fac.study("south", "id,name\nq1,Quentin Other\n")
        fac.post("/studies/south/tie-items", {"relation": "work", "preset": "value"})
        assert fac.post(f"/studies/south/tie-items/{ids['trust']}", {"go": "remove"}).status_code == 404
        client.post("/logout", data={"csrf": fac.csrf})
        viewer = Facilitator(client, "viewer@example.org")
        assert viewer.post("/studies/northfield/tie-items", {"relation": "work", "preset": "value"}).status_code == 404
        assert client.get("/studies/northfield/tie-items").status_code == 404  # a stranger sees nothing
        client.post("/logout", data={"csrf": viewer.csrf})
        _sign_in(client, fac, "fac@example.org")
        fac.post("/studies/northfield/members", {"email": "viewer@example.org", "role": "viewer"})
        client.post("/logout", data={"csrf": fac.csrf})
        _sign_in(client, viewer, "viewer@example.org")
        assert viewer.post("/studies/northfield/tie-items", {"relation": "work", "preset": "value"}).status_code == 403
        assert viewer.post(trust, {"go": "remove"}).status_code == 403
        assert client.get("/studies/northfield/tie-items").status_code == 403
    with session_factory(client.app.state.engine)() as s:
        keys = [row.key for row in s.scalars(select(TieItemRow).order_by(TieItemRow.id))]
    assert keys == ["frequency", "trust", "value"]


def test_an_unused_item_can_be_removed_and_its_column_goes(client) -> None:
    fac = Facilitator(client)
    fac.study()
    ids = set_up(fac)
    assert fac.post(f"/studies/northfield/tie-items/{ids['trust']}", {"go": "remove"}).status_code == 200
    with session_factory(client.app.state.engine)() as s:
        assert s.scalar(select(StudyRow.tie_columns)) == ["frequency"]
        assert [r.key for r in s.scalars(select(TieItemRow))] == ["frequency"]


def test_nothing_personal_is_logged_in_the_tie_items_flow(client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fac = Facilitator(client)
    rows = fac.study()
    set_up(fac)
    link = rows[0]["link"]
    base, csrf, _ = start(client, link, ["p3"])
    client.post(f"{base}/step/1/items", data={"csrf": csrf, "item:trust:p3": "5"})
    client.post(f"{base}/step/1/items", data={"csrf": csrf, "item:trust:p4": "5"})  # refused
    client.post(f"{base}/submit", data={"csrf": csrf})
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "/s/[token]/step/1/items" in logged
    for secret in ("Chidi", "Dana", "p3", "p4", _path(link).split("/")[-1], PASSWORD):
        assert secret not in logged, secret


def test_a_later_wave_offers_last_waves_item_answers_to_confirm_or_change(client) -> None:
    fac, links, _ = ready(client)
    base, csrf, _ = start(client, links["p1"], ["p2"])
    client.post(f"{base}/step/1/items", data={"csrf": csrf, "item:frequency:p2": "monthly", "item:trust:p2": "2"})
    client.post(f"{base}/submit", data={"csrf": csrf})
    assert fac.post("/studies/northfield/waves", {"wave": "2026", "earlier": "2025"}).status_code == 200
    client.post(f"{base}/consent", data={"csrf": hidden(client.get(base).text, "csrf")})
    page = client.get(f"{base}/step/1/items").text
    assert 'name="item:frequency:p2" value="monthly" checked' in page
    client.post(f"{base}/step/1/items", data={"csrf": csrf, "item:frequency:p2": "weekly", "item:trust:p2": "2"})
    client.post(f"{base}/submit", data={"csrf": csrf})
    with session_factory(client.app.state.engine)() as s:
        study = study_from_db(s, "northfield")
    got = sorted(zip([t.wave for t in study.iter_ties()], study.ties.attributes["frequency"].tolist(),
                     study.ties.weight.tolist(), strict=True))
    assert got == [("2025", "monthly", 2.0), ("2026", "weekly", 3.0)]
