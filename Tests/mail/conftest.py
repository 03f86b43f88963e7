"""An SMTP server (aiosmtpd) per test, recording what it receives, and a Crew
that sends to it."""
import contextlib
import pathlib
import socket
import ssl
import sys
import threading
import time
import uuid

import pytest
import trustme
from aiosmtpd.controller import Controller

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "pysupport"))
from crew_api import api  # noqa: E402
from crew_server import CrewServer, free_port  # noqa: E402
from smtp_recorder import Recorder, authenticator  # noqa: E402,F401


@pytest.fixture(scope="session")
def certificates(tmp_path_factory):
    """A throw-away CA and a certificate for `localhost`."""
    ca = trustme.CA()
    cert = ca.issue_cert("localhost")
    folder = tmp_path_factory.mktemp("tls")
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return ca_file, context


def start_smtp(recorder, **kwargs):
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), server_hostname="localhost", **kwargs)
    controller.start()
    return controller


def start_crew(smtp_url, **extra):
    env = {"CREW_SMTP_URL": smtp_url, "CREW_MAIL_FROM": "Crew Ägency <crew@agency.example>", "CREW_MAIL_RETRY_SECONDS": "0.2"}
    env.update(extra)
    return CrewServer(extra_env=env)


@contextlib.contextmanager
def running(smtp, crew):
    """Stops the Crew process and the SMTP server however the test ends."""
    try:
        yield
    finally:
        crew.stop()
        smtp.stop()


def invite(crew, email="zoe@example.com", owner_name="Zoë Ångström", workspace="Café Ümlaut"):
    tag = uuid.uuid4().hex[:6]
    owner = api(crew, "POST", "/api/v1/auth/signup", {"email": f"owner-{tag}@example.com", "password": "a long password", "name": owner_name})
    ws = api(crew, "POST", "/api/v1/workspaces", {"name": workspace, "plan": "agency"}, token=owner["token"])
    api(crew, "POST", f"/api/v1/workspaces/{ws['id']}/invitations", {"email": email, "role": "client"}, token=owner["token"])
    return owner, ws


def delivery(crew, owner, ws, until=None, timeout=20):
    """The invitation's delivery state, waiting until `until(state)` holds."""
    deadline = time.time() + timeout
    while True:
        items = api(crew, "GET", f"/api/v1/workspaces/{ws['id']}/invitations", token=owner["token"])["items"]
        state = items[0].get("delivery", {})
        if until is None or until(state) or time.time() > deadline:
            return state
        time.sleep(0.1)


class SilentThenRelay:
    """A TCP server that accepts the first connection and never says a word
    (a mail server that stopped answering), then relays later connections to
    a real one."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.port = free_port()
        self.connections = 0
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", self.port))
        self._server.listen(8)
        self._held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            self.connections += 1
            if self.connections == 1:
                self._held.append(client)
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self._server.close()
        for s in self._held:
            s.close()
