"""開発用メールボックス (/dev/mailbox): mail that reached the real SMTP sink, shown by the web."""

from __future__ import annotations

import smtplib
from dataclasses import replace
from email.message import EmailMessage

import pytest

from web import create_app


def send(sink, subject: str, body: str, to: str = "master@example.jp") -> None:  # noqa: ANN001
    message = EmailMessage()
    message["From"] = "no-reply@rokin.example.jp"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(sink.host, sink.port, timeout=10) as smtp:
        smtp.send_message(message)


@pytest.fixture
def mailbox_client(settings, smtp_sink):  # noqa: ANN001, ANN201
    app = create_app({"TESTING": True}, settings=replace(settings, dev_mailbox=smtp_sink.maildir))
    return app.test_client()


def test_the_mailbox_lists_messages_newest_first(mailbox_client, smtp_sink) -> None:  # noqa: ANN001
    assert "メールはありません。" in mailbox_client.get("/dev/mailbox").get_data(as_text=True)
    send(smtp_sink, "【ろうきん】ロックのお知らせ", "一通目", to="first@example.jp")
    smtp_sink.wait_for(1)
    send(smtp_sink, "【ろうきん】閉塞のお知らせ", "二通目", to="second@example.jp")
    smtp_sink.wait_for(2)
    page = mailbox_client.get("/dev/mailbox").get_data(as_text=True)
    assert "開発用メールボックス" in page
    assert page.index("閉塞のお知らせ") < page.index("ロックのお知らせ")
    assert "second@example.jp" in page and "first@example.jp" in page


def test_a_message_is_shown_as_escaped_plain_text(mailbox_client, smtp_sink) -> None:  # noqa: ANN001
    send(smtp_sink, "有効期限のお知らせ", "電子証明書の有効期限が近づいています。\n<script>alert(1)</script>")
    [message] = smtp_sink.wait_for(1)
    page = mailbox_client.get(f"/dev/mailbox/{message.key}").get_data(as_text=True)
    assert "有効期限のお知らせ" in page
    assert "電子証明書の有効期限が近づいています。" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_unknown_message_is_404(mailbox_client) -> None:  # noqa: ANN001
    assert mailbox_client.get("/dev/mailbox/no-such-key").status_code == 404


def test_without_the_dev_setting_there_is_no_mailbox(client) -> None:  # noqa: ANN001
    assert client.get("/dev/mailbox").status_code == 404
