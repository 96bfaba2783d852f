"""Requirements of issue 10 that the audit found untested: an Excel roster upload, edited
relation wording reaching the respondent, the dashboard's thresholds and groups."""

from __future__ import annotations

import html
import io
from pathlib import Path
from urllib.parse import urlparse

import pytest

from lisa.io import check_study
from tests.web.conftest import Facilitator
from tests.web.test_flow import answer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROWS = [("id", "name", "organisation", "sector", "layer"),
        ("p1", "Anna Smith", "Council", "public", "systemic"),
        ("p1", "Ann Twice", "Council", "public", "galactic"),
        ("p3", "Chidi Okafor", "School", "education", "frontline")]


def _workbook(rows: list[tuple[str, ...]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "people"
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_an_excel_roster_gets_the_messages_of_lisa_validate_per_row(client, tmp_path: Path) -> None:
    fac = Facilitator(client)
    fac.post("/studies", {"name": "X", "slug": "x"})
    r = fac.post("/studies/x/roster", files={"roster": ("people.xlsx", _workbook(ROWS), XLSX)})
    assert r.status_code == 422
    folder = tmp_path / "same"  # the same rows as a study folder, as `lisa validate` reads it
    folder.mkdir()
    (folder / "people.csv").write_text("\n".join(",".join(row) for row in ROWS) + "\n", "utf-8")
    (folder / "ties.csv").write_text("source,target,relation\n", "utf-8")
    expected = [p for p in check_study(folder) if p.file == "people.csv" and p.severity == "error"]
    assert {p.code for p in expected} >= {"duplicate-id"} and expected
    page = html.unescape(r.text)
    for problem in expected:
        assert problem.message in page, problem
    assert "No roster yet" in client.get("/studies/x").text  # nothing stored
    good = [row for row in ROWS if row[1] != "Ann Twice"]
    r = fac.post("/studies/x/roster", files={"roster": ("people.xlsx", _workbook(good), XLSX)})
    assert r.status_code == 200, r.text
    assert "Chidi Okafor" in client.get("/studies/x").text


def test_edited_question_wording_is_what_the_respondent_reads(client) -> None:
    fac = Facilitator(client)
    links = {row["id"]: urlparse(row["link"]).path for row in fac.study()}
    wording = "Whose <b>advice</b> do you ask when a project stalls? ‮ok"
    r = fac.post("/studies/northfield/relations", {"question-work": wording, "label-work": "Advice"})
    assert r.status_code == 200
    base = links["p1"]
    page = client.get(base)
    from tests.web.conftest import hidden

    csrf = hidden(page.text, "csrf")
    client.post(f"{base}/consent", data={"csrf": csrf})
    client.post(f"{base}/step/0", data={"csrf": csrf, "pick": ["p2"], "go": "next"})
    step = client.get(f"{base}/step/1")
    assert html.escape(wording, quote=False) in step.text and "<b>advice</b>" not in step.text


def test_the_dashboard_shows_groups_and_the_threshold_in_force(client) -> None:
    fac = Facilitator(client)
    links = {row["id"]: row["link"] for row in fac.study()}
    page = client.get("/studies/northfield").text
    for caption in ("By layer", "By sector", "By organisation"):
        assert caption in page, caption
    assert "Below 65%" in page
    for pid in ("p1", "p2", "p3"):
        answer(client, links[pid], ["p4"], ["p4"])
    page = client.get("/studies/northfield").text
    assert "3 of 4 answered (75%)" in page and "Between 65% and 80%" in page
    assert "<th scope=\"row\">Council</th><td>2</td><td>1</td><td>50%" in page
    answer(client, links["p4"], ["p1"], ["p1"])
    assert "At 80% or more, individual brokers may be named" in client.get("/studies/northfield").text


def test_a_settings_file_is_read_and_a_line_naming_no_setting_is_refused(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from lisa.cli import app
    from lisa.errors import ConfigError
    from lisa.web.settings import WebSettings

    good = tmp_path / "web.env"
    good.write_text(f"LISA_WEB_SESSION_HOURS=3\nlisa_web_data_dir={tmp_path / 'data'}\n", "utf-8")
    read = WebSettings.from_file(good)
    assert read.session_hours == 3 and read.data_dir == tmp_path / "data"
    for line, hint in (("session_hours=3", "LISA_WEB_SESSION_HOURS"), ("LISA_WEB_SESION_HOURS=3", "")):
        bad = tmp_path / "bad.env"
        bad.write_text(line + "\n", "utf-8")
        with pytest.raises(ConfigError, match="names no web setting") as caught:
            WebSettings.from_file(bad)
        assert hint in str(caught.value)
        r = CliRunner().invoke(app, ["db", "send-invitations", "x", "--settings", str(bad)])
        assert r.exit_code == 2 and "names no web setting" in r.output, r.output


def test_no_cap_on_nominations_every_name_becomes_a_tie(client) -> None:
    from lisa.db import session_factory, study_from_db

    roster = "id,name,organisation,sector,layer\n" + "".join(
        f"q{i},Person {i},Org {i % 7},public,frontline\n" for i in range(400))
    fac = Facilitator(client)
    links = {row["id"]: urlparse(row["link"]).path for row in fac.study(roster=roster)}
    from sqlalchemy import select

    from lisa.db.models import AnswerRow

    named = [f"q{i}" for i in range(1, 400)]  # everyone else named in the first stage
    answer(client, links["q0"], named, named[:300])  # and 300 of them in one relation
    with session_factory(client.app.state.engine)() as s:
        study = study_from_db(s, "northfield")
        stored = s.scalars(select(AnswerRow)).one().answers
    assert stored["names"] == named
    ties = [(t.source, t.target, t.relation) for t in study.iter_ties()]
    assert sorted(t for _, t, r in ties if r == "innovation") == sorted(named[:300])
