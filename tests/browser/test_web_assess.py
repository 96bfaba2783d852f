"""Innovation assessment in chromium: an assessor fills the form on a phone; axe-core finds no serious fault.

A real ``lisa serve`` (the ``server`` fixture of the web loop's module, started
anew for this module on a free 127.0.0.1 port). Screenshots go to
``test-output/web/``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from tests.browser.test_web_loop import PHONE, _axe, _shot, server, sign_in_and_create  # noqa: F401 - server is a fixture


def _sign_in_and_add(fac: Any, server: dict[str, str]) -> list[dict[str, str]]:  # noqa: F811 - a parameter
    """The facilitator signs in, creates a study, adds an innovation, downloads two assessors' links."""
    fac.goto(server["base"] + "/login")
    sign_in_and_create(fac, server["email"], server["password"], "Eastfield", "eastfield")
    fac.get_by_role("link", name="Innovations and their assessors").click()
    fac.get_by_label(re.compile("^Name")).fill("Youth hub")
    fac.get_by_label(re.compile("^Description")).fill("One door for young people's services")
    fac.get_by_role("button", name="Add the innovation").click()
    _axe(fac, "innovations")
    fac.get_by_label(re.compile("^Assessors, one a line")).fill("Ann Assessor\nBob Assessor")
    with fac.expect_download() as download:
        fac.get_by_role("button", name="Download the links (CSV)").click()
    return list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))


def _fill(page: Any, answers: dict[str, str]) -> None:
    for item, value in answers.items():
        page.locator(f'input[name="a:{item}"][value="{value}"]').check()


def test_an_assessor_fills_the_form_on_a_phone(server: dict[str, str], browser: Any) -> None:  # noqa: F811
    errors: list[str] = []
    fac_ctx = browser.new_context(accept_downloads=True)
    fac = fac_ctx.new_page()
    fac.on("pageerror", lambda e: errors.append(str(e)))
    links = {row["assessor"]: row["link"] for row in _sign_in_and_add(fac, server)}
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(links["Ann Assessor"])
    _axe(page, "assessment form")
    _shot(page, "phone-assessment-form")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the form is {width}px wide on a {PHONE['width']}px phone"
    _fill(page, {"sign.trigger": "5", "sign.pilots": "4", "type.extent": "radical"})
    page.get_by_role("button", name="Save and finish later").click()
    assert page.locator("#saved").is_visible()
    page.goto(links["Ann Assessor"])  # later, the same link: the answers are there
    assert page.locator('input[name="a:sign.trigger"][value="5"]').is_checked()
    page.locator('input[name="a:type.kind"][value="service"]').check()
    page.get_by_role("button", name="Submit the assessment").click()
    assert "Your assessment of Youth hub is in" in page.content()
    page.goto(links["Bob Assessor"])
    _fill(page, {"sign.trigger": "1", "sign.pilots": "4"})
    page.get_by_role("button", name="Submit the assessment").click()
    assert "is in" in page.content()

    fac.reload()
    fac.get_by_role("link", name="Youth hub").click()
    assert "Where the assessors disagree" in fac.content()
    assert fac.locator("#disagreements").is_visible()
    _axe(fac, "assessment result")
    _shot(fac, "assessment-result")
    assert not errors, errors
    fac_ctx.close()
    phone.close()
