"""Running the analysis from the dashboard: a background process, progress, the report."""

from __future__ import annotations

import time

from sqlalchemy import select

from lisa.db import import_study, session_factory
from lisa.db.models import AccountRow, MembershipRow, StudyRow
from lisa.synth import generate
from tests.web.conftest import Facilitator


def test_run_analysis_in_the_background_and_open_the_report(client) -> None:
    fac = Facilitator(client)
    study = generate(80, seed=4, response_rate=0.85, name="Run place")
    sessions = session_factory(client.app.state.engine)
    with sessions.begin() as s:
        row = import_study(s, study, "run-place")
        account = s.scalar(select(AccountRow))
        s.add(MembershipRow(account_id=account.id, study_id=row.id, role="owner"))
    page = client.get("/studies/run-place")
    assert "answered" in page.text
    started = time.monotonic()
    r = fac.post("/studies/run-place/runs", follow_redirects=False)
    assert r.status_code == 303
    assert time.monotonic() - started < 5  # the request does not wait for the analysis
    run_url = r.headers["location"]
    again = fac.post("/studies/run-place/runs", follow_redirects=False)
    assert again.headers["location"] == run_url  # one run at a time
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        page = client.get(run_url)
        if "State: <strong>done" in page.text or "failed" in page.text:
            break
        assert page.headers.get("refresh") == "2"
        time.sleep(1)
    assert "State: <strong>done" in page.text, page.text
    report = client.get(run_url + "/report")
    assert report.status_code == 200
    assert report.headers["content-security-policy"].startswith("sandbox allow-scripts")
    named = client.get(run_url + "/report", params={"named": "true"})
    assert named.status_code == 200
    some_names = [n for n in study.names if n][:20]
    assert any(n in named.text for n in some_names)
    assert not any(n in report.text for n in some_names)  # pseudonymised by default
    with sessions() as s:
        assert s.scalar(select(StudyRow.slug).where(StudyRow.slug == "run-place")) == "run-place"
