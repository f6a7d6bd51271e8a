"""Thresholds kept in a spreadsheet, exported as CSV or TSV, read as the Markdown table they are.

Each record becomes a pipe row on the line it starts on, so the first is the table's header and a threshold
names its record's line. The standard library's csv module reads the quoting (a cell with a comma in it, a
cell over two lines) and tells the delimiter (",", ";" as a European export writes it, or a tab).
"""

from __future__ import annotations

import csv
import io

__all__ = ["SPREADSHEET_SUFFIXES", "sheet_lines"]

SPREADSHEET_SUFFIXES = {".csv", ".tsv"}


def sheet_lines(content: str) -> list[tuple[int, str]]:
    """The records as pipe rows, each with the line it starts on; a blank record a blank line."""
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(content[:8192], delimiters=",;\t")
    except csv.Error:  # one column, or no delimiter the sniffer can tell: a comma
        dialect = csv.excel
    out: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(content), dialect)
    start = 1
    try:
        for record in reader:
            cells = [" ".join(c.split()).replace("|", "/") for c in record]
            out.append((start, "| " + " | ".join(cells) + " |" if any(cells) else ""))
            start = reader.line_num + 1
    except csv.Error:  # a quote never closed: the rest as it is, line for line
        out += [(n, raw) for n, raw in enumerate(content.splitlines()[start - 1:], start)]
    return out
