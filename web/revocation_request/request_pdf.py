"""The written revocation request (電子証明書失効依頼書) as an A4 PDF: page 1 for the employer to seal
and send, page 2 the approval checklist for Rokin staff (労働金庫使用欄).

Every character is drawn in one TrueType font that reportlab embeds as a subset (with its
ToUnicode map), Latin included: any viewer renders and extracts the exact text, user IDs and
serials too. The font is IPAGothic from Debian's ``fonts-ipafont-gothic`` (``FONT_FILE``; the
Flask setting ``REQUEST_FORM_FONT`` names another file). Without it the sheet cannot be drawn:
``SheetFontMissing``, which the view turns into a message.

The texts come translated and formatted (``Sheet``, built by the view); the drawing here knows
no Flask and no database.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_FILE = Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf")  # Debian: fonts-ipafont-gothic
WIDTH, HEIGHT = A4
LEFT, RIGHT = 20 * mm, WIDTH - 20 * mm
TEXT_SIZE = 10.5
LINE = 5 * mm  # one line of ``TEXT_SIZE`` text in a cell
TOKENS = re.compile(r"[!-~]+ *| +|.", re.S)  # a Latin word with its spaces, spaces, or any one character


class SheetFontMissing(RuntimeError):
    """The font file cannot be read: the message names it (a path, no personal data)."""


@dataclass(frozen=True)
class OfficeSection:
    """One block of the staff's checklist: checks to tick, then lines to fill in (date, name)."""

    heading: str
    checks: list[str]
    entries: list[str]


@dataclass(frozen=True)
class OfficeUse:
    """Page 2, 労働金庫使用欄: what a receiver and an approver check and sign."""

    title: str
    note: str  # お客さまは記入しないでください
    reference: str  # the request number again, so a page that came apart still matches
    sections: list[OfficeSection]
    stamps: list[str]  # the stamp boxes, left to right (approver first, as on bank forms)


@dataclass(frozen=True)
class Sheet:
    """Everything the sheet says, already translated and formatted."""

    title: str
    filed_on: str  # 依頼日：YYYY-MM-DD
    destination_label: str  # 提出先
    destination: list[str]  # the branch (or お取引店), its address
    rows: list[tuple[str, str]]  # (label, value), top to bottom; an empty value is a line to write on
    statement: str
    seal_label: str  # 届出印
    instructions: list[str]
    office: OfficeUse


_registered: dict[Path, str] = {}
_registering = threading.Lock()


def font_name(path: Path) -> str:
    """Register the TrueType font at ``path`` once (a missing file is tried again next time); its name."""
    with _registering:
        if path not in _registered:
            name = f"RequestSheet{len(_registered)}"
            try:
                pdfmetrics.registerFont(TTFont(name, str(path)))
            except (OSError, TTFError) as error:
                raise SheetFontMissing(f"the request form's font cannot be read: {path} ({error})") from None
            _registered[path] = name
        return _registered[path]


def render_pdf(sheet: Sheet, font_file: Path = FONT_FILE) -> bytes:
    font = font_name(font_file)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=TEXT_SIZE)
    canvas.setTitle(sheet.title)
    _request_page(canvas, font, sheet)
    canvas.showPage()
    _office_page(canvas, font, sheet.office)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _request_page(canvas: Canvas, font: str, sheet: Sheet) -> None:
    canvas.setFont(font, 18)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - 28 * mm, sheet.title)
    canvas.setFont(font, TEXT_SIZE)
    canvas.drawRightString(RIGHT, HEIGHT - 38 * mm, sheet.filed_on)

    y = HEIGHT - 38 * mm  # 提出先, top left: the addressee
    canvas.drawString(LEFT, y, sheet.destination_label)
    for line in sheet.destination:
        for part in wrap(line, font, 12, 110 * mm):
            y -= 6 * mm
            canvas.setFont(font, 12)
            canvas.drawString(LEFT + 4 * mm, y, part)
    canvas.setFont(font, TEXT_SIZE)

    y = _table(canvas, font, sheet.rows, top=y - 10 * mm, label_width=45 * mm)
    canvas.drawString(LEFT, y - 10 * mm, sheet.statement)

    seal = 30 * mm  # 届出印: the seal registered with the 労金
    seal_top = y - 16 * mm
    canvas.rect(RIGHT - seal, seal_top - seal, seal, seal)
    canvas.setFont(font, fitting_size(sheet.seal_label, font, 9, seal))
    canvas.drawCentredString(RIGHT - seal / 2, seal_top + 2 * mm, sheet.seal_label)
    canvas.setFont(font, 9)

    y = seal_top - seal - 10 * mm
    for instruction in sheet.instructions:
        for part in wrap(instruction, font, 9, RIGHT - LEFT):
            canvas.drawString(LEFT, y, part)
            y -= 4.5 * mm


def _office_page(canvas: Canvas, font: str, office: OfficeUse) -> None:
    canvas.setFont(font, 15)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - 25 * mm, office.title)
    canvas.setFont(font, 9)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - 32 * mm, office.note)
    canvas.setFont(font, TEXT_SIZE)
    canvas.drawRightString(RIGHT, HEIGHT - 40 * mm, office.reference)
    y = HEIGHT - 48 * mm
    for section in office.sections:
        canvas.setFont(font, 12)
        canvas.drawString(LEFT, y, section.heading)
        canvas.setFont(font, TEXT_SIZE)
        y -= 7 * mm
        for check in section.checks:
            canvas.rect(LEFT + 2 * mm, y - 0.5 * mm, 3.5 * mm, 3.5 * mm)  # a box to tick
            parts = wrap(check, font, TEXT_SIZE, RIGHT - LEFT - 10 * mm)
            for index, part in enumerate(parts):
                canvas.drawString(LEFT + 8 * mm, y - index * LINE, part)
            y -= 6.5 * mm + (len(parts) - 1) * LINE
        y = _table(canvas, font, [(entry, "") for entry in section.entries], top=y, label_width=45 * mm) - 8 * mm

    stamp = 25 * mm
    x = RIGHT - stamp * len(office.stamps)
    for label in office.stamps:
        canvas.rect(x, y - stamp - 6 * mm, stamp, stamp + 6 * mm)
        canvas.line(x, y - 6 * mm, x + stamp, y - 6 * mm)
        canvas.setFont(font, fitting_size(label, font, 9, stamp - 2 * mm))
        canvas.drawCentredString(x + stamp / 2, y - 4.5 * mm, label)
        x += stamp


def _table(canvas: Canvas, font: str, rows: list[tuple[str, str]], *, top: float, label_width: float) -> float:
    """Label | value rows, a value wrapped to its cell; returns the bottom."""
    y = top
    value_width = RIGHT - LEFT - label_width - 6 * mm
    for label, value in rows:
        labels = wrap(label, font, TEXT_SIZE, label_width - 5 * mm) or [""]
        lines = wrap(value, font, TEXT_SIZE, value_width) or [""]
        height = max(11 * mm, (max(len(lines), len(labels)) + 1) * LINE)
        y -= height
        canvas.rect(LEFT, y, label_width, height)
        canvas.rect(LEFT + label_width, y, RIGHT - LEFT - label_width, height)
        baseline = y + height - 7 * mm
        for index, line in enumerate(labels):
            canvas.drawString(LEFT + 3 * mm, baseline - index * LINE, line)
        for index, line in enumerate(lines):
            canvas.drawString(LEFT + label_width + 3 * mm, baseline - index * LINE, line)
    return y


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width``: broken between words of Latin text and between
    characters of Japanese (which has no spaces); a word wider than a line is broken too."""
    lines: list[str] = []
    current = ""
    for token in TOKENS.findall(text):
        if current and pdfmetrics.stringWidth(current + token.rstrip(), font, size) > width:
            lines.append(current.rstrip())
            current = ""
        for character in token if pdfmetrics.stringWidth(token.rstrip(), font, size) > width else [token]:
            if current and pdfmetrics.stringWidth(current + character, font, size) > width:
                lines.append(current.rstrip())
                current = ""
            current += character
    if current.strip():
        lines.append(current.rstrip())
    return lines


def fitting_size(text: str, font: str, size: float, width: float) -> float:
    """The largest size up to ``size`` (by half points, 6 at least) at which ``text`` fits in ``width``."""
    while size > 6 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size
