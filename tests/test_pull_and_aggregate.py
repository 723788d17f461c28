"""Pull-side checks and aggregation, on results shaped like Label Studio's."""

from __future__ import annotations

import pytest

from newsdesk.annotation.aggregate import aggregate, majority_stance, spans_overlap
from newsdesk.annotation.offsets import repair_span, to_labelstudio
from newsdesk.annotation.pull import parse_result, pseudonym
from newsdesk.annotation.validate import InvalidAnnotation, check_annotation
from newsdesk.foundations.labelschema import load_label_schema

SCHEMA = load_label_schema()
SENTENCE = "Kim 😀 warned Seoul (서울) and Mont\u00e9re\u0301al on Friday."


def _span(word: str, label: str = "warning_threat", name: str = "event", **extra) -> dict:
    start = SENTENCE.index(word)
    value = {
        "start": to_labelstudio(SENTENCE, start),
        "end": to_labelstudio(SENTENCE, start + len(word)),
        "text": word,
        "labels": [label],
    }
    return {"id": word, "from_name": name, "type": "labels", "value": value | extra}


STANCE = {"from_name": "stance", "type": "choices", "value": {"choices": ["against"]}}


def test_valid_result_converts_labelstudio_offsets_to_python() -> None:
    combining = "Mont\u00e9re\u0301al"  # a precomposed and a combining accent
    stance, spans, relations, repaired = parse_result(
        [STANCE, _span("warned"), _span("서울", "place", "role"),
         _span(combining, "place", "role"),
         {"type": "relation", "from_id": "warned", "to_id": "서울"}],
        SENTENCE,
        SCHEMA,
    )  # fmt: skip
    assert stance == "against"
    assert [(s["label"], SENTENCE[s["start"] : s["end"]]) for s in spans] == [
        ("warning_threat", "warned"),
        ("place", "서울"),
        ("place", combining),
    ]
    assert relations == [{"from_id": "warned", "to_id": "서울"}]
    assert repaired == 0


def test_a_span_whose_offsets_are_off_but_whose_text_is_near_is_repaired() -> None:
    start = SENTENCE.index("Seoul")
    off_by_two = _span("Seoul", "place", "role", start=start + 2, end=start + 7)
    parsed = parse_result([STANCE, off_by_two], SENTENCE, SCHEMA)
    assert parsed.repaired == 1
    (span,) = parsed.spans
    assert (span["start"], span["end"], span["text"]) == (start, start + 5, "Seoul")


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        ([{"from_name": "stance", "type": "choices", "value": {"choices": ["angry"]}}], "stance"),
        ([_span("warned", "coup")], "unknown event label"),
        ([_span("warned", start=0, end=99, text=None)], "outside"),
        ([_span("warned", start=40, end=46)], "'warned' is not in the sentence near 40-46"),
        ([_span("warned", text="warns")], "'warns' is not in the sentence"),
        (
            [_span("warned"), {"type": "relation", "from_id": "warned", "to_id": "x"}],
            "links a span that does not exist",
        ),
        ([{"from_name": "mood", "type": "choices", "value": {}}], "unknown control"),
    ],
)
def test_invalid_results_are_refused_with_a_reason(result: list, reason: str) -> None:
    with pytest.raises(InvalidAnnotation, match=reason):
        parse_result(result, SENTENCE, SCHEMA)


def test_pseudonyms_are_stable_salted_and_opaque() -> None:
    assert pseudonym("a@x.org", "s1") == pseudonym("a@x.org", "s1")
    assert pseudonym("a@x.org", "s1") != pseudonym("a@x.org", "s2")
    assert "a@x.org" not in pseudonym("a@x.org", "s1")


def _annotation(stance: str | None, spans=(), cancelled=False, truth=False, at="1") -> dict:
    return {
        "stance": stance,
        "spans": list(spans),
        "was_cancelled": cancelled,
        "ground_truth": truth,
        "updated_at": at,
    }


def test_majority_and_ties() -> None:
    assert majority_stance(["favor", "favor", "against"]) == ("favor", 2 / 3)
    assert majority_stance(["favor", "against"])[0] is None
    assert majority_stance([]) == (None, 0.0)


def test_cancelled_ignored_and_ground_truth_overrides() -> None:
    votes = [_annotation("favor"), _annotation("favor"), _annotation(None, cancelled=True)]
    assert aggregate(votes).stance == "favor" and aggregate(votes).annotators == 2
    votes.append(_annotation("against", truth=True))
    assert aggregate(votes).stance == "against"


def test_overlapping_spans_of_one_type_agree() -> None:
    a = {"label": "statement", "start": 0, "end": 4, "text": "said"}
    b = {"label": "statement", "start": 0, "end": 8, "text": "said on "}
    other = {"label": "protest", "start": 0, "end": 4, "text": "said"}
    result = aggregate(
        [_annotation("favor", [a]), _annotation("favor", [a]), _annotation("favor", [b, other])]
    )
    assert result.spans == [a]  # most common extent; the lone protest span lacks support


def test_a_tie_keeps_its_share_of_votes() -> None:
    assert majority_stance(["favor", "against", "favor", "against"]) == (None, 0.5)


def test_the_newest_ground_truth_wins_with_full_agreement() -> None:
    span = {"label": "statement", "start": 0, "end": 4, "text": "said"}
    votes = [
        _annotation("favor"),
        _annotation("neutral", truth=True, at="2026-01-01T00:00:00Z"),
        _annotation("against", [span], truth=True, at="2026-02-01T00:00:00Z"),
    ]
    result = aggregate(votes)
    assert (result.stance, result.stance_agreement, result.spans) == ("against", 1.0, [span])
    assert result.annotators == 3
    assert aggregate(list(reversed(votes))).stance == "against"


def test_spans_of_other_types_or_only_touching_do_not_match() -> None:
    a = {"label": "statement", "start": 0, "end": 4, "text": "said"}
    touching = {"label": "statement", "start": 4, "end": 8, "text": " on "}
    other_type = {"label": "protest", "start": 0, "end": 4, "text": "said"}
    assert spans_overlap(a, dict(a, end=2, text="sa"))
    assert not spans_overlap(a, touching) and not spans_overlap(touching, a)
    assert not spans_overlap(a, other_type)


def test_the_validator_takes_a_span_up_to_the_sentence_end_and_no_empty_one() -> None:
    schema = load_label_schema()
    sentence = "Seoul warned."
    whole = {"id": "w", "label": "warning_threat", "start": 6, "end": 13, "text": "warned."}
    check_annotation(None, [whole], [], sentence, schema)
    empty = dict(whole, start=6, end=6, text="")
    with pytest.raises(InvalidAnnotation, match="does not match its text"):
        check_annotation(None, [empty], [], sentence, schema)


def test_spans_at_the_sentence_edges_need_no_repair() -> None:
    first, last = _span("Kim"), _span("Friday.")
    _, spans, _, repaired = parse_result([first, last], SENTENCE, SCHEMA)
    assert repaired == 0
    assert [(s["start"], s["end"]) for s in spans] == [(0, 3), (len(SENTENCE) - 7, len(SENTENCE))]


def test_repair_moves_a_span_to_the_nearest_copy_of_its_text_and_refuses_a_tie() -> None:
    sentence = "talks and talks and more talks"
    assert repair_span(sentence, 11, 16, "talks") == (10, 15)  # off by one: the middle copy
    assert repair_span(sentence, 24, 29, "talks") == (25, 30)
    assert repair_span("ab talks talks", 6, 11, "talks") is None  # 3 and 9 equally near
