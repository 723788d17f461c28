"""Pre-annotations: event triggers found by the schema's keywords, as Label Studio predictions.

Annotators then correct marks instead of starting from a blank sentence. The model version
names the schema fingerprint and the keyword list, so changing either yields new predictions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from newsdesk.annotation.labelconfig import EVENT, SENTENCE
from newsdesk.annotation.offsets import to_labelstudio
from newsdesk.foundations.labelschema import LabelSchema


def keyword_pattern(keywords: list[str]) -> re.Pattern[str] | None:
    """Whole-word, case-insensitive match of any keyword (longest first); None for none."""
    if not keywords:
        return None
    alternatives = "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class KeywordTagger:
    """One regex per event type; the first type whose keyword matches a span wins it."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    model_version: str

    @classmethod
    def from_schema(cls, schema: LabelSchema) -> KeywordTagger:
        patterns = [
            (event.value, pattern)
            for event in schema.events.types
            if (pattern := keyword_pattern(event.keywords)) is not None
        ]
        keywords = repr([(e.value, e.keywords) for e in schema.events.types]).encode()
        version = f"keywords-{schema.fingerprint[:8]}-{hashlib.sha256(keywords).hexdigest()[:8]}"
        return cls(tuple(patterns), version)

    def spans(self, sentence: str) -> list[tuple[str, int, int]]:
        """(event type, start, end) in Python offsets, without overlaps, in text order."""
        found: list[tuple[str, int, int]] = []
        for label, pattern in self.patterns:
            for match in pattern.finditer(sentence):
                start, end = match.span()
                if all(end <= s or start >= e for _, s, e in found):
                    found.append((label, start, end))
        return sorted(found, key=lambda span: span[1])

    def result(self, sentence: str) -> list[dict[str, Any]]:
        """A Label Studio result list, offsets in the units its front end draws by."""
        return [
            {
                "id": f"kw{index}",
                "from_name": EVENT,
                "to_name": SENTENCE,
                "type": "labels",
                "value": {
                    "start": to_labelstudio(sentence, start),
                    "end": to_labelstudio(sentence, end),
                    "text": sentence[start:end],
                    "labels": [label],
                },
            }
            for index, (label, start, end) in enumerate(self.spans(sentence))
        ]
