"""Boilerplate stripping for the clean stage: HTML pages and plain text to article bodies."""

from newsdesk.boilerplate.html import extract_html
from newsdesk.boilerplate.lines import extract_text
from newsdesk.boilerplate.model import Extraction, LineDecision
from newsdesk.boilerplate.records import explain, strip_records
from newsdesk.boilerplate.repeated import REPEATED_LINES_SCHEMA, RepeatedLines

__all__ = [
    "REPEATED_LINES_SCHEMA",
    "Extraction",
    "LineDecision",
    "RepeatedLines",
    "explain",
    "extract_html",
    "extract_text",
    "strip_records",
]
