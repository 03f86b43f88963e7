"""Every guarantee of one process holds for three behind nginx on one
PostgreSQL, through crashes and a paused database."""
import os
import signal
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from crew_api import call  # noqa: F401  (bench/cluster.py imports it from here)
from crew_server import CrewServer


def signup(base, name):
    status, body = call(base, "POST", "/api/v1/auth/signup",
                        {"email": f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com", "password": "a long password", "name": name})
    assert status == 201, body
    return body["token"]


def workspace(base, token, plan="agency_plus"):
    status, body = call(base, "POST", "/api/v1/workspaces", {"name": f"Cluster {uuid.uuid4().hex[:4]}", "plan": plan}, token=token)
    assert status == 201, body
    return body["id"]


def link_token(base, token, wid, **patch):
    status, link = call(base, "PATCH", f"/api/v1/workspaces/{wid}/client-invite-link", patch, token=token)
    assert status == 200, link
    return link["url"].rsplit("/", 1)[1]


def requests_in_flight(url):
    """crew's count of requests being handled (this scrape among them)."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith("crew_http_requests_in_flight "):
                return float(line.split()[1])
    return 0.0


def test_a_session_made_on_one_process_works_on_every_process(cluster):
    token = signup(cluster.url, "Olga")
    for process in cluster.processes:
        status, me = call(process.url, "GET", "/api/v1/me", token=token)
        assert status == 200 and me["name"] == "Olga"
    assert {call(cluster.url, "GET", "/api/v1/me", token=token)[0] for _ in range(9)} == {200}


def test_failed_log_ins_on_one_process_lock_the_account_on_every_process(cluster):
    email = f"locked-{uuid.uuid4().hex[:8]}@example.com"
    status, _ = call(cluster.url, "POST", "/api/v1/auth/signup", {"email": email, "password": "a long password", "name": "Lou"})
    assert status == 201
    wrong = {"email": email, "password": "not the password"}
    first, second, third = cluster.processes
    # Five failures spread over the processes, each waiting out the slow-down
    # (1 s after the third, 2 s after the fourth); the fifth locks for a minute.
    for process, pause in [(first, 0), (second, 0), (third, 1.1), (first, 2.1), (second, 0)]:
        status, problem = call(process.url, "POST", "/api/v1/auth/login", wrong)
        assert status == 401, problem
        time.sleep(pause)
    for process in cluster.processes:
        status, problem = call(process.url, "POST", "/api/v1/auth/login", {"email": email, "password": "a long password"})
        assert status == 429 and problem["code"] == "rate_limited", (status, problem)


def test_fifty_concurrent_joins_for_the_last_seat_admit_exactly_one(cluster):
    owner = signup(cluster.url, "Olga")
    wid = workspace(cluster.url, owner, plan="cluster")  # one seat
    token = link_token(cluster.url, owner, wid, permissions=["publish_posts"])  # each joiner takes a seat
    joiners = [signup(cluster.url, f"Joiner{n}") for n in range(50)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda t: call(cluster.url, "POST", f"/api/v1/join/{token}", token=t), joiners))
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == 49
    assert all(body["code"] == "seat_limit_reached" for status, body in results if status == 409)
    status, ws = call(cluster.url, "GET", f"/api/v1/workspaces/{wid}", token=owner)
    assert ws["seats"] == {"limit": 1, "used": 1}


def test_a_link_refresh_is_seen_by_every_process_at_once(cluster):
    owner = signup(cluster.url, "Olga")
    wid = workspace(cluster.url, owner)
    old = link_token(cluster.url, owner, wid)
    status, refreshed = call(cluster.url, "POST", f"/api/v1/workspaces/{wid}/client-invite-link/refresh", token=owner)
    new = refreshed["url"].rsplit("/", 1)[1]
    for process in cluster.processes:
        assert call(process.url, "GET", f"/api/v1/join/{old}")[0] == 410
        assert call(process.url, "GET", f"/api/v1/join/{new}")[0] == 200


def test_a_bulk_delete_is_seen_by_every_process_on_the_next_request(cluster):
    owner = signup(cluster.url, "Olga")
    wid = workspace(cluster.url, owner)
    token = link_token(cluster.url, owner, wid)
    clients = [signup(cluster.url, f"Client{n}") for n in range(10)]
    members = [call(cluster.url, "POST", f"/api/v1/join/{token}", token=c)[1]["id"] for c in clients]
    status, body = call(cluster.url, "POST", f"/api/v1/workspaces/{wid}/members/bulk-delete", {"memberIds": members}, token=owner)
    assert status == 200 and len(body["removed"]) == 10
    for client in clients:
        for process in cluster.processes:
            assert call(process.url, "GET", f"/api/v1/workspaces/{wid}", token=client)[0] == 404


def test_kill_9_during_a_bulk_delete_leaves_all_or_nothing(cluster):
    owner = signup(cluster.url, "Olga")
    wid = workspace(cluster.url, owner)
    token = link_token(cluster.url, owner, wid)
    clients = [signup(cluster.url, f"Crash{n}") for n in range(200)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        members = list(pool.map(lambda c: call(cluster.url, "POST", f"/api/v1/join/{token}", token=c)[1]["id"], clients))
    victim = cluster.processes[0]
    def remove_all():
        try:
            call(victim.url, "POST", f"/api/v1/workspaces/{wid}/members/bulk-delete", {"memberIds": members}, token=owner)
        except OSError:
            pass  # the process was killed under the request: that is the point

    worker = threading.Thread(target=remove_all, daemon=True)
    worker.start()
    time.sleep(0.05)
    cluster.restart(0)
    worker.join(timeout=30)
    remaining, cursor = 0, None
    while True:
        status, page = call(cluster.url, "GET", f"/api/v1/workspaces/{wid}/members?limit=200" + (f"&cursor={cursor}" if cursor else ""), token=owner)
        remaining += len(page["items"])
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert remaining in (1, 201), f"all or nothing, found {remaining} members"
    report = cluster.doctor()
    assert report.returncode == 0, report.stdout + report.stderr


def test_kill_9_during_a_join_burst_keeps_seats_and_uses_consistent(cluster):
    owner = signup(cluster.url, "Olga")
    wid = workspace(cluster.url, owner, plan="cluster")  # one seat
    token = link_token(cluster.url, owner, wid, permissions=["publish_posts"], maxUses=20)
    people = [signup(cluster.url, f"Burst{n}") for n in range(40)]
    victim = cluster.processes[1]

    def join(person):
        try:
            return call(victim.url, "POST", f"/api/v1/join/{token}", token=person)[0]
        except OSError:
            return None  # killed under the request

    with ThreadPoolExecutor(max_workers=40) as pool:
        futures = [pool.submit(join, p) for p in people]
        time.sleep(0.03)
        cluster.restart(1)
        statuses = [f.result() for f in futures]
    assert statuses.count(201) <= 1, statuses
    status, ws = call(cluster.url, "GET", f"/api/v1/workspaces/{wid}", token=owner)
    assert ws["seats"]["used"] <= 1
    report = cluster.doctor()
    assert report.returncode == 0, report.stdout + report.stderr


def test_a_paused_database_answers_503_fast_and_recovers_by_itself(cluster):
    """PostgreSQL stopped (SIGSTOP) under 60 concurrent requests until every one
    of them has its answer: each is answered by the request deadline (3 s here),
    503 when no connection frees up in the pool timeout (2 s) or the database
    does not answer in time; nothing hangs or crashes, and the service recovers
    by itself. The database resumes only after the answers (or after 30 s, when
    one hangs), so an answer that waited for the database cannot pass however
    slowly a loaded machine runs."""
    owner = signup(cluster.url, "Olga")
    pids = cluster.postgres_pids()
    resumption = {}

    def resume():
        if "at" not in resumption:
            resumption["at"] = time.time()
            for pid in pids:
                os.kill(pid, signal.SIGCONT)

    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    paused_at = time.time()
    resumer = threading.Timer(30, resume)
    resumer.start()
    try:
        def timed(_):
            start = time.time()
            status, body = call(cluster.url, "GET", "/api/v1/me", token=owner, timeout=30)
            return status, start - paused_at, time.time() - paused_at, body

        def health_check():
            return call(cluster.processes[1].url, "GET", "/health", timeout=30)

        # Everything starts at once, right after the pause.
        with ThreadPoolExecutor(max_workers=61) as pool:
            health_future = pool.submit(health_check)
            results = list(pool.map(timed, range(60)))
            health = health_future.result()
    finally:
        resume()
        resumer.cancel()
    resumed = resumption["at"]
    refused = [r for r in results if r[0] == 503]
    served = [r for r in results if r[0] == 200]
    assert len(refused) + len(served) == 60, [r[0] for r in results]
    assert refused, "some requests found no free connection"
    assert all(paused_at + end < resumed for _, _, end, _ in results), "answered by the deadline, while the database was paused"
    assert all(body["code"] == "unavailable" for _, _, _, body in refused)
    assert health[0] == 503 and health[1]["database"] == "unreachable", "health answered while the database was paused"
    # Recovers by itself.
    deadline = time.time() + 20
    while call(cluster.url, "GET", "/api/v1/me", token=owner)[0] != 200:
        assert time.time() < deadline, "did not recover"
        time.sleep(0.05)
    print(f"\nPostgreSQL paused {resumed - paused_at:.2f} s: {len(refused)} of 60 requests answered 503 (slowest after "
          f"{max(end - start for _, start, end, _ in refused):.2f} s), {len(served)} answered 200; "
          f"service answering {max(0.0, time.time() - resumed):.2f} s after PostgreSQL resumed")
    report = cluster.doctor()
    assert report.returncode == 0, report.stdout + report.stderr


def test_every_mail_arrives_while_processes_are_killed_and_restarted(cluster, smtp):
    """kill -9 of random processes during delivery: no message is lost; one is
    repeated only if its sender died between sending and marking it sent."""
    owner = signup(cluster.url, "Olga")
    wid = workspace(cluster.url, owner)
    already = len(smtp.messages)
    emails = [f"kill-{n}-{uuid.uuid4().hex[:6]}@example.com" for n in range(150)]
    for start in range(0, len(emails), 50):
        status, body = call(cluster.url, "POST", f"/api/v1/workspaces/{wid}/invitations", {"emails": emails[start:start + 50], "role": "client"}, token=owner)
        assert status == 201, body
    kills = 0
    for round_ in range(6):
        time.sleep(0.4)
        cluster.restart(round_ % len(cluster.processes))
        kills += 1
    deadline = time.time() + 60
    while time.time() < deadline:
        received = {to for m in smtp.messages[already:] for to in m.rcpt_tos}
        if set(emails) <= received:
            break
        time.sleep(0.2)
    mine = [m for m in smtp.messages[already:] if m.rcpt_tos[0] in set(emails)]
    assert {m.rcpt_tos[0] for m in mine} == set(emails), "every invitation arrived"
    ids = [m.original_content.split(b"Message-ID: ")[1].split(b"\r\n")[0] for m in mine]
    repeats = len(ids) - len(set(ids))
    # Each killed process may have been sending up to four messages at once.
    assert repeats <= kills * 4, f"{repeats} repeats after {kills} kills"
    print(f"\n150 mails, {kills} kills: all delivered, {repeats} repeated")
    report = cluster.doctor()
    assert report.returncode == 0, report.stdout + report.stderr


def test_sigterm_finishes_the_request_in_flight_and_exits_cleanly(cluster):
    # A process whose sign-ups take a second or more (bcrypt cost 14), with
    # no request deadline to meet on a loaded machine; the signal goes once
    # crew counts the sign-up in flight (its /metrics gauge, which counts the
    # scrape itself too), not after a guessed sleep.
    env = dict(cluster.env, CREW_BCRYPT_COST="14", CREW_REQUEST_TIMEOUT="120")
    process = CrewServer(extra_env=env)
    answer = {}
    worker = threading.Thread(target=lambda: answer.setdefault("result", call(
        process.url, "POST", "/api/v1/auth/signup",
        {"email": f"slow-{uuid.uuid4().hex[:6]}@example.com", "password": "a long password", "name": "Slow"}, timeout=120)))
    worker.start()
    deadline = time.time() + 30
    while requests_in_flight(process.url) < 2:
        assert time.time() < deadline, "the sign-up never reached crew"
        time.sleep(0.01)
    process.process.send_signal(signal.SIGTERM)
    worker.join(timeout=30)
    status, body = answer["result"]
    assert status == 201 and body["user"]["name"] == "Slow", "the request in flight was finished"
    assert process.process.wait(timeout=20) == 0, "and the process exited cleanly"
    process.stop()
    report = cluster.doctor()
    assert report.returncode == 0, report.stdout + report.stderr


def connect_sandbox(cluster, owner, wid, profiles):
    """The whole OAuth round trip against the standalone sandbox: Crew's start,
    the sandbox's consent form, and the callback back into Crew (through nginx)."""
    import html
    import re
    import urllib.parse
    status, start = call(cluster.url, "POST", f"/api/v1/workspaces/{wid}/accounts/connect", {"platform": "sandbox"}, token=owner)
    assert status == 200, start
    authorize = start["authorizeUrl"]
    with urllib.request.urlopen(authorize, timeout=10) as response:
        page = response.read().decode()
    sealed = html.unescape(re.search(r'name="request" value="([^"]+)"', page).group(1))
    form = urllib.parse.urlencode([("request", sealed), ("decision", "approve")] + [("profile", p) for p in profiles]).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(urllib.request.Request(authorize.split("?")[0], data=form, method="POST"), timeout=10)
        raise AssertionError("the sandbox did not redirect back")
    except urllib.error.HTTPError as redirect:
        callback = redirect.headers["Location"]
    assert callback.startswith(cluster.url + "/oauth/callback/sandbox"), callback
    request = urllib.request.Request(callback, headers={"authorization": f"Bearer {owner}"})
    try:
        opener.open(request, timeout=10)
    except urllib.error.HTTPError as done:
        assert done.code in (302, 303) and "error=" not in done.headers["Location"], done.headers["Location"]
    status, accounts = call(cluster.url, "GET", f"/api/v1/workspaces/{wid}/accounts?limit=50", token=owner)
    assert len(accounts["items"]) == len(profiles), accounts
    return [a["id"] for a in accounts["items"]]


def test_three_schedulers_publish_each_due_post_exactly_once_through_kills(cluster, sandbox):
    """Every process runs the scheduler against one PostgreSQL and one sandbox
    platform; posts are claimed with FOR UPDATE SKIP LOCKED. With a process
    killed (-9) while publishing, its claimed posts go to another after the
    lease (3 s here): every post is published, none twice except one whose
    publisher died between the platform's answer and marking it published."""
    owner = signup(cluster.url, "Olga")
    wid = workspace(cluster.url, owner)
    accounts = connect_sandbox(cluster, owner, wid, ["sbx-101", "sbx-102", "sbx-103"])
    marker = uuid.uuid4().hex[:8]
    # Room to create 30 posts before they fall due, on a loaded machine too
    # (4 s was not always enough).
    due = int(time.time()) + 20
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(due))
    created = []
    for n in range(30):
        status, body = call(cluster.url, "POST", f"/api/v1/workspaces/{wid}/posts", {
            "accountIds": accounts, "text": f"Cluster post {marker}-{n}", "scheduledAt": at, "timeZone": "Europe/Berlin", "submit": True,
        }, token=owner)
        assert status == 201, body
        assert {p["status"] for p in body["items"]} == {"scheduled"}
        created += [p["id"] for p in body["items"]]
    assert len(created) == 90
    time.sleep(max(0.0, due + 0.8 - time.time()))
    cluster.restart(2)  # right as the posts fall due
    deadline = time.time() + 60
    while time.time() < deadline:
        mine = [p for p in sandbox.published() if marker in p["text"]]
        if len({p["text"] + p["profileID"] for p in mine}) == 90:
            break
        time.sleep(0.2)
    mine = [p for p in sandbox.published() if marker in p["text"]]
    distinct = {(p["text"], p["profileID"]) for p in mine}
    assert len(distinct) == 90, f"{len(distinct)} of 90 posts reached the platform"
    repeats = len(mine) - len(distinct)
    assert repeats <= 8, f"{repeats} posts published twice (at most the 8 in flight in the killed process)"
    deadline = time.time() + 10
    while True:
        statuses = [call(cluster.url, "GET", f"/api/v1/workspaces/{wid}/posts/{pid}", token=owner)[1]["status"] for pid in created]
        if set(statuses) == {"published"} or time.time() > deadline:
            break
        time.sleep(0.2)
    assert set(statuses) == {"published"}, statuses
    print(f"\n90 posts by 3 schedulers with one killed: all published, {repeats} repeated")
