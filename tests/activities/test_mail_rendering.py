"""Notice text and MIME form: Japanese subject and body, UTF-8, headers a mail client expects."""

from __future__ import annotations

import email
import email.policy
import smtplib
from email.header import decode_header, make_header

import pytest

from activities.mail import build_message, delivery_failure, stable_message_id
from activities.mail_templates import SYSTEM_NAME, RenderedNotice, render_notice
from domain.notices import NoticeKind

USER_ID = "abc123XYZ"
ADDRESS = "hanako.rokin@example.jp"


# Every value any template may use; a new placeholder without a value here fails with KeyError.
ALL_VALUES = {"user_id": USER_ID, "until": "2026年4月1日 10:30", "about_user_id": "ippan01",
              "request_number": "R-2026-000001", "reason": "パソコン変更", "filed_on": "2026年4月1日",
              "comment": "書面の印影が届出印と異なります。", "certificate_end": "失効"}
# Issue 13 (notices): what follows from ``until`` at the time of sending, and about a general user.
ALL_VALUES.update({"days_left": "25", "renewal_opens_on": "2026年3月2日",
                   "renewal_period": "2026年3月2日〜2026年4月1日",
                   "renewal_status": "電子証明書の更新は2026年3月2日から受け付けています。",
                   "paper_last_day": "2026年4月30日", "paper_destination": "お取引店（労働金庫）",
                   "about_user_next": "再発行できます。"})
ALL_VALUES.update({"code": "123456", "expires": "2026年4月1日 10:30"})  # issue 13: the e-mail change's code


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_notice_names_the_system_and_where_to_turn(kind):
    notice = render_notice(kind, ALL_VALUES)
    assert notice.subject.startswith(f"【{SYSTEM_NAME}】")
    assert "ユーザーID：" in notice.body
    assert "心当たりがない場合は" in notice.body and "お取引店へ" in notice.body
    assert "$" not in notice.body and "http" not in notice.body  # every value filled, no link to click


def test_registration_complete_text():
    notice = render_notice(NoticeKind.REGISTRATION_COMPLETE, {"user_id": USER_ID})
    assert notice.subject == "【ろうきん賃金控除事務支援システム】初期登録完了のお知らせ"
    assert f"ユーザーID：{USER_ID}" in notice.body
    assert "初期登録" in notice.body and "電子証明書発行" in notice.body


def test_a_missing_value_is_a_bug_not_a_blank():
    with pytest.raises(KeyError):
        render_notice(NoticeKind.REGISTRATION_COMPLETE, {})


def parsed(notice: RenderedNotice, message_id: str = "<abc.notice@rokin.example.jp>"):
    raw = build_message(notice, sender="no-reply@rokin.example.jp", recipient=ADDRESS,
                        message_id=message_id).as_bytes()
    return raw, email.message_from_bytes(raw, policy=email.policy.default)


def test_message_is_7bit_clean_utf8_with_the_expected_headers():
    notice = render_notice(NoticeKind.REGISTRATION_COMPLETE, {"user_id": USER_ID})
    raw, message = parsed(notice)
    assert raw.isascii()  # base64 body and RFC 2047 subject: any relay carries it unchanged
    assert b"\r\n" in raw  # SMTP line endings
    assert message["MIME-Version"] == "1.0"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message["Content-Transfer-Encoding"] == "base64"
    assert "=?utf-8?" in raw.split(b"\r\n\r\n")[0].decode().lower()
    assert message["Subject"] == notice.subject
    # decode_header joins adjacent encoded-words as RFC 2047 says (the new parser adds a space)
    raw_from = email.message_from_bytes(raw, policy=email.policy.compat32)["From"]
    assert str(make_header(decode_header(raw_from))) == f"{SYSTEM_NAME} <no-reply@rokin.example.jp>"
    assert message["To"] == ADDRESS
    assert message["Message-ID"] == "<abc.notice@rokin.example.jp>"
    assert message["Date"].datetime.utcoffset().total_seconds() == 9 * 3600  # JST
    assert message.get_content() == notice.body.replace("\n", "\r\n")  # MIME canonical text


def test_message_id_is_stable_per_key_and_unique_across_keys():
    first = stable_message_id("notice/x/1/a/1", "no-reply@rokin.example.jp")
    assert first == stable_message_id("notice/x/1/a/1", "no-reply@rokin.example.jp")
    assert first != stable_message_id("notice/x/1/b/1", "no-reply@rokin.example.jp")
    assert first.startswith("<") and first.endswith("@rokin.example.jp>")
    assert "notice/x" not in first  # opaque: the workflow ID is hashed


def test_permanent_recipient_refusal_is_final_and_does_not_quote_the_address():
    error = smtplib.SMTPRecipientsRefused({ADDRESS: (550, f"5.1.1 <{ADDRESS}> unknown user".encode())})
    failure = delivery_failure(error)
    assert failure.non_retryable
    assert ADDRESS not in str(failure) and "550" in str(failure)


@pytest.mark.parametrize("error", [
    smtplib.SMTPRecipientsRefused({ADDRESS: (450, f"<{ADDRESS}> mailbox busy".encode())}),
    smtplib.SMTPDataError(451, f"try later for {ADDRESS}".encode()),
    smtplib.SMTPServerDisconnected(f"lost while sending to {ADDRESS}"),
    ConnectionRefusedError(111, "Connection refused"),
])
def test_other_failures_are_retried_and_never_quote_the_server(error):
    failure = delivery_failure(error)
    assert not failure.non_retryable
    assert ADDRESS not in str(failure)
    assert type(error).__name__ in str(failure)
