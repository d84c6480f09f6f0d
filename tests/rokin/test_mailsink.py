"""rokin.mailsink: what smtplib sends arrives in the Maildir and reads back decoded."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage

import pytest

from core.maildir import read_messages
from tests.fixtures.mail import free_port

SUBJECT = "【ろうきん】初期登録完了のお知らせ"
BODY = "ユーザーID：abc123\n電子証明書を発行してください。\n"


def japanese_message(charset: str, cte: str, subject: str = SUBJECT) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "no-reply@rokin.example.jp"
    message["To"] = "taro@example.jp"
    message["Subject"] = subject
    message.set_content(BODY, charset=charset, cte=cte)
    return message


@pytest.mark.parametrize(("charset", "cte"), [
    ("utf-8", "base64"), ("utf-8", "quoted-printable"), ("utf-8", "8bit"), ("iso-2022-jp", "7bit"),
])
def test_japanese_subject_and_body_read_back_decoded(smtp_sink, charset, cte):
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, timeout=10) as smtp:
        smtp.send_message(japanese_message(charset, cte))

    [message] = smtp_sink.messages()
    assert message.subject == SUBJECT
    assert message.body == BODY
    assert message.sender == "no-reply@rokin.example.jp"
    assert message.recipients == ["taro@example.jp"]
    assert message.date.tzinfo is not None


def test_envelope_recipients_newest_first(smtp_sink):
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, timeout=10) as smtp:
        smtp.send_message(japanese_message("utf-8", "base64", "一通目"))
        smtp.send_message(japanese_message("utf-8", "base64", "二通目"), from_addr="bounce@rokin.example.jp",
                          to_addrs=["taro@example.jp", "hidden-bcc@example.jp"])

    newest, oldest = smtp_sink.messages()
    assert (newest.subject, oldest.subject) == ("二通目", "一通目")
    assert newest.recipients == ["taro@example.jp", "hidden-bcc@example.jp"]  # the envelope, Bcc included
    assert newest.sender == "bounce@rokin.example.jp"
    assert newest.key != oldest.key


def test_a_missing_maildir_has_no_messages(tmp_path):
    assert read_messages(tmp_path / "nowhere") == []


def wait_until_listening(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, "the sink never listened"
            time.sleep(0.05)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_run_sink_creates_the_maildir_and_stops_cleanly_on_a_signal(tmp_path, stop_signal):
    port, maildir = free_port(), tmp_path / "new" / "maildir"
    process = subprocess.Popen([sys.executable, "-m", "rokin.mailsink", "--port", str(port),
                                "--maildir", str(maildir)])
    try:
        wait_until_listening(port)
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.send_message(japanese_message("utf-8", "base64"))
        process.send_signal(stop_signal)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert [message.subject for message in read_messages(maildir)] == [SUBJECT]


def test_rokin_mailsink_keeps_quiet_about_connections(tmp_path):
    """`rokin dev` probes the port and sends mail through it: aiosmtpd's six INFO lines per connection
    would bury what a developer acts on (the messages are on the dev mailbox page)."""
    port, maildir = free_port(), tmp_path / "maildir"
    process = subprocess.Popen([sys.executable, "-m", "rokin", "mailsink", "--port", str(port), "--maildir",
                                str(maildir)], stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "ROKIN_DATA_DIR": str(tmp_path / "var"), "ROKIN_LOG_FORMAT": "text"})
    try:
        wait_until_listening(port)
        for _ in range(3):
            wait_until_listening(port)
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.send_message(japanese_message("utf-8", "base64"))
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert [message.subject for message in read_messages(maildir)] == [SUBJECT]
    assert "mail.log" not in stderr, stderr
