"""Crew's SMTP transport against a real SMTP server (aiosmtpd): plain,
STARTTLS and implicit TLS, retries on 4xx and silence, failure on 5xx."""
import email
import email.policy
import email.utils

from aiosmtpd.smtp import SMTP  # noqa: F401  (aiosmtpd must be importable)

from conftest import Recorder, SilentThenRelay, authenticator, delivery, invite, running, start_crew, start_smtp


def parsed(envelope):
    # Headers are ASCII except a non-ASCII address (RFC 6532, sent with SMTPUTF8).
    raw = (envelope.original_content or envelope.content).decode("utf-8")
    return email.message_from_string(raw, policy=email.policy.default)


def test_a_message_arrives_intact_with_both_parts_and_non_ascii_names():
    recorder = Recorder()
    smtp = start_smtp(recorder)
    crew = start_crew(f"smtp://127.0.0.1:{smtp.port}")
    with running(smtp, crew):
        owner, ws = invite(crew)
        [envelope] = recorder.wait_for(1)
        assert envelope.mail_from == "crew@agency.example"
        assert envelope.rcpt_tos == ["zoe@example.com"]
        message = parsed(envelope)
        assert message["Subject"] == "Zoë Ångström invited you to Café Ümlaut on Crew"
        assert message["From"].addresses[0].display_name == "Crew Ägency"
        assert message["From"].addresses[0].addr_spec == "crew@agency.example"
        assert message["To"].addresses[0].addr_spec == "zoe@example.com"
        assert message["Message-ID"].endswith("@agency.example>")
        assert email.utils.parsedate_to_datetime(message["Date"]) is not None
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert "Zoë Ångström invited you to join Café Ümlaut on Crew as a client." in text
        link = next(word for word in text.split() if "/invitations/accept?token=" in word)
        assert f'href="{link}"' in html
        assert "<strong>Café Ümlaut</strong>" in html
        state = delivery(crew, owner, ws, until=lambda s: s.get("status") == "sent")
        assert state == {"status": "sent", "attempts": 0}


def test_starttls_with_auth_login_and_a_checked_certificate(certificates):
    ca_file, context = certificates
    recorder = Recorder()
    smtp = start_smtp(
        recorder, tls_context=context, require_starttls=True, authenticator=authenticator(recorder, "s3cret pass"),
        auth_required=True, auth_require_tls=True)
    crew = start_crew(f"smtp+starttls://mailer:s3cret%20pass@localhost:{smtp.port}", CREW_SMTP_CA_FILE=str(ca_file))
    with running(smtp, crew):
        owner, ws = invite(crew)
        [envelope] = recorder.wait_for(1)
        assert recorder.tls_sessions == 1, "the message travelled inside TLS"
        assert recorder.logins == ["mailer"]
        assert parsed(envelope)["Subject"].startswith("Zoë Ångström invited you")


def test_implicit_tls(certificates):
    ca_file, context = certificates
    recorder = Recorder()
    smtp = start_smtp(recorder, ssl_context=context)
    crew = start_crew(f"smtps://localhost:{smtp.port}", CREW_SMTP_CA_FILE=str(ca_file))
    with running(smtp, crew):
        invite(crew)
        assert len(recorder.wait_for(1)) == 1
        assert recorder.tls_sessions == 1


def test_an_untrusted_certificate_is_refused(certificates):
    _, context = certificates
    recorder = Recorder()
    smtp = start_smtp(recorder, tls_context=context, require_starttls=True)
    crew = start_crew(f"smtp+starttls://localhost:{smtp.port}", CREW_MAIL_MAX_ATTEMPTS="1")
    with running(smtp, crew):
        owner, ws = invite(crew)
        state = delivery(crew, owner, ws, until=lambda s: s.get("status") == "failed")
        assert state["status"] == "failed" and "TLS" in state["lastError"], state
        assert recorder.messages == []


def test_a_4xx_is_retried_and_then_delivered():
    recorder = Recorder()
    recorder.rcpt_replies = ["451 4.3.0 Mailbox busy, try later"]
    smtp = start_smtp(recorder)
    crew = start_crew(f"smtp://127.0.0.1:{smtp.port}")
    with running(smtp, crew):
        owner, ws = invite(crew)
        assert len(recorder.wait_for(1)) == 1
        state = delivery(crew, owner, ws, until=lambda s: s.get("status") == "sent")
        assert state == {"status": "sent", "attempts": 1}


def test_a_5xx_marks_the_message_failed_with_the_reply():
    recorder = Recorder()
    recorder.rcpt_replies = ["550 5.1.1 No such mailbox"]
    smtp = start_smtp(recorder)
    crew = start_crew(f"smtp://127.0.0.1:{smtp.port}")
    with running(smtp, crew):
        owner, ws = invite(crew)
        state = delivery(crew, owner, ws, until=lambda s: s.get("status") == "failed")
        assert state["status"] == "failed", state
        assert state["attempts"] == 1, "a permanent refusal is not retried"
        assert "RCPT TO answered 550 5.1.1 No such mailbox" in state["lastError"]
        assert "/invitations/accept?token=" in state["acceptUrl"]
        assert recorder.messages == []


def test_a_wrong_password_fails_with_the_reply_and_never_shows_the_password(certificates):
    ca_file, context = certificates
    recorder = Recorder()
    smtp = start_smtp(
        recorder, tls_context=context, require_starttls=True, authenticator=authenticator(recorder, "right"), auth_required=True)
    crew = start_crew(f"smtp+starttls://mailer:wrong-horse@localhost:{smtp.port}", CREW_SMTP_CA_FILE=str(ca_file))
    with running(smtp, crew):
        owner, ws = invite(crew)
        state = delivery(crew, owner, ws, until=lambda s: s.get("status") == "failed")
        assert state["status"] == "failed", state
        assert "535" in state["lastError"]
        assert "wrong-horse" not in str(state)
        assert "wrong-horse" not in crew.log()


def test_a_server_that_stops_answering_times_out_and_is_retried():
    recorder = Recorder()
    smtp = start_smtp(recorder)
    silent = SilentThenRelay(smtp.port)
    crew = start_crew(f"smtp://127.0.0.1:{silent.port}?timeout=1")
    try:
        owner, ws = invite(crew)
        assert len(recorder.wait_for(1)) == 1
        assert silent.connections >= 2
        state = delivery(crew, owner, ws, until=lambda s: s.get("status") == "sent")
        assert state == {"status": "sent", "attempts": 1}
    finally:
        crew.stop()
        silent.close()
        smtp.stop()


def test_starttls_that_is_not_offered_is_not_skipped():
    recorder = Recorder()
    smtp = start_smtp(recorder)
    crew = start_crew(f"smtp+starttls://127.0.0.1:{smtp.port}")
    with running(smtp, crew):
        owner, ws = invite(crew)
        state = delivery(crew, owner, ws, until=lambda s: s.get("status") == "failed")
        assert state["lastError"] == "the server does not offer STARTTLS"
        assert recorder.messages == []


def test_auth_login_when_plain_is_not_offered(certificates):
    ca_file, context = certificates
    recorder = Recorder()
    smtp = start_smtp(
        recorder, tls_context=context, require_starttls=True, authenticator=authenticator(recorder, "pa:ss"),
        auth_required=True, auth_exclude_mechanism=["PLAIN"])
    crew = start_crew(f"smtp+starttls://mailer:pa%3Ass@localhost:{smtp.port}", CREW_SMTP_CA_FILE=str(ca_file))
    with running(smtp, crew):
        invite(crew)
        assert len(recorder.wait_for(1)) == 1
        assert recorder.logins == ["mailer"]


def test_a_non_ascii_address_goes_out_with_smtputf8():
    recorder = Recorder()
    smtp = start_smtp(recorder)
    crew = start_crew(f"smtp://127.0.0.1:{smtp.port}")
    with running(smtp, crew):
        invite(crew, email="zoë@exämple.com")
        [envelope] = recorder.wait_for(1)
        assert envelope.rcpt_tos == ["zoë@exämple.com"]
        assert "SMTPUTF8" in envelope.mail_options
        assert parsed(envelope)["To"].addresses[0].addr_spec == "zoë@exämple.com"
