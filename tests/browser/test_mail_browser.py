"""The e-mail page in chromium with axe-core: a real ``lisa serve`` sending through aiosmtpd.

Both servers run on 127.0.0.1 on free ports for this module and stop at its end.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_web_loop import LISA, SHOTS, _axe, _shot, sign_in_and_create
from tests.web.conftest import _free_port, stop
from tests.web.loadgen import wait_until_serving
from tests.web.test_mail import ROSTER, Server


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    smtp = Server()
    smtp.start()
    data = tmp_path_factory.mktemp("web-mail") / "data"
    made = subprocess.run([LISA, "db", "add-facilitator", "fac@example.org", "--data-dir", str(data)],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    password = re.search(r"password: (\S+)", made.stdout).group(1)  # type: ignore[union-attr]
    port = _free_port()
    env = {**os.environ, "LISA_WEB_SMTP_HOST": "127.0.0.1", "LISA_WEB_SMTP_PORT": str(smtp.port),
           "LISA_WEB_SMTP_SECURITY": "none", "LISA_WEB_SMTP_FROM": "survey@lisa.example"}
    proc = subprocess.Popen([LISA, "serve", "--port", str(port), "--data-dir", str(data)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(proc, base, timeout=60)
        yield {"base": base, "password": password, "smtp": smtp}
    finally:
        log = stop(proc)
        smtp.stop()
        for secret in ("Anna Smith", "Chidi", "anna@example.org", "chidi@example.org"):
            assert secret not in log, "a roster name or address reached the server's log"


def test_the_mail_page_sends_and_passes_axe(mail_server: dict[str, Any], browser: Any) -> None:
    page = browser.new_context().new_page()
    page.goto(mail_server["base"] + "/login")
    sign_in_and_create(page, "fac@example.org", mail_server["password"], "Northfield", "northfield")
    SHOTS.mkdir(parents=True, exist_ok=True)
    roster = Path(SHOTS.parent / "web-mail-roster.csv")
    roster.write_text(ROSTER, "utf-8")
    page.get_by_label(re.compile("Roster file")).set_input_files(str(roster))
    page.get_by_role("button", name="Upload roster").click()
    page.wait_for_url("**/studies/northfield")
    page.get_by_role("link", name="Send the links and reminders by e-mail").click()
    page.wait_for_url("**/studies/northfield/mail")
    _axe(page, "e-mail page")
    page.get_by_role("button", name="Send invitations").click()
    page.wait_for_url("**/studies/northfield/mail?*")
    assert "3 messages queued" in page.content()
    smtp: Server = mail_server["smtp"]
    for _ in range(100):  # sent in the background after the page answered
        if len(smtp.inbox.messages) == 3:
            break
        time.sleep(0.1)
    assert sorted(r[0] for r, _ in smtp.inbox.messages) == [
        "anna@example.org", "chidi@example.org", "eve@example.org"]
    page.reload()
    assert page.locator("tr.state-sent").count() == 3
    _axe(page, "e-mail page with messages")
    _shot(page, "mail")
