"""The rest of issue 10's browser loop in chromium: the first facilitator signs up, a respondent
names someone not on the list, the facilitator merges that name, runs the analysis and opens the
report — against a real ``lisa serve`` with no account yet; axe-core on each new screen."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_web_loop import PHONE, _axe, _shot, serving
from tests.web.conftest import ROSTER

EMAIL, PASSWORD = "first@example.org", "a long and unguessable passphrase"


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``lisa serve`` on a free port of 127.0.0.1 with an empty data folder (no account)."""
    with serving(tmp_path_factory.mktemp("web-review") / "data",
                 ("Anna Smith", "Bertram", "Chidi", "Dana", "Zed Newcomer")) as base:
        yield base


def _answer_on_a_phone(browser: Any, link: str, errors: list[str]) -> None:
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(link)
    page.get_by_role("button", name="I agree, start the survey").click()
    page.get_by_label("Search the list by name").fill("bertrm")
    page.get_by_label(re.compile("Bertram Jones")).check()
    page.get_by_label(re.compile("Someone not on the list")).fill("Zed Newcomer, Mill")
    page.get_by_role("button", name="Save and continue").click()
    page.goto(link + "/step/8")
    page.get_by_role("button", name="Send my answers").click()
    assert "Your answers are in" in page.content()
    phone.close()


def test_sign_up_merge_a_name_run_the_analysis_and_open_the_report(fresh_server: str, browser: Any) -> None:
    errors: list[str] = []
    ctx = browser.new_context(accept_downloads=True)
    fac = ctx.new_page()
    fac.on("pageerror", lambda e: errors.append(str(e)))
    fac.goto(fresh_server + "/signup")
    _axe(fac, "sign-up")
    _shot(fac, "signup")
    fac.get_by_label("E-mail address").fill(EMAIL)
    fac.get_by_label(re.compile("Password")).fill(PASSWORD)
    fac.get_by_role("button", name="Create account").click()
    fac.get_by_label("Name of the study (the place)").fill("Northfield")
    fac.get_by_role("button", name="Create study").click()
    fac.wait_for_url("**/studies/northfield")
    fac.get_by_label(re.compile("Roster file")).set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": ROSTER.encode()}])
    fac.get_by_role("button", name="Upload roster").click()
    fac.wait_for_url("**/studies/northfield")
    with fac.expect_download() as download:
        fac.get_by_role("button", name="Download links (CSV)").click()
    links = {row["id"]: row["link"] for row in
             csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8")))}
    _answer_on_a_phone(browser, links["p1"], errors)

    fac.reload()
    assert "1 answer naming someone not on the roster" in fac.content()
    fac.get_by_role("link", name="Review them").click()
    assert "Zed Newcomer, Mill" in fac.content()
    _axe(fac, "not on the list")
    _shot(fac, "review-unlisted")
    fac.get_by_label("Roster id of the person it means").fill("p4")
    fac.get_by_role("button", name="Merge").click()
    fac.goto(fresh_server + "/studies/northfield/unlisted")
    assert "Nothing to review." in fac.content()

    fac.goto(fresh_server + "/studies/northfield")
    fac.get_by_role("button", name="Run the analysis").click()
    fac.wait_for_url(re.compile(r".*/studies/northfield/runs/\d+$"))
    _axe(fac, "run")
    opened = fac.get_by_role("link", name="Open the report (pseudonymised)")
    opened.wait_for(timeout=240_000)  # the page refreshes itself until the run is done
    _shot(fac, "run-done")
    opened.click()
    fac.wait_for_load_state()
    text = fac.content()
    assert "Executive summary" in text and "Northfield" in text  # lisa's report, of this study
    assert "Anna Smith" not in text and "Bertram Jones" not in text  # pseudonymised by default
    _shot(fac, "report-from-the-dashboard")
    assert not errors, errors
    ctx.close()
