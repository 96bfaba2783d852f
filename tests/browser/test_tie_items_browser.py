"""Per-tie items in chromium: an owner adds "how often" to a relation; a respondent on a phone
answers it with the keyboard; axe-core finds no serious violation on either page."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from tests.browser.test_web_loop import SHOTS, _axe, _shot, server, sign_in_and_create  # noqa: F401  (the fixture)
from tests.web.conftest import ROSTER

PHONE = {"width": 390, "height": 844}


def _set_up(browser: Any, server: dict[str, str]) -> str:  # noqa: F811
    """Sign in, create a study with the roster, add the frequency item to "work"; p1's link."""
    ctx = browser.new_context(accept_downloads=True)
    fac = ctx.new_page()
    fac.goto(server["base"] + "/login")
    sign_in_and_create(fac, server["email"], server["password"], "Tie items place", "tie-items-place")
    roster = SHOTS.parent / "tie-items-roster.csv"
    SHOTS.mkdir(parents=True, exist_ok=True)
    roster.write_text(ROSTER, "utf-8")
    fac.get_by_label(re.compile("Roster file")).set_input_files(str(roster))
    fac.get_by_role("button", name="Upload roster").click()
    fac.get_by_role("link", name="Per-tie items").click()
    fac.get_by_label("Item", exact=True).select_option("frequency")
    fac.get_by_role("button", name="Add the item").click()
    assert "How often are you in touch?" in fac.content()
    _axe(fac, "tie items set-up")
    _shot(fac, "tie-items-setup")
    fac.goto(server["base"] + "/studies/tie-items-place")
    with fac.expect_download() as download:
        fac.get_by_role("button", name="Download links (CSV)").click()
    links = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    ctx.close()
    return next(row["link"] for row in links if row["id"] == "p1")


def test_a_respondent_answers_tie_items_with_the_keyboard_on_a_phone(server: dict[str, str], browser: Any) -> None:  # noqa: F811
    link = _set_up(browser, server)
    errors: list[str] = []
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(link)
    page.get_by_role("button", name="I agree, start the survey").click()
    page.get_by_label("Search the list by name").fill("okafr")
    page.get_by_label(re.compile("Chidi Okafor")).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label(re.compile("Chidi Okafor")).check()
    page.get_by_role("button", name="Save and continue").click()
    assert page.url.endswith("/step/1/items")
    group = page.get_by_role("group", name="Chidi Okafor School")
    assert group.get_by_role("radio", name="No answer").is_checked()
    group.get_by_role("radio", name="Daily or almost daily").focus()
    page.keyboard.press("ArrowRight")  # a radio group moves and selects with the arrow keys
    assert group.get_by_role("radio", name="Weekly").is_checked()
    _axe(page, "tie items")
    _shot(page, "phone-tie-items")
    page.get_by_role("button", name="Save and continue").click()
    page.goto(link + "/step/8")
    assert "Chidi Okafor (Weekly)" in page.content()
    page.get_by_role("button", name="Send my answers").click()
    assert "Your answers are in (1 connection)" in page.content()
    assert not errors, errors
    phone.close()
