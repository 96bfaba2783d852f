"""A respondent on a slow phone types a name before the live-search script has arrived: the
results still appear once it does (the script searches what is already in the box)."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.test_web_loop import PHONE, new_study_links, server  # noqa: F401  (the fixture)


def test_a_name_typed_before_the_script_arrives_is_searched(server: dict[str, str], browser: Any) -> None:  # noqa: F811
    link = new_study_links(browser, server, "Slow phone", "slow-phone")["p1"]
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
