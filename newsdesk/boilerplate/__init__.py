"""Boilerplate stripping for the clean stage: HTML pages and plain text to article bodies."""

from newsdesk.boilerplate.html import extract_html
from newsdesk.boilerplate.lines import extract_text
from newsdesk.boilerplate.model import Extraction, LineDecision
from newsdesk.boilerplate.records import explain, strip_records
from newsdesk.boilerplate.repeated import REPEATED_LINES_SCHEMA, RepeatedLines

RULES_VERSION = "2026.12-1"
"""Version of the cleaning rules: bumped whenever the same input can give a different body,
title or removed-line rule, so a workspace can tell which bodies were cleaned by older rules
(the reprocessing path decides what to do about them; nothing here rewrites a workspace)."""

__all__ = [
    "REPEATED_LINES_SCHEMA",
    "RULES_VERSION",
    "Extraction",
    "LineDecision",
    "RepeatedLines",
    "explain",
    "extract_html",
    "extract_text",
    "strip_records",
]
