"""A cluster on loopback: one PostgreSQL (from scripts/with-postgres), three
`crew serve` processes and nginx in front of them, round-robin."""
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "pysupport"))
from crew_server import CrewServer, crew_binary, free_port  # noqa: E402

SECRET_KEY = "cd" * 32

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 2048; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    upstream crew {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://crew;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            # A process that is down or restarting: try the next one.
            proxy_next_upstream error timeout http_502;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
        }}
    }}
}}
"""


class Cluster:
    def __init__(self, processes=3, extra_env=None):
        self.database_url = os.environ["CREW_TEST_POSTGRES_URL"]
        self.env = {
            "CREW_DATABASE_URL": self.database_url, "CREW_SECRET_KEY": SECRET_KEY, "CREW_BCRYPT_COST": "4",
            "CREW_DB_POOL_SIZE": "4", "CREW_DB_POOL_TIMEOUT": "2", "CREW_REQUEST_TIMEOUT": "3", "CREW_PLAN_CLUSTER": "1/10",
            # nginx in front, as README.md sets it up.
            "CREW_TRUSTED_PROXIES": "127.0.0.1",
        }
        self.env.update(extra_env or {})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env["CREW_PUBLIC_URL"] = self.url
        self.processes = [CrewServer(extra_env=self.env) for _ in range(processes)]
        self.dir = tempfile.mkdtemp(prefix="crew-nginx-")
        for sub in ("body", "proxy"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        servers = "\n".join(f"        server 127.0.0.1:{p.port} max_fails=0;" for p in self.processes)
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(dir=self.dir, servers=servers, port=self.port))
        self.nginx = subprocess.Popen(["nginx", "-c", conf, "-p", self.dir], stderr=subprocess.STDOUT, stdout=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not come up")

    def restart(self, index):
        """kill -9 one process and start it again on the same port."""
        old = self.processes[index]
        old.process.send_signal(signal.SIGKILL)
        old.process.wait()
        self.processes[index] = CrewServer(extra_env=self.env, port=old.port)

    def doctor(self):
        env = dict(os.environ)
        env.update(self.env)
        return subprocess.run([crew_binary(), "doctor"], env=env, capture_output=True, text=True, timeout=60)

    def postgres_pids(self):
        pgdata = os.environ["CREW_TEST_PGDATA"]
        with open(os.path.join(pgdata, "postmaster.pid")) as f:
            postmaster = int(f.readline())
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
        return [postmaster] + [int(c) for c in children]

    def stop(self):
        self.nginx.terminate()
        self.nginx.wait(timeout=10)
        for p in self.processes:
            p.stop()


@pytest.fixture(scope="module")
def smtp():
    """Every process hands its mail to this server."""
    from aiosmtpd.controller import Controller
    from smtp_recorder import Recorder
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    recorder.port = controller.port
    yield recorder
    controller.stop()


class Sandbox:
    """`crew sandbox` as its own process: the social platform every Crew process
    publishes to, so its record of published posts is the one truth."""

    def __init__(self):
        self.port = free_port()
        self.secret = "sandbox-" + "ef" * 16
        self.url = f"http://127.0.0.1:{self.port}/sandbox"
        self.log = tempfile.NamedTemporaryFile(prefix="crew-sandbox-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [crew_binary(), "sandbox", "--port", str(self.port), "--client-id", "crew", "--client-secret", self.secret],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/inspect/published", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the sandbox did not come up")

    @property
    def env(self):
        return {"CREW_SANDBOX_URL": self.url, "CREW_PLATFORM_SANDBOX_CLIENT_ID": "crew", "CREW_PLATFORM_SANDBOX_SECRET": self.secret}

    def published(self):
        import json
        with urllib.request.urlopen(self.url + "/inspect/published", timeout=10) as response:
            return json.loads(response.read())["posts"]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def sandbox():
    s = Sandbox()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def cluster(smtp, sandbox):
    c = Cluster(extra_env={
        "CREW_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}?timeout=5", "CREW_MAIL_FROM": "crew@agency.example",
        "CREW_MAIL_RETRY_SECONDS": "0.5", "CREW_MAIL_LEASE_SECONDS": "3", "CREW_PUBLISH_LEASE_SECONDS": "3",
        **sandbox.env,
    })
    yield c
    c.stop()
