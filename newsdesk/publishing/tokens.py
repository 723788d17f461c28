"""The tokenizer of the `tokens` config and the BIO tags of event triggers aligned to it.

`newsdesk-regex-1` is a small rule tokenizer, the same for every language and written down
here so anyone can reproduce its tokens from the text:

- a word is a run of letters, digits, underscores and combining marks (so Devanagari vowel
  signs and accents written as combining characters stay in their word), with inner
  apostrophes or hyphens (`don't`, `Rolls-Royce`) and, between digits, `.` or `,` (`3.5`,
  `10,000`) kept inside it;
- each Han ideograph, kana and CJK symbol is a token of its own (those scripts do not
  separate words by spaces), with any combining marks that follow it;
- every other character that is not whitespace is a token of its own (punctuation, symbols,
  emoji), with any combining marks (variation selectors) that follow it.

Offsets are Python string indices into the sentence, like every offset in the dataset:
`text[start:end] == token`.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import cache

TOKENIZER = "newsdesk-regex-1"
# Hiragana, Katakana, CJK symbols, CJK Unified Ideographs (with extension A), compatibility
# ideographs, halfwidth Katakana, and the supplementary ideograph planes
CJK = (
    "\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0003134f"
)


@cache
def _marks() -> str:
    """A character class body of every combining mark (Unicode categories Mn, Mc, Me)."""
    ranges: list[list[int]] = []
    # marks are in the Basic and Supplementary Multilingual Planes, and the variation
    # selectors supplement (checked: no other plane has one in Unicode 15)
    for code in [*range(0x20000), *range(0xE0000, 0xE1000)]:
        if unicodedata.category(chr(code)).startswith("M"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


@cache
def _pattern() -> re.Pattern[str]:
    marks = _marks()
    letter = rf"(?:[^\W{CJK}]|[{marks}])"
    joiner = r"(?:['’\-]|(?<=\d)[.,](?=\d))"
    return re.compile(
        rf"[{CJK}][{marks}]*|{letter}+(?:{joiner}{letter}+)*|[^\s{marks}][{marks}]*|[{marks}]+"
    )


# the same rules for text without combining marks or CJK (all of ASCII): a faster pattern
_ASCII = re.compile(r"\w+(?:(?:['’\-]|(?<=\d)[.,](?=\d))\w+)*|\S")


def tokenize(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every token of `text`, in order."""
    pattern = _ASCII if text.isascii() else _pattern()
    return [match.span() for match in pattern.finditer(text)]


def bio_tags(tokens: list[tuple[int, int]], spans: list[tuple[int, int, int]]) -> list[int]:
    """Tag ids (0 = O, 1 + 2k = B of event type k, 2 + 2k = I of it) for `tokens`, from event
    spans (start, end, type id) with offsets into the same text.

    A token is inside a span when their characters overlap. Spans are taken leftmost first
    (the longer first when two start together); a token already inside an earlier span keeps
    that span's tag, and a span's first token not taken yet gets B.
    """
    tags = [0] * len(tokens)
    if not spans:
        return tags
    ends = [token_end for _, token_end in tokens]
    for start, end, label in sorted(spans, key=lambda s: (s[0], -s[1], s[2])):
        inside = False
        for i in range(bisect_right(ends, start), len(tokens)):
            if tokens[i][0] >= end:
                break
            if tags[i]:
                inside = False
                continue
            tags[i] = (2 if inside else 1) + 2 * label
            inside = True
    return tags
