"""The written revocation request (電子証明書失効依頼書) as a one-page A4 PDF with Japanese text.

reportlab's built-in CID font HeiseiKakuGo-W5 needs no font file (PDF viewers supply the
Japanese glyphs). The labels are the msgids of the HTML form, so an English page gives an
English sheet; the values are the request's own.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "HeiseiKakuGo-W5"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclass(frozen=True)
class SheetText:
    """Everything the sheet says, already translated and formatted."""

    title: str
    filed_on_label: str
    rows: list[tuple[str, str]]  # (label, value), top to bottom
    statement: str
    seal_label: str


def render_pdf(sheet: SheetText, filed_on: date) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(sheet.title)
    width, height = A4
    left, right = 20 * mm, width - 20 * mm

    canvas.setFont(FONT, 18)
    canvas.drawCentredString(width / 2, height - 30 * mm, sheet.title)
    canvas.setFont(FONT, 10.5)
    canvas.drawRightString(right, height - 42 * mm, f"{sheet.filed_on_label}：{filed_on.isoformat()}")

    row_height, label_width = 11 * mm, 50 * mm
    top = height - 50 * mm
    for index, (label, value) in enumerate(sheet.rows):
        y = top - (index + 1) * row_height
        canvas.rect(left, y, label_width, row_height)
        canvas.rect(left + label_width, y, right - left - label_width, row_height)
        canvas.drawString(left + 3 * mm, y + 4 * mm, label)
        canvas.drawString(left + label_width + 3 * mm, y + 4 * mm, value)

    bottom = top - len(sheet.rows) * row_height
    canvas.drawString(left, bottom - 12 * mm, sheet.statement)
    seal = 30 * mm
    canvas.rect(right - seal, bottom - 20 * mm - seal, seal, seal)
    canvas.setFont(FONT, 8)
    canvas.drawString(right - seal + 2 * mm, bottom - 20 * mm - 5 * mm, sheet.seal_label)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
