"""A respondent on a slow phone types a name before the live-search script has arrived: the
results still appear once it does (the script searches what is already in the box)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from tests.browser.test_web_loop import PHONE, SHOTS, server, sign_in_and_create  # noqa: F401  (the fixture)
from tests.web.conftest import ROSTER


def _link(browser: Any, server: dict[str, str]) -> str:  # noqa: F811
    ctx = browser.new_context(accept_downloads=True)
    fac = ctx.new_page()
    fac.goto(server["base"] + "/login")
    sign_in_and_create(fac, server["email"], server["password"], "Slow phone", "slow-phone")
    roster = SHOTS.parent / "slow-phone-roster.csv"
    SHOTS.mkdir(parents=True, exist_ok=True)
    roster.write_text(ROSTER, "utf-8")
    fac.get_by_label(re.compile("Roster file")).set_input_files(str(roster))
    fac.get_by_role("button", name="Upload roster").click()
    fac.wait_for_url("**/studies/slow-phone")
    with fac.expect_download() as download:
        fac.get_by_role("button", name="Download links (CSV)").click()
    links = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    ctx.close()
    return next(row["link"] for row in links if row["id"] == "p1")


def test_a_name_typed_before_the_script_arrives_is_searched(server: dict[str, str], browser: Any) -> None:  # noqa: F811
    link = _link(browser, server)
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    held: list[Any] = []
    page.route("**/static/search.js", lambda route: held.append(route))  # the script is in flight
    page.goto(link)
    page.get_by_role("button", name="I agree, start the survey").click(no_wait_after=True)
    page.get_by_label("Search the list by name").fill("bertrm")  # typed while it is held
    page.wait_for_function("document.getElementById('q-input').value === 'bertrm'")
    deadline = 0
    while not held and deadline < 100:
        page.wait_for_timeout(50)
        deadline += 1
    assert held, "the step page never asked for the live-search script"
    held[0].continue_()  # now it arrives: no further keystroke
    page.get_by_label(re.compile("Bertram Jones")).check()
    assert page.get_by_label(re.compile("Bertram Jones")).is_checked()
    assert errors == []
    phone.close()
