r"""Offsets at the Label Studio boundary: the one conversion between Python string indices and
what Label Studio's front end sends and draws, and the repair of spans whose offsets disagree
with their text.

What Label Studio 1.23.2's front end does, observed in a real browser (tests/test_browser.py;
the numbers are pinned in tests/test_offsets.py):

- `start`/`end` count Unicode code points, exactly like Python indices: an emoji outside the
  Basic Multilingual Plane is 1 (not 2 UTF-16 units), the ZWJ family 👩‍👩‍👧 is 5, the
  skin-tone 👍🏽 is 2, e + U+0301 is 2 (not one grapheme), CR LF is 2. Pre-annotations are
  drawn by the same count: offsets in UTF-16 units put a keyword one character late per
  astral character before it.
- `text` is the selected text with each line break character (CR or LF) written as two
  characters, a backslash and `n`: a span over "Monday." CR LF "They" (13 code points) is
  sent with the 15-character text `Monday.\n\nThey`. Backslashes in the text stay as they are.
"""

from __future__ import annotations

REPAIR_WINDOW = 10  # code points either side of the sent start where a span's text may be found


def to_labelstudio(text: str, index: int) -> int:
    """Python index into `text` -> the offset Label Studio's front end uses for it."""
    if not 0 <= index <= len(text):
        raise ValueError(f"index {index} is outside the text (length {len(text)})")
    return index


def from_labelstudio(text: str, offset: object) -> int:
    """An offset Label Studio sent -> Python index; ValueError if it is no place in `text`."""
    if not _whole(offset):
        raise ValueError(f"offset {offset!r} is not a whole number")
    if not 0 <= offset <= len(text):
        raise ValueError(f"offset {offset} is outside the text (length {len(text)})")
    return offset


def labelstudio_text(text: str) -> str:
    """`text` as the front end writes it into a span's `text`: each CR and LF as a backslash
    followed by `n`."""
    return text.replace("\r", "\\n").replace("\n", "\\n")


def span_text_matches(sentence: str, start: int, end: int, text: str) -> bool:
    """Is `text` what the sentence holds between these Python offsets? Both the front end's
    form (`labelstudio_text`) and the sentence's own are accepted."""
    if not 0 <= start <= end <= len(sentence):
        return False
    covered = sentence[start:end]
    return text in (covered, labelstudio_text(covered))


def repair_span(sentence: str, start: object, end: object, text: str) -> tuple[int, int] | None:
    """Python (start, end) of a span whose `text` is right but whose offsets may be wrong.

    `start` and `end` are as Label Studio sent them (they may be off, or outside the
    sentence). When they agree with `text` they are returned unchanged; otherwise the
    occurrence of `text` (in either form `span_text_matches` accepts) whose start is nearest
    the sent start, within REPAIR_WINDOW code points, is returned. None when the span cannot
    be placed: no text, no occurrence near the offsets, or two occurrences equally near.
    """
    if not text or not _whole(start):
        return None
    if _whole(end) and start < end and span_text_matches(sentence, start, end, text):
        return start, end
    placed: set[tuple[int, int]] = set()
    for form in (str, labelstudio_text):
        # where each Python index lands in the sentence written in this form
        landing = [0]
        for char in sentence:
            landing.append(landing[-1] + len(form(char)))
        index_of = {at: index for index, at in enumerate(landing)}
        written = form(sentence)
        for begin in range(
            max(0, start - REPAIR_WINDOW), min(len(sentence), start + REPAIR_WINDOW) + 1
        ):
            at = landing[begin]
            stop = index_of.get(at + len(text))
            if stop is not None and written.startswith(text, at):
                placed.add((begin, stop))
    ranked = sorted(placed, key=lambda span: abs(span[0] - start))
    if not ranked or (len(ranked) > 1 and abs(ranked[1][0] - start) == abs(ranked[0][0] - start)):
        return None
    return ranked[0]


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# The names the code used while it assumed UTF-16 units: the same conversion, kept so that
# callers not yet renamed (newsdesk/annotation/pull.py) get the correct one.
to_utf16 = to_labelstudio
from_utf16 = from_labelstudio
