"""The respondent loop end to end through the app's own forms, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from lisa.db import session_factory, study_from_db
from lisa.db.models import AuditRow
from tests.web.conftest import Facilitator, hidden, make_client


def _path(link: str) -> str:
    return urlparse(link).path


def answer(client, link: str, work: list[str], innovation: list[str], *, submit: bool = True) -> None:
    base = _path(link)
    page = client.get(base)
    assert page.status_code == 200
    csrf = hidden(page.text, "csrf")
    r = client.post(f"{base}/consent", data={"csrf": csrf})
    assert r.status_code == 200 and "Who do you work with?" in r.text
    r = client.post(f"{base}/step/0", data={"csrf": csrf, "pick": work, "go": "next"})
    assert r.status_code == 200
    # step 1 is the "work" relation, step 3 "innovation" (the defaults' order)
    r = client.post(f"{base}/step/3", data={"csrf": csrf, "pick": innovation, "go": "next"})
    assert r.status_code == 200
    if submit:
        r = client.post(f"{base}/submit", data={"csrf": csrf})
        assert r.status_code == 200 and "Thank you" in r.text


def test_facilitator_sets_up_and_respondents_answer(db_url: str, tmp_path: Path) -> None:
    client = make_client(db_url, tmp_path)
    with client:
        fac = Facilitator(client)
        links = fac.study()
        assert [row["id"] for row in links] == ["p1", "p2", "p3", "p4"]
        assert all(len(_path(row["link"]).split("/")[-1]) >= 43 for row in links)
        by_id = {row["id"]: row["link"] for row in links}
        answer(client, by_id["p1"], ["p2", "p3"], ["p2"])
        answer(client, by_id["p2"], ["p1"], ["p1", "p4"])
        answer(client, by_id["p2"], ["p1"], ["p1", "p4"])  # submitting again changes nothing
        page = client.get("/studies/northfield")
        assert "2 of 4 answered (50%)" in page.text
        assert "Chidi Okafor" in page.text  # not answered yet
        sessions = session_factory(client.app.state.engine)
        with sessions() as s:
            study = study_from_db(s, "northfield")
            ties = sorted((t.source, t.target, t.relation) for t in study.iter_ties())
            assert ties == [("p1", "p2", "innovation"), ("p2", "p1", "innovation"),
                            ("p2", "p4", "innovation")]
            assert study.responded.tolist() == [True, True, False, False]
            for row in s.scalars(select(AuditRow)):
                text = str(row.detail) + row.action
                assert not any(name in text for name in ("Anna", "Bertram", "p1", "p2"))


def test_save_half_way_and_resume_from_the_same_link(client) -> None:
    fac = Facilitator(client)
    link = _path(fac.study()[0]["link"])
    page = client.get(link)
    csrf = hidden(page.text, "csrf")
    client.post(f"{link}/consent", data={"csrf": csrf})
    r = client.post(f"{link}/step/0", data={"csrf": csrf, "pick": ["p3"], "go": "later"})
    assert "saved" in r.text.lower()
    resumed = client.get(link)  # the same link again goes straight back to the survey
    assert "Who do you work with?" in resumed.text
    assert 'value="p3" checked' in resumed.text
    step1 = client.get(f"{link}/step/1")
    assert "Chidi Okafor" in step1.text  # stage one's names are offered in each relation


def test_search_as_a_plain_form_finds_typos_and_not_oneself(client) -> None:
    fac = Facilitator(client)
    link = _path(fac.study()[0]["link"])  # p1, Anna Smith
    csrf = hidden(client.get(link).text, "csrf")
    client.post(f"{link}/consent", data={"csrf": csrf})
    r = client.post(f"{link}/step/0", data={"csrf": csrf, "q": "okafr", "go": "search"})
    assert "Chidi Okafor" in r.text
    r = client.get(f"{link}/step/0", params={"q": "smtih"})
    assert "Anna Smith" not in r.text.split('id="results"')[1]
    live = client.get(f"{link}/search", params={"q": "bertrm"})
    assert live.json() == [{"pid": "p2", "name": "Bertram Jones", "organisation": "Clinic"}]


def test_withdraw_removes_own_answers_but_keeps_others_ties(client) -> None:
    fac = Facilitator(client)
    by_id = {row["id"]: _path(row["link"]) for row in fac.study()}
    answer(client, by_id["p1"], ["p2"], ["p2"])
    answer(client, by_id["p2"], ["p1"], ["p1"])
    csrf = hidden(client.get(by_id["p1"] + "/step/4").text, "csrf")
    r = client.post(by_id["p1"] + "/withdraw", data={"csrf": csrf})
    assert r.status_code == 200 and "deleted" in r.text
    with session_factory(client.app.state.engine)() as s:
        study = study_from_db(s, "northfield")
        assert [(t.source, t.target) for t in study.iter_ties()] == [("p2", "p1")]
        assert study.responded.tolist() == [False, True, False, False]
    assert "withdrew" in client.get(by_id["p1"]).text


def test_unlisted_names_are_kept_for_review_not_as_ties(client) -> None:
    fac = Facilitator(client)
    link = _path(fac.study()[0]["link"])
    csrf = hidden(client.get(link).text, "csrf")
    client.post(f"{link}/consent", data={"csrf": csrf})
    client.post(f"{link}/step/3", data={"csrf": csrf, "unlisted": "Eve from the library\n\n", "go": "next"})
    client.post(f"{link}/submit", data={"csrf": csrf})
    client.post(f"{link}/submit", data={"csrf": csrf})
    with session_factory(client.app.state.engine)() as s:
        study = study_from_db(s, "northfield")
    assert [(u.respondent, u.relation, u.text) for u in study.not_on_list] == [
        ("p1", "innovation", "Eve from the library")]
    assert len(study.ties) == 0


@pytest.mark.parametrize("bad", ["people.txt", "people.csv"])
def test_roster_problems_are_shown_per_row_and_nothing_is_stored(client, bad: str) -> None:
    fac = Facilitator(client)
    fac.post("/studies", {"name": "X", "slug": "x"})
    data = b"id,name,layer\np1,Ann,systemic\np1,Ann again,galactic\n"
    r = fac.post("/studies/x/roster", files={"roster": (bad, data, "text/csv")})
    assert r.status_code == 422
    if bad.endswith(".csv"):
        assert "row 3" in r.text or "<td>3</td>" in r.text
        assert "galactic" in r.text
    assert "No roster yet" in client.get("/studies/x").text


def test_a_later_wave_offers_last_waves_ties_to_confirm_or_drop(client) -> None:
    fac = Facilitator(client)
    by_id = {row["id"]: _path(row["link"]) for row in fac.study()}
    link = by_id["p1"]
    csrf = hidden(client.get(link).text, "csrf")
    client.post(f"{link}/consent", data={"csrf": csrf})
    client.post(f"{link}/step/1", data={"csrf": csrf, "pick": ["p2", "p3"]})
    client.post(f"{link}/submit", data={"csrf": csrf})
    assert fac.post("/studies/northfield/waves", {"wave": "2026"}).status_code == 400  # earlier unnamed
    assert fac.post("/studies/northfield/waves", {"wave": "2024", "earlier": "2025"}).status_code == 400
    r = fac.post("/studies/northfield/waves", {"wave": "2026", "earlier": "2025"})
    assert r.status_code == 200 and "answers now go to" in r.text
    assert "0 of 4 answered" in r.text
    page = client.get(link)  # a new wave: consent again, then last wave's ties are offered
    client.post(f"{link}/consent", data={"csrf": hidden(page.text, "csrf")})
    step = client.get(f"{link}/step/1").text
    assert step.count("named last time") == 2 and 'value="p2" checked' in step
    client.post(f"{link}/step/1", data={"csrf": csrf, "pick": ["p3"]})  # drops p2
    client.post(f"{link}/submit", data={"csrf": csrf})
    with session_factory(client.app.state.engine)() as s:
        study = study_from_db(s, "northfield")
    assert study.waves == ["2025", "2026"]
    assert sorted((t.target, t.wave) for t in study.iter_ties()) == [
        ("p2", "2025"), ("p3", "2025"), ("p3", "2026")]


def test_delete_a_person_removes_every_trace_and_says_what_went(db_url: str, tmp_path: Path) -> None:
    client = make_client(db_url, tmp_path)
    with client:
        fac = Facilitator(client)
        by_id = {row["id"]: row["link"] for row in fac.study()}
        answer(client, by_id["p1"], ["p2"], ["p2", "p3"])
        answer(client, by_id["p2"], ["p1"], ["p1"])
        answer(client, by_id["p3"], ["p2"], ["p2"], submit=False)  # a draft naming p2
        r = fac.post("/studies/northfield/delete-person", {"id": "p9"})
        assert r.status_code == 422 and "no person with id &#39;p9&#39;" in r.text
        r = fac.post("/studies/northfield/delete-person", {"id": "p2"})
        assert r.status_code == 200
        assert "2 ties naming them" in r.text and "from 2 other respondents" in r.text
        assert client.get(_path(by_id["p2"])).status_code == 404  # their link is dead
        with session_factory(client.app.state.engine)() as s:
            study = study_from_db(s, "northfield")
            from lisa.db.models import AnswerRow

            drafts = [a.answers for a in s.scalars(select(AnswerRow))]
        assert "p2" not in study.ids
        assert [(t.source, t.target) for t in study.iter_ties()] == [("p1", "p3")]
        assert "p2" not in str(drafts)


def test_not_on_the_list_answers_are_merged_or_added_and_ties_follow(db_url: str, tmp_path: Path) -> None:
    client = make_client(db_url, tmp_path)
    with client:
        fac = Facilitator(client)
        link = _path(fac.study()[0]["link"])  # p1
        csrf = hidden(client.get(link).text, "csrf")
        client.post(f"{link}/consent", data={"csrf": csrf})
        client.post(f"{link}/step/3", data={"csrf": csrf, "unlisted": "Eve Library\nChidi O.", "go": "next"})
        client.post(f"{link}/submit", data={"csrf": csrf})
        queue = client.get("/studies/northfield/unlisted")
        assert "Eve Library" in queue.text and "Chidi O." in queue.text
        ids = [int(i) for i in re.findall(r"/unlisted/(\d+)/merge", queue.text)]
        r = fac.post(f"/studies/northfield/unlisted/{ids[1]}/merge", {"id": "p9"})
        assert r.status_code == 422  # an unknown id: nothing changes
        assert fac.post(f"/studies/northfield/unlisted/{ids[1]}/merge", {"id": "p3"}).status_code == 200
        r = fac.post(f"/studies/northfield/unlisted/{ids[0]}/add", {"id": "p1", "name": "Eve Library"})
        assert r.status_code == 400 and "already on the roster" in r.text
        r = fac.post(f"/studies/northfield/unlisted/{ids[0]}/add",
                     {"id": "p5", "name": "Eve Library", "organisation": "Library"})
        assert r.status_code == 200 and "Nothing to review" in r.text
        assert fac.post("/studies/northfield/unlisted/99999/merge", {"id": "p3"}).status_code == 404
        client.post(f"{link}/submit", data={"csrf": csrf})  # sending again keeps the merged ties
        with session_factory(client.app.state.engine)() as s:
            study = study_from_db(s, "northfield")
        assert study.ids[-1] == "p5" and study.names[-1] == "Eve Library"
        assert sorted((t.source, t.target, t.relation) for t in study.iter_ties()) == [
            ("p1", "p3", "innovation"), ("p1", "p5", "innovation")]
        assert study.not_on_list == []


def test_downloads_are_pseudonymised_by_default(client) -> None:
    fac = Facilitator(client)
    by_id = {row["id"]: row["link"] for row in fac.study()}
    answer(client, by_id["p1"], ["p2"], ["p2", "p3"])
    default = client.get("/studies/northfield/download")
    assert default.status_code == 200 and "pseudonymised" in default.headers["content-disposition"]
    assert "<graphml" in default.text
    for name in ("Anna Smith", "Bertram", "Chidi", '"p1"', ">p1<"):
        assert name not in default.text
    named = client.get("/studies/northfield/download", params={"named": "true"})
    assert "Anna Smith" in named.text
    import io
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(client.get("/studies/northfield/download",
                                                    params={"format": "csv"}).content))
    assert set(archive.namelist()) >= {"people.csv", "ties.csv", "relations.csv"}
    assert "Anna Smith" not in archive.read("people.csv").decode()
    assert client.get("/studies/northfield/download", params={"format": "exe"}).status_code == 422


def test_proxy_entry_is_marked_and_works_only_for_its_facilitator(tmp_path: Path) -> None:
    from lisa.db.models import AccountRow, AnswerRow

    client = make_client(f"sqlite:///{tmp_path / 'proxy.sqlite3'}", tmp_path, allow_signup=True)
    with client:
        fac = Facilitator(client)
        fac.study()
        r = fac.post("/studies/northfield/proxy", {"id": "p9"})
        assert r.status_code == 422
        r = fac.post("/studies/northfield/proxy", {"id": "p3"}, follow_redirects=False)
        assert r.status_code == 303
        proxy_link = r.headers["location"]
        page = client.get(proxy_link)
        assert "on behalf of Chidi Okafor" in page.text
        csrf = re.findall(r'name="csrf" value="([^"]+)"', page.text)[-1]  # the survey's, not sign-out's
        client.post(f"{proxy_link}/consent", data={"csrf": csrf})
        client.post(f"{proxy_link}/step/1", data={"csrf": csrf, "pick": ["p1"]})
        assert "Thank you" in client.post(f"{proxy_link}/submit", data={"csrf": csrf}).text
        dashboard = client.get("/studies/northfield").text  # the facilitator sees whose answer it is
        assert "Entered on someone's behalf (1)" in dashboard and "Chidi Okafor" in dashboard
        client.post("/logout", data={"csrf": fac.csrf})
        assert client.get(proxy_link).status_code == 404  # not signed in: the link is dead
        Facilitator(client, "other@example.org")
        assert client.get(proxy_link).status_code == 404  # another facilitator: dead too
        with session_factory(client.app.state.engine)() as s:
            study = study_from_db(s, "northfield")
            marked = s.scalar(select(AnswerRow.proxy_account_id).where(AnswerRow.proxy_entered))
            first = s.scalar(select(AccountRow.id).where(AccountRow.email == "fac@example.org"))
        assert marked == first
        assert [(t.source, t.target) for t in study.iter_ties()] == [("p3", "p1")]
        assert study.responded.tolist() == [False, False, True, False]
