"""Reading the dashboard's tables (the numbers beside each chart) and its SVGs out of a page."""

from __future__ import annotations

import html
import re

TABLE = r'<table[^>]*id="table-{}">(.*?)</table>'
ROW = re.compile(r'<tr>\s*<th scope="row"[^>]*>([^<]*)</th>(.*?)</tr>', re.S)
CELL = re.compile(r'<td class="number (\S+)">(\d+)</td>')


def table(page: str, chart_id: str) -> dict[str, dict[str, int]]:
    """``{row label: {column key: number}}`` of the table beside chart ``chart_id``."""
    found = re.search(TABLE.format(re.escape(chart_id)), page, re.S)
    assert found, f"no table for {chart_id}"
    return {html.unescape(label).strip(): {key: int(value) for key, value in CELL.findall(cells)}
            for label, cells in ROW.findall(found.group(1))}


def svg_title(page: str, chart_id: str) -> str:
    svg = rf'<svg [^>]*id="chart-{re.escape(chart_id)}"[^>]*role="img"[^>]*>'
    found = re.search(svg + r'\s*<title id="[^"]+">([^<]+)</title>', page)
    assert found, f"no SVG with a title for {chart_id}"
    return html.unescape(found.group(1))
