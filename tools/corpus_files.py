"""Writing a corpus file: its text lines as converter text, or through the format fixtures' writers
(tools/build_fixtures.py) as .xlsx, .xls, .docx, .html or .pdf, byte for byte reproducible."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import reportlab.rl_config
from build_fixtures import WRITERS

from filings.readers.text import read

reportlab.rl_config.invariant = 1  # no creation date or random document id in the PDFs
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms)")
# A sheet's rows are the text's lines; Word, HTML and PDF number the non-empty rows in order.
_NUMBERED_BY_TEXT_LINE = {".txt", ".xlsx", ".xls"}


def one_line(lines: list[str]) -> str:
    """A form flattened onto one line of space-separated words (as in tests/test_flattenings.py)."""
    return " ".join(cell.strip().replace(" ", "") for line in lines for cell in line.split("\t") if cell.strip())


def write(path: Path, lines: list[str], suffix: str) -> dict[int, int]:
    """Write the file; returns the line a finding reports for each text line (1-based)."""
    data = "\n".join(lines).encode("utf-8")
    if suffix == ".txt":
        path.write_bytes(data)
        return {n: n for n in range(1, len(lines) + 1)}
    rows = read(data)
    WRITERS[suffix](rows, path)
    if suffix in (".xlsx", ".docx"):
        _fix_zip_times(path)
    if suffix in _NUMBERED_BY_TEXT_LINE:
        return {row.line: row.line for row in rows}
    return {row.line: rank for rank, row in enumerate(rows, 1)}


def _fix_zip_times(path: Path) -> None:
    """The same bytes for the same content: fixed entry times and document dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "docProps/core.xml":
                data = _DATES.sub(rb"\g<1>2024-01-01T00:00:00Z\g<2>", data)
            target.writestr(zipfile.ZipInfo(item.filename, _ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())
