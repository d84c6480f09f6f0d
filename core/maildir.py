"""Reading the development Maildir that the SMTP sink (``rokin.mailsink``) writes: the dev mailbox
page, the simulator and the tests list what was sent. The envelope is in two headers the sink
writes in front of each message."""

from __future__ import annotations

import email
import email.policy
import email.utils
import mailbox
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

ENVELOPE_FROM = "X-MailFrom"  # the names aiosmtpd's own Mailbox handler uses
ENVELOPE_TO = "X-RcptTo"


@dataclass(frozen=True)
class MailMessage:
    key: str
    sender: str
    recipients: list[str]
    subject: str
    date: datetime
    body: str


def read_messages(maildir: Path) -> list[MailMessage]:
    """Every message in the Maildir, newest delivery first; an absent Maildir has none."""
    if not Path(maildir, "cur").is_dir():
        return []
    box = mailbox.Maildir(maildir, factory=None, create=False)
    found: list[tuple[float, str, MailMessage]] = []
    for key in box.keys():
        try:
            delivered = box.get_message(key).get_date()  # the file's mtime
            raw = box.get_bytes(key)
        except (FileNotFoundError, KeyError):  # removed between listing and reading
            continue
        found.append((delivered, key, _parse(key, raw, delivered)))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [message for _, _, message in found]


def _parse(key: str, raw: bytes, delivered: float) -> MailMessage:
    parsed: EmailMessage = email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[assignment]
    sender = str(parsed.get(ENVELOPE_FROM) or parsed.get("From") or "")
    rcpt = parsed.get(ENVELOPE_TO)
    if rcpt is not None:
        recipients = [address.strip() for address in str(rcpt).split(",") if address.strip()]
    else:
        recipients = [address for _, address in
                      email.utils.getaddresses([str(v) for v in parsed.get_all("To", []) + parsed.get_all("Cc", [])])]
    return MailMessage(key=key, sender=sender, recipients=recipients, subject=str(parsed.get("Subject", "")),
                       date=_date(parsed, delivered), body=_text_body(parsed))


def _date(parsed: EmailMessage, delivered: float) -> datetime:
    try:
        header = parsed["Date"]
        if header is not None and header.datetime is not None:
            return header.datetime
    except (TypeError, ValueError):
        pass
    return datetime.fromtimestamp(delivered, timezone.utc)


def _text_body(parsed: EmailMessage) -> str:
    part = parsed.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, ValueError):  # unknown charset or broken encoding: show what we can
        text = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n")  # base64 text is CRLF in MIME's canonical form
