"""Innovation assessments in the browser: links, the form from the item bank, combining, export.

Each test drives the app through its forms, as a facilitator and assessors
would; where the answer is lisa's own (problems, the combined result), it is
compared with what ``lisa assess`` says of the same answers in a file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from lisa.assess import Instrument, answers_from_mapping, assess_files, check_answers
from lisa.db import export_study, session_factory
from lisa.db.assessments import AssessorRow, InnovationRow, study_assessments
from lisa.db.models import StudyRow
from tests.web.conftest import PASSWORD, Facilitator, hidden, make_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _csrf(html: str) -> str:
    """The form's own CSRF field (the last on the page: a sign-out form may come first)."""
    return re.findall(r'name="csrf" value="([^"]+)"', html)[-1]


def _innovation(fac: Facilitator, name: str = "Youth hub", slug: str = "northfield") -> int:
    r = fac.post(f"/studies/{slug}/innovations", {"name": name, "description": "One door for young people"})
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    with session_factory(fac.client.app.state.engine)() as s:  # type: ignore[attr-defined]
        return int(s.scalar(select(InnovationRow.id).where(InnovationRow.name == name)))


def _links(fac: Facilitator, innovation: int, labels: str, slug: str = "northfield") -> dict[str, str]:
    r = fac.post(f"/studies/{slug}/innovations/{innovation}/links", {"assessors": labels})
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    return {row["assessor"]: urlparse(row["link"]).path
            for row in csv.DictReader(io.StringIO(r.text))}  # type: ignore[attr-defined]


ANN = {"a:sign.trigger": "5", "a:sign.pilots": "4", "a:type.kind": ["service", "process"],
       "a:type.extent": "radical", "a:factor.leadership": "driver", "a:meta.date": "2025-06",
       "h-date-0": "2019", "h-phase-0": "1", "h-note-0": "review published",
       "h-date-1": "2022", "h-phase-1": "2"}
BOB = {"a:sign.trigger": "2", "a:sign.pilots": "4", "a:type.kind": "service",
       "a:type.extent": "incremental", "h-date-0": "2019", "h-phase-0": "1"}


def _fill(client, link: str, answers: dict[str, object], go: str = "submit"):
    csrf = _csrf(client.get(link).text)
    return client.post(link, data={"csrf": csrf, **answers, "go": go})


def _rows(client) -> str:
    """Every stored innovation and assessor row, as one digest."""
    with session_factory(client.app.state.engine)() as s:
        rows = [(i.id, i.study_id, i.name, i.description) for i in s.scalars(select(InnovationRow))]
        rows += [(a.id, a.innovation_id, a.label, a.token_hash, a.state, json.dumps(a.answers, sort_keys=True),
                  str(a.submitted_at)) for a in s.scalars(select(AssessorRow).order_by(AssessorRow.id))]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _stored(client, tmp_path: Path) -> tuple[str, dict[str, str]]:
    out = tmp_path / f"snapshot-{len(list(tmp_path.glob('snapshot-*')))}"
    with session_factory(client.app.state.engine)() as s:
        export_study(s, "northfield", out)
    return _rows(client), {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                           for p in out.iterdir() if p.is_file()}


def test_assessors_save_resume_submit_and_are_combined_as_the_cli_does(db_url: str, tmp_path: Path) -> None:
    client = make_client(db_url, tmp_path)
    with client:
        fac = Facilitator(client)
        fac.study()
        innovation = _innovation(fac)
        links = _links(fac, innovation, "Ann Assessor\nBob Assessor")
        assert all(len(p.split("/")[-1]) >= 43 for p in links.values())  # 256-bit tokens
        half = _fill(client, links["Ann Assessor"], {"a:sign.trigger": "5"}, go="save")
        assert half.status_code == 200 and 'id="saved"' in half.text
        resumed = client.get(links["Ann Assessor"]).text  # the same link, the answer kept
        assert re.search(r'name="a:sign.trigger" value="5" checked', resumed)
        for _ in range(2):  # submitting twice stores the same thing once
            assert "Thank you" in _fill(client, links["Ann Assessor"], ANN).text
        once = _rows(client)
        assert "Thank you" in _fill(client, links["Ann Assessor"], ANN).text
        assert _rows(client) == once
        page = client.get(f"/studies/northfield/innovations/{innovation}").text
        assert "One assessor so far" in page
        assert "Thank you" in _fill(client, links["Bob Assessor"], BOB).text
        page = client.get(f"/studies/northfield/innovations/{innovation}").text
        with session_factory(client.app.state.engine)() as s:
            web = study_assessments(s, s.scalar(select(StudyRow)))
        assert len(web) == 1 and web[0].assessors == ("Ann Assessor", "Bob Assessor")
        assert f"Phase {web[0].phase.value}: {web[0].phase.name}" in page
        assert 'id="disagreements"' in page and "(sign.trigger)" in page
        assert {d.item for d in web[0].disagreements} >= {"sign.trigger", "type.extent"}
        out = tmp_path / "export"
        result = CliRunner().invoke(_cli(), ["db", "export", "northfield", str(out),
                                             "--database-url", db_url])
        assert result.exit_code == 0, result.output
        files = sorted((out / "assessments" / "youth-hub").glob("*.yaml"))
        assert [f.name for f in files] == ["ann-assessor.yaml", "bob-assessor.yaml"]
        cli = assess_files(files)  # what 'lisa assess' makes of the exported files
        assert len(cli) == 1
        keep = {"sources"}  # the file names differ from the web's own names for the sets
        assert cli[0].model_dump(exclude=keep) == web[0].model_dump(exclude=keep)
        run = CliRunner().invoke(_cli(), ["assess", *map(str, files)])
        assert run.exit_code == 0, run.output
        assert f"Phase {web[0].phase.value}: {web[0].phase.name}" in run.output


def _cli():
    from lisa.cli import app

    return app


def test_the_form_is_the_item_bank_and_new_items_appear_without_code(client, tmp_path: Path) -> None:
    fac = Facilitator(client)
    fac.study()
    link = _links(fac, _innovation(fac), "Ann")["Ann"]
    page = client.get(link).text
    bank = Instrument.load().bank
    for item in bank:
        if item.id in ("meta.innovation", "meta.place", "meta.assessor"):
            assert f'name="a:{item.id}"' not in page  # filled by the app, not typed
        else:
            assert f'name="a:{item.id}"' in page, item.id
            assert item.help.split('"')[0][:40].replace("'", "&#39;") in page
    assert page.count('type="radio" name="a:sign.trigger"') == 6  # 1..5 and "no answer"
    assert "<script>" not in page and " onclick" not in page and "style=" not in page
    assert 'name="viewport"' in page
    # a bank with one more item, in a section of its own: the form shows it as it is
    items = (Path(__import__("lisa.assess", fromlist=["x"]).__file__).parent / "data" / "items.yaml").read_text()
    extra = ("  - id: spread.partners\n    section: spread\n    scale: agree5\n"
             "    text: Partners elsewhere have asked to adopt it.\n"
             "    help: Requests from other places to take it up.\n    source: \"004\"\n")
    custom = tmp_path / "items.yaml"
    custom.write_text(items.replace("\nitems:\n", "\nitems:\n" + extra, 1), "utf-8")
    client.app.state.instrument = Instrument.from_paths(items=custom)
    page = client.get(link).text
    assert 'name="a:spread.partners"' in page and "Partners elsewhere have asked to adopt it." in page
    assert "Thank you" in _fill(client, link, {"a:spread.partners": "4"}).text


def test_wrong_answers_get_the_cli_readers_problems_and_nothing_is_stored(client, tmp_path: Path) -> None:
    fac = Facilitator(client)
    fac.study()
    link = _links(fac, _innovation(fac), "Ann")["Ann"]
    assert "Thank you" in _fill(client, link, ANN).text
    before = _rows(client)
    bad = {"a:sign.trigger": "9", "a:type.extent": "huge", "a:sign.pilots": ["4", "5"],
           "a:meta.date": "2023-02-30", "a:sign.triger": "5", "h-date-0": "2020", "h-phase-0": "7",
           "h-date-1": "2010", "h-phase-1": "1"}
    r = _fill(client, link, bad)
    assert r.status_code == 422 and 'role="alert"' in r.text
    assert 'name="a:sign.trigger" value="9"' not in r.text  # an out-of-scale value is no option
    assert re.search(r'name="a:type.extent" value="incremental"', r.text)
    # the same answers in a YAML file, read by the reader 'lisa assess' uses
    answers = {"meta.innovation": "Youth hub", "meta.place": "Northfield <2025>", "meta.assessor": "Ann",
               "sign.trigger": "9", "type.extent": "huge", "sign.pilots": ["4", "5"],
               "meta.date": "2023-02-30", "sign.triger": "5"}
    import yaml

    path = tmp_path / "ann.yaml"
    path.write_text(yaml.safe_dump({"answers": answers, "history": [
        {"date": "2020", "phase": "7"}, {"date": "2010", "phase": "1"}]}), "utf-8")
    _, expected = check_answers(path)
    assert {p.code for p in expected} >= {"bad-answer", "wrong-type", "unknown-item", "bad-history",
                                          "history-backwards"}
    import html

    shown = html.unescape(r.text)
    for p in expected:
        assert p.message in shown, p.message
    assert "did you mean sign.trigger" in shown
    assert _rows(client) == before


def _viewer_owner_two_studies(client) -> tuple[Facilitator, Facilitator, int, int]:  # noqa: ANN001
    """A viewer-to-be (signed out), an owner of northfield and southfield (signed in), and an
    innovation in each: (viewer, owner, southfield's innovation, northfield's innovation)."""
    viewer = Facilitator(client, "viewer@example.org")
    client.post("/logout", data={"csrf": viewer.csrf})
    owner = Facilitator(client, "owner@example.org")
    owner.study()
    owner.post("/studies", {"name": "Southfield", "slug": "southfield"})
    return viewer, owner, _innovation(owner, "Their hub", "southfield"), _innovation(owner)


def test_hostile_requests_get_their_status_and_change_nothing(tmp_path: Path) -> None:
    client = make_client(f"sqlite:///{tmp_path / 'h.sqlite3'}", tmp_path, allow_signup=True,
                         max_body_bytes=64 * 1024)
    with client:
        viewer, owner, theirs, mine = _viewer_owner_two_studies(client)
        link = _links(owner, mine, "Ann")["Ann"]
        assert "Thank you" in _fill(client, link, ANN).text
        csrf = _csrf(client.get(link).text)
        owner.post("/studies/northfield/members", {"email": "viewer@example.org", "role": "viewer"})
        before = _stored(client, tmp_path)
        not_found = client.get("/nothing-here").text
        for path in ("/a/" + "A" * 43, "/a/x", "/a/" + "x" * 500, link + "x"):
            r = client.get(path)
            assert (r.status_code, r.text) == (404, not_found), path
        cases = [
            (link, {"csrf": csrf, "a:sign.trigger": "9"}, 422),  # out of scale
            (link, {"csrf": csrf, "a:no.such": "3"}, 422),  # unknown item id
            (link, {"csrf": csrf, "a:meta.service": "x" * 6000}, 422),  # overlong answer
            (link, {"csrf": csrf, "a:meta.service": "x" * 200_000}, 413),  # oversized post
            (link, {"a:sign.trigger": "1"}, 403),  # no CSRF token
            (link, {"csrf": "forged", "a:sign.trigger": "1"}, 403),
            ("/a/" + "B" * 43, {"csrf": csrf, "a:sign.trigger": "1"}, 404),  # a dead link
            (f"/studies/northfield/innovations/{theirs}/links", {"csrf": owner.csrf, "assessors": "Eve"}, 404),
            (f"/studies/northfield/innovations/{mine}/links", {"csrf": owner.csrf, "assessors": "Ann"}, 422),
            (f"/studies/northfield/innovations/{mine}/links", {"csrf": owner.csrf, "assessors": " \n "}, 422),
            ("/studies/northfield/innovations", {"csrf": owner.csrf, "name": "Youth hub"}, 422),  # taken
            ("/studies/northfield/innovations", {"name": "No token"}, 403),
        ]
        for url, data, status in cases:
            r = client.post(url, data=data)
            assert r.status_code == status, (url, r.status_code, r.text[:300])
        upload = client.post(link, data={"csrf": csrf}, files={"a:sign.trigger": ("x.txt", b"5")})
        assert upload.status_code in (400, 422)
        assert client.get(f"/studies/northfield/innovations/{theirs}").status_code == 404
        client.post("/logout", data={"csrf": owner.csrf})
        page = client.get("/login")
        client.post("/login", data={"form_token": hidden(page.text, "form_token"),
                                    "email": "viewer@example.org", "password": PASSWORD})
        viewer.csrf = hidden(client.get("/").text, "csrf")
        assert client.get("/studies/northfield/innovations").status_code == 200
        assert viewer.post("/studies/northfield/innovations", {"name": "Viewer's"}).status_code == 403
        assert viewer.post(f"/studies/northfield/innovations/{mine}/links",
                           {"assessors": "Mallory"}).status_code == 403
        assert client.get(f"/studies/northfield/innovations/{mine}").status_code == 403
        assert client.get(f"/studies/southfield/innovations/{theirs}").status_code == 404  # not a member
        assert _stored(client, tmp_path) == before


def test_guessing_assessor_links_is_rate_limited(tmp_path: Path) -> None:
    client = make_client(f"sqlite:///{tmp_path / 'rl.sqlite3'}", tmp_path, token_attempts=3)
    with client:
        codes = [client.get(f"/a/guess{i}").status_code for i in range(5)]
        assert codes == [404, 404, 404, 429, 429]


def test_nothing_personal_or_secret_is_logged_in_the_assessment_flow(client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fac = Facilitator(client)
    fac.study()
    innovation = _innovation(fac)
    links = _links(fac, innovation, "Zelda Secretname\nYannick Hidden")
    for label, link in links.items():
        _fill(client, link, {**ANN, "a:meta.service": f"notes by {label}"}, go="save")
        _fill(client, link, {"a:sign.trigger": "9"})
        _fill(client, link, ANN)
    client.get(f"/studies/northfield/innovations/{innovation}")
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "/a/[token]" in logged  # the access log ran
    for secret in ["Zelda", "Yannick", "Secretname", PASSWORD, *(p.split("/")[-1] for p in links.values())]:
        assert secret not in logged, secret


def test_the_report_run_includes_the_combined_assessments(tmp_path: Path) -> None:
    from lisa.db.models import RunRow
    from lisa.web.auth import now
    from lisa.web.runs import REPORT_NAMED, REPORT_PSEUDONYMISED, run_analysis

    url = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    client = make_client(url, tmp_path)
    with client:
        fac = Facilitator(client)
        fac.study()
        links = _links(fac, _innovation(fac), "Ann Assessor\nBob Assessor")
        _fill(client, links["Ann Assessor"], ANN)
        _fill(client, links["Bob Assessor"], BOB)
        with session_factory(client.app.state.engine).begin() as s:
            study = s.scalar(select(StudyRow))
            run = RunRow(study_id=study.id, state="queued", progress="", started_at=now())
            s.add(run)
            s.flush()
            run_id = run.id
        run_analysis(url, run_id, str(tmp_path / "out"))  # what the background process runs
        with session_factory(client.app.state.engine)() as s:
            assert s.get(RunRow, run_id).state == "done", s.get(RunRow, run_id).error
        named = (tmp_path / "out" / REPORT_NAMED).read_text("utf-8")
        numbered = (tmp_path / "out" / REPORT_PSEUDONYMISED).read_text("utf-8")
        for html in (named, numbered):
            assert "Youth hub" in html and "Innovation assessments" in html
        assert "Ann Assessor" in named and "Ann Assessor" not in numbered
        assert "assessor 1" in numbered


def test_answers_from_the_form_are_what_the_reader_takes() -> None:
    from starlette.datastructures import FormData

    from lisa.web.assessments import answers_from_form

    bank = Instrument.load().bank
    form = FormData([("a:type.kind", "service"), ("a:sign.trigger", " 4 "), ("a:meta.service", ""),
                     ("a:meta.place", "Elsewhere"), ("h-date-0", "2004"), ("h-phase-0", "2"),
                     ("h-note-0", ""), ("h-date-3", "2010"), ("other", "ignored")])
    raw = answers_from_form(form, bank)
    assert raw == {"answers": {"type.kind": ["service"], "sign.trigger": "4"},
                   "history": [{"date": "2004", "phase": "2"}, {"date": "2010"}]}
    _, problems = answers_from_mapping({"answers": {"meta.innovation": "x", "meta.place": "y",
                                                    **raw["answers"]}, "history": raw["history"]})
    assert [p.code for p in problems] == ["bad-history"]  # a date without a phase, as in a file


def test_an_innovation_is_deleted_with_every_assessor_and_answer(client, tmp_path: Path) -> None:
    fac = Facilitator(client)
    fac.study()
    keep, gone = _innovation(fac, "Kept"), _innovation(fac)
    kept_link = _links(fac, keep, "Cy")["Cy"]
    links = _links(fac, gone, "Ann\nBob")
    _fill(client, links["Ann"], ANN)
    _fill(client, kept_link, BOB)
    r = fac.post(f"/studies/northfield/innovations/{gone}/delete")
    assert r.status_code == 200 and "Youth hub" not in r.text  # type: ignore[attr-defined]
    with session_factory(client.app.state.engine)() as s:
        assert [a.label for a in s.scalars(select(AssessorRow))] == ["Cy"]
        assert [i.name for i in s.scalars(select(InnovationRow))] == ["Kept"]
    assert client.get(links["Ann"]).status_code == 404
    assert client.get(kept_link).status_code == 200
    url = str(client.app.state.settings.url())
    result = CliRunner().invoke(_cli(), ["db", "export", "northfield", str(tmp_path / "n.xlsx"), "--xlsx",
                                         "--database-url", url])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "n-assessments" / "kept").iterdir()] == ["cy.yaml"]


def test_an_owner_reissues_an_assessors_link_and_the_old_one_dies(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from lisa.db.models import AuditRow

    client = make_client(f"sqlite:///{tmp_path / 'ri.sqlite3'}", tmp_path, allow_signup=True)
    with client:
        viewer, owner, theirs, mine = _viewer_owner_two_studies(client)
        _links(owner, theirs, "Eve", "southfield")
        old = _links(owner, mine, "Ann Lovelace\nBob")["Ann Lovelace"]
        _fill(client, old, ANN, go="save")
        with session_factory(client.app.state.engine)() as s:
            ann = s.scalar(select(AssessorRow).where(AssessorRow.label == "Ann Lovelace"))
            their_id = s.scalar(select(AssessorRow.id).join(InnovationRow).where(InnovationRow.id == theirs))
            assert ann is not None
            ann_id, saved = ann.id, ann.answers
        owner.post("/studies/northfield/members", {"email": "viewer@example.org", "role": "viewer"})
        page = client.get(f"/studies/northfield/innovations/{mine}")
        assert f"/assessors/{ann_id}/link" in page.text
        # another study's assessor, an unknown one, no CSRF token: refused, nothing changes
        before = _rows(client)
        url = f"/studies/northfield/innovations/{mine}/assessors/{ann_id}/link"
        assert owner.post(f"/studies/northfield/innovations/{mine}/assessors/{their_id}/link").status_code == 404
        assert owner.post(f"/studies/northfield/innovations/{mine}/assessors/99999/link").status_code == 404
        assert client.post(url, data={}).status_code == 403
        assert _rows(client) == before
        with caplog.at_level(logging.DEBUG):
            r = owner.post(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert [(x["innovation"], x["assessor"]) for x in rows] == [("Youth hub", "Ann Lovelace")]
        new = urlparse(rows[0]["link"]).path
        assert new != old
        not_found = client.get("/nothing-here").text
        dead = client.get(old)
        assert (dead.status_code, dead.text) == (404, not_found)  # the same 404 as any bad token
        assert client.post(old, data={"csrf": _csrf(client.get(new).text), "go": "save"}).status_code == 404
        # the new link opens the same assessor with the answers saved so far, and submits
        assert "review published" in client.get(new).text
        assert "Thank you" in _fill(client, new, ANN).text
        with session_factory(client.app.state.engine)() as s:
            ann = s.get(AssessorRow, ann_id)
            assert ann is not None and ann.state == "submitted" and ann.answers == saved
            line = s.scalars(select(AuditRow).where(AuditRow.action == "reissue-assessor-link")).one()
            assert line.detail == {"links": 1}
        assert "Ann Lovelace" not in caplog.text and new.rsplit("/", 1)[1] not in caplog.text
        # a viewer cannot
        client.post("/logout", data={"csrf": owner.csrf})
        page = client.get("/login")
        client.post("/login", data={"form_token": hidden(page.text, "form_token"),
                                    "email": "viewer@example.org", "password": PASSWORD})
        viewer.csrf = hidden(client.get("/").text, "csrf")
        assert viewer.post(url).status_code == 403
        assert client.get(new).status_code == 200
