"""The web platform's whole loop in chromium: a facilitator and a respondent on a phone, with axe-core.

A real ``lisa serve`` on 127.0.0.1 (a free port, a fresh data folder) is
started for the module and stopped at its end. Screenshots of the key screens
go to ``test-output/web/``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import ROSTER, _free_port, stop
from tests.web.loadgen import wait_until_serving

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "web"
PHONE = {"width": 390, "height": 844}
LISA = str(Path(sys.executable).parent / "lisa")


def sign_in_and_create(page: Any, email: str, password: str, study: str, slug: str) -> None:
    """On the open sign-in page: sign in as the facilitator and create the study ``study``."""
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Name of the study (the place)").fill(study)
    page.get_by_role("button", name="Create study").click()
    page.wait_for_url(f"**/studies/{slug}")


def new_study_links(browser: Any, server: dict[str, str], study: str, slug: str,
                    then: Callable[[Any], None] | None = None) -> dict[str, str]:
    """Sign in, create the study ``study`` with the test roster, run ``then(page)`` on its
    page (more set-up), download the links: each roster id's survey link."""
    ctx = browser.new_context(accept_downloads=True)
    fac = ctx.new_page()
    fac.goto(server["base"] + "/login")
    sign_in_and_create(fac, server["email"], server["password"], study, slug)
    roster = SHOTS.parent / f"{slug}-roster.csv"
    SHOTS.mkdir(parents=True, exist_ok=True)
    roster.write_text(ROSTER, "utf-8")
    fac.get_by_label(re.compile("Roster file")).set_input_files(str(roster))
    fac.get_by_role("button", name="Upload roster").click()
    fac.wait_for_url(f"**/studies/{slug}")
    if then is not None:
        then(fac)
        fac.goto(server["base"] + f"/studies/{slug}")
    with fac.expect_download() as download:
        fac.get_by_role("button", name="Download links (CSV)").click()
    links = csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8")))
    found = {row["id"]: row["link"] for row in links}
    ctx.close()
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data = tmp_path_factory.mktemp("web-browser") / "data"
    made = subprocess.run([LISA, "db", "add-facilitator", "fac@example.org", "--data-dir", str(data)],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    password = re.search(r"password: (\S+)", made.stdout).group(1)  # type: ignore[union-attr]
    with serving(data, ("Anna Smith", "Bertram", "Chidi", "Dana")) as base:
        yield {"base": base, "email": "fac@example.org", "password": password}


@contextlib.contextmanager
def serving(data: Path, unlogged: Iterable[str]) -> Iterator[str]:
    """``lisa serve`` on a free port of 127.0.0.1 with this data folder; yields its address and,
    once stopped, checks that none of ``unlogged`` reached its log."""
    port = _free_port()
    proc = subprocess.Popen([LISA, "serve", "--port", str(port), "--data-dir", str(data)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(proc, base, timeout=60)
        yield base
    finally:
        log = stop(proc)
        for name in unlogged:
            assert name not in log, "a name reached the server's log"


def _axe(page: Any, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{name}: " + "; ".join(f"{v['id']}: {v['help']}" for v in bad)


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_facilitator_and_respondent_complete_the_loop(server: dict[str, str], browser: Any) -> None:
    errors: list[str] = []
    fac_ctx = browser.new_context(accept_downloads=True)
    fac = fac_ctx.new_page()
    fac.on("pageerror", lambda e: errors.append(str(e)))
    fac.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    fac.goto(server["base"] + "/login")
    _axe(fac, "sign-in")
    sign_in_and_create(fac, server["email"], server["password"], "Northfield", "northfield")
    roster = Path(SHOTS.parent / "web-roster.csv")
    SHOTS.mkdir(parents=True, exist_ok=True)
    roster.write_text(ROSTER, "utf-8")
    fac.get_by_label(re.compile("Roster file")).set_input_files(str(roster))
    fac.get_by_role("button", name="Upload roster").click()
    fac.wait_for_url("**/studies/northfield")
    assert "0 of 4 answered" in fac.content()
    _axe(fac, "dashboard")
    _shot(fac, "dashboard-empty")
    with fac.expect_download() as download:
        fac.get_by_role("button", name="Download links (CSV)").click()
    links = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    link = next(row["link"] for row in links if row["id"] == "p1")

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    resp = phone.new_page()
    resp.on("pageerror", lambda e: errors.append(str(e)))
    resp.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    resp.goto(link)
    _axe(resp, "consent")
    _shot(resp, "phone-consent")
    resp.get_by_role("button", name="I agree, start the survey").click()
    resp.get_by_label("Search the list by name").fill("okafr")  # a typo; the live search finds him
    resp.get_by_label(re.compile("Chidi Okafor")).check()
    resp.get_by_label("Search the list by name").fill("bertrm")
    resp.get_by_label(re.compile("Bertram Jones")).check()
    _axe(resp, "name generator")
    _shot(resp, "phone-names")
    resp.get_by_role("button", name="Save and continue").click()
    assert "Who do you work with most often" in resp.content()
    resp.get_by_label(re.compile("Chidi Okafor")).check()
    resp.get_by_role("button", name="Save and finish later").click()
    assert "saved" in resp.content().lower()
    resp.close()

    again = phone.new_page()  # the respondent comes back later with the same link
    again.goto(link)
    assert again.get_by_label(re.compile("Chidi Okafor")).is_checked()
    again.goto(link + "/step/1")
    assert again.get_by_label(re.compile("Chidi Okafor")).is_checked()
    assert not again.get_by_label(re.compile("Bertram Jones")).is_checked()
    again.goto(link + "/step/8")
    _axe(again, "review")
    _shot(again, "phone-review")
    again.get_by_role("button", name="Send my answers").click()
    assert "Your answers are in (1 connection)" in again.content()
    _shot(again, "phone-thanks")

    fac.reload()
    assert "1 of 4 answered (25%)" in fac.content()
    _shot(fac, "dashboard-one-answer")
    assert not errors, errors
    fac_ctx.close()
    phone.close()
