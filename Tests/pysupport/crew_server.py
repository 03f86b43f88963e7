"""Starts a real `crew serve` on a free loopback port for the Python suites."""
import os
import pathlib
import socket
import subprocess
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]


def crew_binary() -> str:
    if os.environ.get("CREW_BIN"):
        return os.environ["CREW_BIN"]
    path = subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip()
    return os.path.join(path, "crew")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CrewServer:
    """A crew process with its own data directory; stopped and removed on exit."""

    def __init__(self, extra_env=None, demo=False, port=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = tempfile.mkdtemp(prefix="crew-pytest-")
        self.log_path = os.path.join(self.data_dir, "server.log")
        env = dict(os.environ)
        env.update({"CREW_DATA_DIR": self.data_dir, "CREW_PORT": str(self.port), "CREW_HOST": "127.0.0.1"})
        env.pop("CREW_DATABASE_URL", None)
        if os.environ.get("CREW_SUITE_DATABASE_URL"):
            env["CREW_DATABASE_URL"] = os.environ["CREW_SUITE_DATABASE_URL"]
            env.setdefault("CREW_SECRET_KEY", "ab" * 32)
        # Every suite signs up and logs in many people from 127.0.0.1; the
        # per-address brakes are tested on their own (test_foundation.py).
        env.setdefault("CREW_LOGIN_FAILURES_PER_ADDRESS", "0")
        env.setdefault("CREW_SIGNUPS_PER_ADDRESS", "0")
        env.update(extra_env or {})
        args = [crew_binary(), "serve"] + (["--demo"] if demo else [])
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(args, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout=60.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"crew exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"crew did not become healthy:\n{self.log()}")

    def log(self) -> str:
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()
