"""E-mail invitations: queueing and sending to a whole roster through a local SMTP server.

    python benchmarks/mail_bench.py [--people 2000]

Imports a synthetic place with an ``email`` column into a fresh SQLite
database, queues one invitation per person (:func:`lisa.web.mail.queue_messages`)
and sends them all (:func:`lisa.web.mail.deliver`) to an aiosmtpd server on
127.0.0.1 that accepts everything; prints the time of each step and messages
per second. Then queues the invitations again (nothing new: no duplicates) and
reminders to everyone (nobody has answered), timing the queueing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    from lisa.db import engine_for, import_study, session_factory, sqlite_url, upgrade
    from lisa.synth import generate
    from lisa.web.mail import deliver, link_key, queue_messages
    from lisa.web.settings import WebSettings
    from tests.web.conftest import _free_port
    from tests.web.test_mail import Inbox

    folder = Path(tempfile.mkdtemp(prefix="lisa-mail-bench-"))
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = WebSettings(data_dir=folder, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                           smtp_from="survey@lisa.example")
    engine = engine_for(sqlite_url(folder))
    upgrade(engine)
    sessions = session_factory(engine)
    study = generate(args.people, seed=5, name="Mail bench", response_rate=0.0)
    study.attributes["email"] = [f"person{i}@example.org" for i in range(study.n_people)]
    with sessions.begin() as s:
        row = import_study(s, study, "bench")
        study_id = row.id
    try:
        for kind in ("invitation", "invitation", "reminder"):
            started = time.perf_counter()
            with sessions.begin() as s:
                from lisa.db.models import StudyRow

                result = queue_messages(s, s.get(StudyRow, study_id), kind, link_key(settings))
            queued = time.perf_counter() - started
            started = time.perf_counter()
            counts = deliver(sessions, settings, "http://lisa.example", study_id) if result.queued else {}
            sent = time.perf_counter() - started
            rate = f"{counts.get('sent', 0) / sent:.0f} messages/s" if result.queued else "-"
            print(f"{kind:10s} queued {result.queued:5d} in {queued:6.2f} s; sent {counts.get('sent', 0):5d} "
                  f"in {sent:6.2f} s ({rate}); left out {dict(result.skipped)}")
        print(f"server received {len(inbox.messages)} messages for {args.people} people")
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
