#!/usr/bin/env python3
"""Mail delivery measured end to end: a real `crew serve` hands invitations to a
local SMTP server (aiosmtpd). Prints a Markdown section.

  rate:   N invitations queued at once; messages per second until all arrived.
  outage: the SMTP server stops for OUTAGE seconds while M more are queued;
          what the outbox holds meanwhile, and how long it takes to drain after.

Usage: bench/mail.py [--messages N] [--outage SECONDS] [--outage-messages M]
(CREW_BIN names the crew binary; run it with the test venv's python.)
"""
import argparse
import pathlib
import sys
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "pysupport"))
from smtp_recorder import Recorder  # noqa: E402
from crew_api import api  # noqa: E402
from crew_server import CrewServer, free_port  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402


def invite_all(crew, owner, ws, count, tag):
    for start in range(0, count, 100):
        emails = [f"person{n}-{tag}@example.com" for n in range(start, min(count, start + 100))]
        api(crew, "POST", f"/api/v1/workspaces/{ws['id']}/invitations", {"emails": emails, "role": "client"}, token=owner["token"])


def states(crew, owner, ws):
    items = api(crew, "GET", f"/api/v1/workspaces/{ws['id']}/invitations", token=owner["token"])["items"]
    by = {}
    for item in items:
        status = item.get("delivery", {}).get("status", "none")
        by[status] = by.get(status, 0) + 1
    attempts = max((item.get("delivery", {}).get("attempts", 0) for item in items), default=0)
    return by, attempts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--outage", type=float, default=30)
    parser.add_argument("--outage-messages", type=int, default=200)
    args = parser.parse_args()

    port = free_port()
    recorder = Recorder()
    smtp = Controller(recorder, hostname="127.0.0.1", port=port)
    smtp.start()
    crew = CrewServer(extra_env={"CREW_SMTP_URL": f"smtp://127.0.0.1:{port}", "CREW_MAIL_FROM": "crew@agency.example", "CREW_LOG_LEVEL": "warning"})
    try:
        tag = uuid.uuid4().hex[:6]
        owner = api(crew, "POST", "/api/v1/auth/signup", {"email": f"bench-{tag}@example.com", "password": "a long password", "name": "Bench"})
        ws = api(crew, "POST", "/api/v1/workspaces", {"name": "Mail bench", "plan": "agency_plus"}, token=owner["token"])

        start = time.time()
        invite_all(crew, owner, ws, args.messages, "a")
        queued = time.time()
        recorder.wait_for(args.messages, timeout=600)
        done = time.time()
        received = len(recorder.messages)

        smtp.stop()
        outage_start = time.time()
        invite_all(crew, owner, ws, args.outage_messages, "b")
        samples = []
        while time.time() - outage_start < args.outage:
            time.sleep(min(5, args.outage / 3))
            by, attempts = states(crew, owner, ws)
            samples.append((time.time() - outage_start, dict(by), attempts))
        smtp = Controller(recorder, hostname="127.0.0.1", port=port)
        smtp.start()
        back = time.time()
        total = args.messages + args.outage_messages
        recorder.wait_for(total, timeout=900)
        drained = time.time()
        ids = {m.original_content.split(b"Message-ID: ")[1].split(b"\r\n")[0] for m in recorder.messages}
        final, _ = states(crew, owner, ws)
    finally:
        crew.stop()
        smtp.stop()

    print(f"### Mail delivery to a local SMTP server (aiosmtpd), {args.messages} invitations\n")
    print("| measurement | value |\n|---|---|")
    print(f"| invitations queued through the API | {args.messages} in {queued - start:.2f} s |")
    print(f"| all {received} delivered after | {done - start:.2f} s |")
    print(f"| delivery rate | {received / (done - start):.0f} messages/s |")
    print(f"\nDuring a {args.outage:.0f}-second SMTP outage with {args.outage_messages} more invitations queued:\n")
    print("| seconds into the outage | delivery states | highest attempt count |\n|---|---|---|")
    for at, by, attempts in samples:
        print(f"| {at:.0f} | {', '.join(f'{k}: {v}' for k, v in sorted(by.items()))} | {attempts} |")
    print(f"\nAfter the server came back, the outbox drained in {drained - back:.1f} s "
          f"(next retry of each message: 30 s, then 60 s, 120 s, … after its failures). "
          f"Messages received: {len(recorder.messages)} of {total}; distinct Message-IDs: {len(ids)}; "
          f"final states: {', '.join(f'{k}: {v}' for k, v in sorted(final.items()))}.\n")


if __name__ == "__main__":
    main()
