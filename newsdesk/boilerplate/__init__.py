"""Boilerplate stripping for the clean stage: HTML pages and plain text to article bodies."""

from newsdesk.boilerplate.html import extract_html
from newsdesk.boilerplate.lines import extract_text
from newsdesk.boilerplate.model import Extraction, LineDecision
from newsdesk.boilerplate.records import explain, strip_records
from newsdesk.boilerplate.repeated import RepeatedLines

# Bump whenever the same input can give a different body, title or removed-line rule: `clean`
# then rebuilds the bodies shards older rules made, and `segment` carries their tasks and
# annotations over to the sentences that change.
RULES_VERSION = "2026.12-25"

__all__ = [
    "RULES_VERSION",
    "Extraction",
    "LineDecision",
    "RepeatedLines",
    "explain",
    "extract_html",
    "extract_text",
    "strip_records",
]
