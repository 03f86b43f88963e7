"""An aiosmtpd handler that keeps what it receives, for the mail and cluster suites."""
import time

from aiosmtpd.smtp import AuthResult


class Recorder:
    """aiosmtpd handler: keeps every message; `rcpt_replies` answers RCPT TO
    with the given replies first (e.g. a 451), then accepts."""

    def __init__(self):
        self.messages = []
        self.rcpt_replies = []
        self.logins = []
        self.tls_sessions = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if session.ssl or server.transport.get_extra_info("ssl_object") is not None:
            self.tls_sessions += 1
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def wait_for(self, count, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.messages) < count:
            time.sleep(0.05)
        return self.messages


def authenticator(recorder, password):
    def check(server, session, envelope, mechanism, auth_data):
        recorder.logins.append(auth_data.login.decode())
        return AuthResult(success=auth_data.password.decode() == password, handled=False)
    return check
