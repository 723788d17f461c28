"""Offsets at the Label Studio boundary, pinned to what Label Studio 1.23.2's front end sent
and drew in a real browser (tests/test_browser.py does the same live)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsdesk.annotation.offsets import (
    REPAIR_WINDOW,
    from_labelstudio,
    labelstudio_text,
    repair_span,
    span_text_matches,
    to_labelstudio,
)

EMOJI = "Mum 👩‍👩‍👧 and dad 👍🏽 said the envoy scolded Pyongyang."
CRLF = "Officials met on Monday.\r\nThey said Seoul scolded them."

# (sentence, the words dragged over, start and end as sent, text as sent), recorded from the
# front end: mouse selections with word granularity, submitted, read back through the API.
SENT = [
    (EMOJI, "scolded", 36, 43, "scolded"),  # after a ZWJ family (5) and a skin-tone emoji (2)
    (EMOJI, "Pyongyang", 44, 53, "Pyongyang"),
    ("北京 and 𠮷野家 said 東京 officials scolded Seoul.", "東京", 16, 18, "東京"),  # 𠮷 is astral
    ("北京 and 𠮷野家 said 東京 officials scolded Seoul.", "scolded", 29, 36, "scolded"),
    ("The re\u0301sume\u0301 said Jose\u0301 scolded nobody.", "Jose\u0301", 18, 23, "Jose\u0301"),
    ("The re\u0301sume\u0301 said Jose\u0301 scolded nobody.", "scolded", 24, 31, "scolded"),
    ("السلام عليكم said שלום scolded Seoul.", "שלום", 18, 22, "שלום"),
    ("السلام عليكم said שלום scolded Seoul.", "scolded", 23, 30, "scolded"),
    (CRLF, "scolded", 42, 49, "scolded"),
    (CRLF, "Monday.\r\nThey", 17, 30, "Monday.\\n\\nThey"),  # backslash-n for CR and for LF
    ("Officials met on Monday.\nThey scolded Seoul.", "Monday.\nThey", 17, 29, "Monday.\\nThey"),
    ("Officials met on Monday.\rThey scolded Seoul.", "Monday.\rThey", 17, 29, "Monday.\\nThey"),
    # a backslash already in the text is sent as it is: the form is not reversible
    (
        "Officials met on Mon\\\\nday.\nThey scolded Seoul.",  # two backslashes, then n
        "Mon\\\\nday.\nThey",
        17,
        32,
        "Mon\\\\nday.\\nThey",
    ),
]


@pytest.mark.parametrize(("sentence", "selected", "start", "end", "text"), SENT)
def test_what_the_front_end_sends_converts_to_the_selection(
    sentence: str, selected: str, start: int, end: int, text: str
) -> None:
    python_start, python_end = from_labelstudio(sentence, start), from_labelstudio(sentence, end)
    assert sentence[python_start:python_end] == selected
    assert labelstudio_text(selected) == text
    assert span_text_matches(sentence, python_start, python_end, text)
    assert repair_span(sentence, start, end, text) == (python_start, python_end)


def test_pre_annotations_are_drawn_by_code_points() -> None:
    # the browser drew a prediction at 21-25 over "said"; the UTF-16 count of the same place
    # (26, four astral code points later) was drawn over "the " (issue 10's "s**aid **")
    start = EMOJI.index("said")
    assert (to_labelstudio(EMOJI, start), to_labelstudio(EMOJI, start + 4)) == (21, 25)
    assert len(EMOJI[:start].encode("utf-16-le")) // 2 == 26
    assert EMOJI[26:30] == "the "
    assert to_labelstudio(CRLF, CRLF.index("said")) == 31  # CR LF counts 2


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
def test_the_conversion_round_trips_every_index(text: str) -> None:
    for index in range(len(text) + 1):
        assert from_labelstudio(text, to_labelstudio(text, index)) == index


@pytest.mark.parametrize("offset", [-1, 4, 2.0, "2", None, True])
def test_an_offset_that_is_no_place_in_the_text_is_refused(offset: object) -> None:
    with pytest.raises(ValueError):
        from_labelstudio("a😀b", offset)
    if isinstance(offset, int) and not isinstance(offset, bool):
        with pytest.raises(ValueError):
            to_labelstudio("a😀b", offset)


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def test_repair_moves_offsets_counted_in_utf16_onto_their_text() -> None:
    start = EMOJI.index("scolded")
    sent = _utf16(EMOJI, start), _utf16(EMOJI, start + 7)
    assert sent == (41, 48)
    assert not span_text_matches(EMOJI, *sent, "scolded")
    assert repair_span(EMOJI, *sent, "scolded") == (start, start + 7)


def test_repair_moves_offsets_counted_in_graphemes_onto_their_text() -> None:
    sentence = "The re\u0301sume\u0301 said Jose\u0301 scolded nobody."
    assert repair_span(sentence, 22, 29, "scolded") == (24, 31)  # two combining marks fewer


def test_repair_places_the_front_ends_text_across_a_line_break() -> None:
    assert repair_span(CRLF, 15, 28, "Monday.\\n\\nThey") == (17, 30)
    assert repair_span(CRLF, 15, 28, "Monday.\r\nThey") == (17, 30)  # the sentence's own form


def test_repair_takes_the_nearest_occurrence() -> None:
    sentence = "He said it, she said no, they said yes."
    assert repair_span(sentence, 17, 21, "said") == (16, 20)
    assert repair_span(sentence, 31, 35, "said") == (30, 34)


@pytest.mark.parametrize(
    ("sentence", "start", "end", "text"),
    [
        ("He warned them.", 3, 9, "scolded"),  # not in the sentence
        ("He warned them." + " " * 20 + "scolded", 3, 9, "scolded"),  # too far away
        ("said, said", 3, 7, "said"),  # two occurrences equally near
        ("He warned them.", 3, 9, ""),
        ("He warned them.", "3", 9, "warned"),
        ("He warned them.", None, None, "warned"),
    ],
)
def test_a_span_that_cannot_be_placed_is_none(
    sentence: str, start: object, end: object, text: str
) -> None:
    assert repair_span(sentence, start, end, text) is None


def test_repair_looks_no_further_than_its_window() -> None:
    sentence = "x" * REPAIR_WINDOW + "said"
    assert repair_span(sentence, 0, 4, "said") == (REPAIR_WINDOW, REPAIR_WINDOW + 4)
    assert repair_span("y" + sentence, 0, 4, "said") is None


def test_repair_places_offsets_outside_the_sentence() -> None:
    assert repair_span("He warned them.", 5, 99, "warned") == (3, 9)
    assert repair_span("He warned them.", -2, 4, "He") == (0, 2)
