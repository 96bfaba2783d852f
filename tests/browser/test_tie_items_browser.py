"""Per-tie items in chromium: an owner adds "how often" to a relation; a respondent on a phone
answers it with the keyboard; axe-core finds no serious violation on either page."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.test_web_loop import PHONE, _axe, _shot, new_study_links, server  # noqa: F401  (the fixture)


def _add_frequency(fac: Any) -> None:
    fac.get_by_role("link", name="Per-tie items").click()
    fac.get_by_label("Item", exact=True).select_option("frequency")
    fac.get_by_role("button", name="Add the item").click()
    assert "How often are you in touch?" in fac.content()
    _axe(fac, "tie items set-up")
    _shot(fac, "tie-items-setup")


def _set_up(browser: Any, server: dict[str, str]) -> str:  # noqa: F811
    """Sign in, create a study with the roster, add the frequency item to "work"; p1's link."""
    return new_study_links(browser, server, "Tie items place", "tie-items-place", _add_frequency)["p1"]


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
