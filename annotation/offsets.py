"""Offsets at the Label Studio boundary: its front end counts UTF-16 code units, we count
Python code points. Characters outside the Basic Multilingual Plane (most emoji, some CJK)
take two UTF-16 units and one Python index."""

from __future__ import annotations

from bisect import bisect_right


def _astral_positions(text: str) -> list[int]:
    return [i for i, char in enumerate(text) if ord(char) > 0xFFFF]


def to_utf16(text: str, index: int) -> int:
    """Python index -> UTF-16 offset."""
    return index + bisect_right(_astral_positions(text), index - 1)


def from_utf16(text: str, offset: int) -> int:
    """UTF-16 offset -> Python index; raises ValueError inside a surrogate pair or past the end."""
    index = offset
    for position in _astral_positions(text):
        if position < index:
            index -= 1
        else:
            break
    if index < 0 or index > len(text) or to_utf16(text, index) != offset:
        raise ValueError(f"UTF-16 offset {offset} is not a character boundary of the text")
    return index
