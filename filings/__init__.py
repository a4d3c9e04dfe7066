"""jixiao's parsing core: raw filings → normalised records and Polars tables. No Dagster here."""

# Bump when parsing changes what it produces for the same bytes.
PARSER_VERSION = "8"  # 8: PDFs read short for want of a Chinese font are refused (needs_font)

from filings import native  # noqa: E402  (before any compiled module is imported)

native.choose()
