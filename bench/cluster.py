#!/usr/bin/env python3
"""Requests per second through nginx with 1, 2 and 3 `crew serve` processes on
one PostgreSQL: /health (the ceiling), the members page of a 1,000-member
workspace (wrk), and link joins (distinct people, 32 at a time).
Run inside scripts/with-postgres with the test venv; CREW_BIN names crew.
Prints a Markdown section."""
import os
import pathlib
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "pysupport"))
sys.path.insert(0, str(ROOT / "Tests" / "cluster"))
from conftest import Cluster  # noqa: E402
from crew_server import crew_binary  # noqa: E402
from test_cluster import call, link_token, signup, workspace  # noqa: E402

DURATION = os.environ.get("CLUSTER_BENCH_SECONDS", "10")
JOINERS = int(os.environ.get("CLUSTER_BENCH_JOINERS", "600"))


def wrk(url, token=None):
    args = ["wrk", "-t2", "-c32", f"-d{DURATION}s", url]
    if token:
        args[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, int(errors.group(1)) if errors else 0


def main():
    env = dict(os.environ)
    env.update({"CREW_DATABASE_URL": os.environ["CREW_TEST_POSTGRES_URL"], "CREW_SECRET_KEY": "cd" * 32})
    seeded = subprocess.run([crew_binary(), "demo", "--scale", "--members", "1000", "--accounts", "30"], env=env,
                            capture_output=True, text=True, check=True).stdout
    owner_email = re.search(r"(owner-\S+@scale\.crew\.test)", seeded).group(1)
    rows = []
    for processes in (1, 2, 3):
        cluster = Cluster(processes=processes, extra_env={"CREW_LOG_LEVEL": "warning", "CREW_BCRYPT_COST": "4"})
        try:
            status, login = call(cluster.url, "POST", "/api/v1/auth/login", {"email": owner_email, "password": "scale-password-1"})
            token = login["token"]
            status, me = call(cluster.url, "GET", "/api/v1/me", token=token)
            wid = me["workspaces"][0]["id"]
            health, _ = wrk(cluster.url + "/health")
            members, member_errors = wrk(f"{cluster.url}/api/v1/workspaces/{wid}/members?limit=50", token)
            owner = signup(cluster.url, "Bench")
            link = link_token(cluster.url, owner, workspace(cluster.url, owner), permissions=["publish_posts"])
            with ThreadPoolExecutor(max_workers=16) as pool:
                people = list(pool.map(lambda n: signup(cluster.url, f"J{n}"), range(JOINERS)))
            start = time.time()
            with ThreadPoolExecutor(max_workers=32) as pool:
                statuses = list(pool.map(lambda t: call(cluster.url, "POST", f"/api/v1/join/{link}", token=t)[0], people))
            joins = statuses.count(201) / (time.time() - start)
            rows.append((processes, health, members, member_errors, joins, statuses.count(201)))
        finally:
            cluster.stop()
    print("### Through nginx, PostgreSQL, 1,000-member workspace\n")
    print(f"wrk -t2 -c32 -d{DURATION}s for /health and the members page (kept per members-list version in each process); {JOINERS} link joins by distinct people, 32 at a time.\n")
    print("| processes | /health req/s | members page req/s | % of /health | non-2xx | link joins/s |\n|---|---|---|---|---|---|")
    for processes, health, members, errors, joins, admitted in rows:
        print(f"| {processes} | {health:.0f} | {members:.0f} | {100 * members / health:.0f}% | {errors} | {joins:.0f} ({admitted} admitted) |")
    print()


if __name__ == "__main__":
    main()
