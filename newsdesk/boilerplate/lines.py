"""Plain-text boilerplate removal: one decision per line.

The article body is taken to be the main run of prose lines: each line gets a weight
(positive for long sentence-like lines, negative for short chrome) and the run with the
largest total wins, so short sub-headings and list items inside the article are bridged
while menus, teasers and footers around it are not. Short lines before the run are page
chrome except the headline; an appeal/related/comments opener late in the run ends the
article. Pattern rules (in several languages) name what the chrome is; the structural
rules alone already work for any language.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from newsdesk.boilerplate.model import Extraction, LineDecision, failed, too_long
from newsdesk.boilerplate.patterns import (
    COMMENT_STAMP,
    COMMENTS_WORD,
    CONSENT_BANNER,
    DATE,
    ENDS_ARTICLE,
    OPENS_COMMENTS,
    PAYWALL,
    THREAD_HEADING,
    TIME,
    caption_credit,
    chrome_rule,
    embed_consent,
    iso_date,
    neutral_credit,
    opens_related,
)
from newsdesk.boilerplate.repeated import RepeatedLines
from newsdesk.foundations.decoding import looks_binary

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"[.!?。！？…]['\"’”»)\]]*\s*$")
_INNER_SENTENCE = re.compile(r"\w\w[.!?。！？]['\"’”»)]*\s+\S")
_HEADLINE_WINDOW = 8
_CLAUSE_PUNCT = re.compile(r"[.,;:!?()\"“”«»。、，；：！？]")
_LIST_WORDS = 3.0
"""Mean words per item for a list to be vouched as article content."""
_LIST_ITEM = re.compile(r"([•·▪◦●■□►▶✓✔*+\-–—]|\(?\d{1,2}[.)]|[a-z][.)])\s+\S")
_MIN_TAIL = 3
"""A closing table or list has at least this many lines; one or two are teasers."""
_SHORT = 15
"""Lines with fewer effective words than this can be chrome; longer ones are prose-sized."""
_TEMPLATE_KEYS = 3
"""Prose-sized lines each found 3+ times, this many of them: a page built from a repeated
template (a plan for every day), where repetition is content, not teasers."""
_RESUME = 3
_MIN_ROWS = 4
"""Lines of one row shape that make a table rather than a couple of teasers."""
_ROW_WEIGHT = 0.5
"""Table rows weigh a little: an article that is a table (standings, a calendar) is found,
and a table inside an article no longer breaks its run."""
_CREDIT_WEIGHT = -1.0
"""A short photo credit costs the run like an unmarked short line, not like chrome: the
article goes on after the picture (-3 kept numbered lists between pictures out; 0 let
credits at the page edges join the run)."""
_MIN_NUMBERED = 3
"""Consecutively numbered items that make a list rather than a stray "1." line."""
_ITEM_GAP = 2
"""Lines allowed between two numbered items (a link, a price)."""
_NUMBERED = re.compile(r"\(?(\d{1,3})[.)]\s+\S")
_FILE_NAME = re.compile(
    r"(?=\S*[^\W\d_])\S*(\.(jpe?g|png|gif|webp|svg)|\w[-_]\w+[-_]\w\S*)$", re.IGNORECASE
)
"""One token that is an image file name or a slug with dashes or underscores: the name of
a picture left in the text where the picture was, never article prose."""
_DIGIT = re.compile(r"\d")
_RELATED_LINK = re.compile(r"^\W*[^\W\d_]+(\s+[^\W\d_]+){0,3}\s*:")
"""A related-stories opener of up to four words and a colon starting the line: the
title of another story follows, however long it is."""
_ROW_SEP = re.compile(r"[–—@|:\t]| - | -- ")
"""Prose lines in a row after a related-stories opener that show the article resumes."""
_ENDS_BOX = frozenset({"newsletter", "cookie-notice", "comments", "donation", "paywall"})
"""Chrome that closes the page rather than interrupting the article."""
_TRUNCATED = re.compile(r"(…|\.\.\.|\[…\]|\[\.\.\.\])\s*$")
_BOXED_OUT = frozenset({"caption", "photo-credit", "related", "byline"})
_PICTURE = frozenset({"photo-credit", "caption"})
"""Chrome that stands where a picture was: it costs the run like an unmarked short line."""
_ECHO_WORDS = 4
"""Words a line must have for a neighbour that starts with the same words to echo it."""
_ECHO_SHARE = 0.6
"""Share of the shorter line's words that the two must open with to be a caption pair."""
"""Marked boxes that are never article text, whatever their length: figure captions,
teaser boxes and author boxes (the HTML path marks them from tags and class names)."""


@dataclass(slots=True)
class Line:
    """One non-blank input line with the features the decisions use."""

    index: int
    text: str
    words: float
    sentence: bool
    chrome: str | None
    vouched: bool = False
    """Set by the HTML path for blocks inside the article container: short is not chrome."""
    boxed: bool = False
    """Set by the HTML path for blocks in a marked box (share bar, caption, related list):
    dropped on their own without breaking the text flow around them."""
    punctuated: bool = True
    """Has any clause punctuation; a long run of words without any is a tag cloud."""
    caption: bool = False
    """Ends with a photo credit: a caption, dropped whatever its length."""
    echoed: bool = False
    """A prose-sized line found more than once on the page: a teaser or a caption."""
    parent: int = -1
    """Set by the HTML path: id of the element holding the block (-1 when unknown)."""
    row: bool = False
    """Part of a table (`_MIN_ROWS` or more lines of one row shape in a row) or of a list
    numbered 1, 2, 3, ... with the lines between its items."""

    @property
    def prose(self) -> bool:
        """Sentence-like and long enough to be article text; a lead paragraph often lacks
        its final stop, so 20 words with some clause punctuation also count."""
        return (self.words >= 8 and self.sentence) or (self.words >= 20 and self.punctuated)

    @property
    def weight(self) -> float:
        """Contribution to the main-run score."""
        if self.echoed and self.prose:
            return 0.0
        if self.boxed or (self.caption and self.words >= _SHORT and self.chrome != "cookie-notice"):
            return 0.0
        if self.caption:
            # A photo credit stands where the picture was, often inside the article.
            return _CREDIT_WEIGHT if self.chrome in _PICTURE else -3.0
        if self.prose and not (self.chrome and self.words < _SHORT):
            return min(1.0 + self.words / 10.0, 6.0)
        if self.chrome:
            return -3.0
        if self.row:
            return _ROW_WEIGHT
        if self.vouched:
            return -0.1
        return -0.5 if self.sentence else -1.0


def effective_words(text: str) -> float:
    """Word count that also works for scripts written without spaces."""
    cjk = len(_CJK.findall(text))
    return max(len(_WORD.findall(text)), cjk / 2.0)


def make_line(index: int, text: str) -> Line:
    """Compute the features of one line."""
    words = effective_words(text)
    sentence = bool(_SENTENCE_END.search(text) or _INNER_SENTENCE.search(text))
    chrome = chrome_rule(text) if words < 40 else None
    if chrome == "byline" and words > 10:
        chrome = None
    caption = words < 80 and caption_credit(text)
    # A short line the credit already made chrome ("© dpa") keeps its chrome weight.
    if not caption and words < 80 and (chrome is None or words >= _SHORT):
        caption = neutral_credit(text)
    if caption:
        chrome = "photo-credit"
    elif words < 150 and (CONSENT_BANNER.search(text) or embed_consent(text)):
        chrome = "cookie-notice"
        caption = True  # dropped whatever its length, weighs like chrome
    elif chrome and _RELATED_LINK.match(text) and opens_related(text):
        caption = True  # "Read more: <title>", a link to another story at any length
    if words < 40 and PAYWALL.search(text.lower()):
        chrome = "paywall"
    if chrome is None and _FILE_NAME.match(text):
        chrome = "file-name"
    punctuated = bool(_CLAUSE_PUNCT.search(text))
    return Line(index, text, words, sentence, chrome, punctuated=punctuated, caption=caption)


def split_lines(text: str) -> list[Line]:
    """Non-blank lines, each keeping its 0-based line number in the input."""
    lines = [make_line(i, s.strip()) for i, s in enumerate(text.splitlines()) if s.strip()]
    mark_caption_pairs(lines)
    mark_lists(lines)
    mark_tables(lines)
    mark_numbered(lines)
    return lines


def mark_caption_pairs(lines: list[Line]) -> None:
    """Two neighbouring lines where one says the other's words and perhaps a few more (a
    picture's alt text over its caption, "Title" over "Title. © Agency", a teaser's link over
    its title), or that open with the same words for most of the shorter one (an alt text
    and a caption that differ in a date), are both captions: article prose does not repeat
    its previous line's start.
    So is a line that says the same words twice (a teaser's link text and its title
    attribute). Plain text only; the HTML path knows its figures from the markup."""
    words = [_WORD.findall(line.text.casefold()) for line in lines]
    for line, w in zip(lines, words, strict=True):
        half = len(w) // 2
        if half >= _ECHO_WORDS - 1 and len(w) % 2 == 0 and w[:half] == w[half:]:
            line.caption = True
            line.chrome = line.chrome or "caption"
    for k, (a, b) in enumerate(pairwise(words)):
        short, long = (a, b) if len(a) <= len(b) else (b, a)
        same = next((n for n, x in enumerate(short) if x != long[n]), len(short))
        if len(short) >= _ECHO_WORDS and same >= max(_ECHO_WORDS, _ECHO_SHARE * len(short)):
            for line in lines[k : k + 2]:
                line.caption = True
                line.chrome = line.chrome or "caption"


def mark_numbered(lines: list[Line]) -> None:
    """Items numbered 1, 2, 3, ... (`_MIN_NUMBERED` or more), each within `_ITEM_GAP`
    lines of the previous one: a ranked list or a product list that is the article.
    Items and the lines between them (links, prices), and as many after the last item,
    weigh like table rows."""
    numbers = [_number(line) for line in lines]
    i = 0
    while i < len(lines):
        if numbers[i] is None:
            i += 1
            continue
        chain, k = [i], i
        while True:
            nxt = next(
                (
                    j
                    for j in range(k + 1, min(k + 2 + _ITEM_GAP, len(lines)))
                    if numbers[j] is not None
                ),
                None,
            )
            if nxt is None or numbers[nxt] != numbers[k] + 1:
                break
            chain.append(nxt)
            k = nxt
        if len(chain) >= _MIN_NUMBERED:
            gaps = {b - a for a, b in pairwise(chain)}
            # The last item has its link or price after it, like the others.
            last = chain[-1] + (gaps.pop() - 1 if len(gaps) == 1 else 0)
            for j in range(chain[0], min(last + 1, len(lines))):
                if lines[j].chrome:
                    continue
                lines[j].row = True
        i = chain[-1] + 1


def _number(line: Line) -> int | None:
    """The item number of a line that starts "3)", "3." or "(3)", else None."""
    m = _NUMBERED.match(line.text)
    return int(m.group(1)) if m and not line.chrome else None


def mark_tables(lines: list[Line]) -> None:
    """Lines in a block of `_MIN_ROWS` or more of one row shape are table rows."""
    shapes = [_shape(line) for line in lines]
    i = 0
    while i < len(lines):
        j = i + 1
        while j < len(lines) and shapes[i] is not None and shapes[j] == shapes[i]:
            j += 1
        if shapes[i] is not None and j - i >= _MIN_ROWS:
            for line in lines[i:j]:
                line.row = True
        i = j


def mark_lists(lines: list[Line]) -> None:
    """Items of a bulleted or numbered list (two or more in a row) are vouched: a list in
    the article costs the run little, so prose after it is still reached."""
    items = [bool(_LIST_ITEM.match(line.text)) and not line.chrome for line in lines]
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and items[j]:
            j += 1
        group = lines[i:j]
        # Lists of names or single words (staff, tags, teaser menus) are not vouched.
        if len(group) >= 2 and sum(line.words for line in group) >= _LIST_WORDS * len(group):
            for line in group:
                line.vouched = True
        i = max(j, i + 1)


def mark_echoes(lines: list[Line]) -> None:
    """Prose-sized lines that occur more than once on the page are teasers, captions of a
    gallery or a standfirst: they weigh nothing in the text run, and in the body only a
    copy that has no twin inside the body is kept."""
    counts = Counter(_page_key(line.text) for line in lines if line.words >= _SHORT)
    if sum(n >= 3 for n in counts.values()) >= _TEMPLATE_KEYS:
        return
    for line in lines:
        line.echoed = line.words >= _SHORT and counts[_page_key(line.text)] > 1


def main_run(lines: list[Line]) -> tuple[int, int]:
    """Bounds [start, end) of the maximum-weight run of lines (Kadane's algorithm)."""
    best, best_span = float("-inf"), (0, 0)
    total, start = 0.0, 0
    for i, line in enumerate(lines):
        if total <= 0:
            total, start = 0.0, i
        total += line.weight
        if total > best:
            best, best_span = total, (start, i + 1)
    if best <= 0:
        # Nothing reads like prose (very short pages, lists): keep the longest line.
        longest = max(range(len(lines)), key=lambda i: lines[i].words)
        return longest, longest + 1
    return best_span


def cut_at_appeal(
    lines: list[Line], start: int, end: int, boxes: list[range] | None = None, early: bool = False
) -> int:
    """New end of the run at an appeal, related-stories or comments section.

    The section opener is a short line matching `ENDS_ARTICLE` after the first third of
    the run, followed by chrome rather than prose: an inline "Sign up" promo between two
    paragraphs of the article does not end it. When the article resumes after such a
    box (see `resumes`), the box alone is left out: its span goes to `boxes`. With
    `early` (the HTML path, whose link lines show where a box ends), an opener in the
    first third drops its box when the article resumes, and never ends the article.
    """
    weights = [max(line.weight, 0.0) for line in lines[start:end]]
    total = sum(weights)
    seen = 0.0
    for i in range(start, end):
        line = lines[i]
        if line.chrome == "paywall" and seen >= total / 3:
            return i  # the text behind the paywall is not on the page
        if i > start and line.words < _SHORT and not line.boxed and not _lone_link(line):
            text = line.text
            thread = seen > 0 and bool(
                OPENS_COMMENTS.search(text) or THREAD_HEADING.search(text) or opens_thread(lines, i)
            )
            section = thread or ENDS_ARTICLE.search(text)
            if section and (
                i + 1 == len(lines)
                or lines[i + 1].chrome
                or not lines[i + 1].prose
                or lines[i + 1].words < _SHORT
                or _box_intro(lines, i + 1)
                or THREAD_HEADING.search(text)
                or _cards_follow(lines, i + 1)
            ):
                related = not thread and not COMMENTS_WORD.search(text)
                again = resumes(lines, i, end) if related else None
                if early and again is not None:
                    again = box_end(lines, i, again)
                if not thread and seen < total / 3:
                    if early and again is not None and boxes is not None:
                        boxes.append(range(i, again))
                    seen += weights[i - start]
                    continue
                if again is None and related:
                    again = resumes_in_parent(lines, start, i, end)
                if again is None:
                    return i
                if boxes is not None:
                    boxes.append(range(i, again))
        seen += weights[i - start]
    return end


def _lone_link(line: Line) -> bool:
    """A "Read also: <title>" line carries its one link itself: it is dropped alone (as a
    caption) and opens no box; the article goes on under it. An opener ending in a colon
    ("Read also:") still heads the links below it."""
    return line.caption and bool(_RELATED_LINK.match(line.text)) and not line.text.endswith(":")


def box_end(lines: list[Line], i: int, again: int) -> int:
    """HTML: where a box of other stories opened at `i` really ends, given that the
    article resumes at `again`: at the first prose line after the box's links or chrome,
    when no further link or chrome line comes between it and `again` (prose and
    sub-headings can, as in the article). A box of link, summary, link, ... keeps its
    summaries, while article paragraphs before a sub-heading are no longer lost."""
    seen_chrome = False
    for k in range(i + 1, again):
        line = lines[k]
        if line.chrome or line.boxed:
            seen_chrome = True
        elif seen_chrome and line.prose:
            rest = lines[k + 1 : again]
            if not any(r.chrome or r.boxed for r in rest):
                return k
    return again


def _cards_follow(lines: list[Line], k: int) -> bool:
    """`_TEASER_PAIRS` teaser cards (a title and a short summary, either order) in a row
    from `k`: a list of other stories under an opener, though its first line is prose."""
    pairs = lines[k : k + 2 * _TEASER_PAIRS]
    if len(pairs) < 2 * _TEASER_PAIRS:
        return False

    def title(line: Line) -> bool:
        return 3 <= line.words < _SHORT * 2 and not line.prose and not line.chrome

    def summary(line: Line) -> bool:
        return line.prose and line.words < _SUMMARY_WORDS and not line.chrome

    return all(
        (title(a) and summary(b)) or (summary(a) and title(b))
        for a, b in zip(pairs[::2], pairs[1::2], strict=True)
    )


def _box_intro(lines: list[Line], k: int) -> bool:
    """One short sentence introducing the box under an opener ("Here are more ..."),
    followed by chrome: the links of the box."""
    return k + 1 < len(lines) and lines[k].words < _SHORT * 2 and bool(lines[k + 1].chrome)


def resumes(lines: list[Line], i: int, end: int) -> int | None:
    """Where the article goes on after a box of other stories opened at `i`: the first of
    `_RESUME` prose lines in a row within the run, or None.

    Teaser lists alternate a short title with a summary, cut summaries short ("…") or
    repeat a title of the page at the start of a card, so they do not resume the article;
    nor does anything after a newsletter, consent or comments line in the box.
    """
    titles = {line.text for line in lines if 3 <= line.words < _SHORT}
    streak = 0
    for k in range(i + 1, end):
        line = lines[k]
        if (line.boxed and line.chrome != "link-list") or line.chrome == "advert":
            continue
        if line.chrome in _ENDS_BOX or (COMMENTS_WORD.search(line.text) and line.words < _SHORT):
            return None
        if line.prose and not line.chrome and not _teaser(line, titles):
            streak += 1
            if streak == 1:
                first = k
            if streak >= _RESUME:
                return first
        else:
            streak = 0
    return None


def resumes_in_parent(lines: list[Line], start: int, i: int, end: int) -> int | None:
    """HTML: where the article goes on after a box opened at `i` (a newsletter form, a
    promo, a "read also" link): the next prose line that sits in the same element as the
    article's last paragraph before the box, or None.

    Lines in other elements or in marked boxes are the box; a sibling that is not prose
    (a "More stories" heading over a list) or a teaser card means the article has ended.
    """
    anchor = next((lines[k].parent for k in range(i - 1, start - 1, -1) if lines[k].prose), -1)
    if anchor == -1:
        return None
    titles = {line.text for line in lines if 3 <= line.words < _SHORT}
    for k in range(i + 1, end):
        line = lines[k]
        if line.boxed or line.parent != anchor:
            continue
        if line.prose and not line.chrome and not _teaser(line, titles):
            return k
        return None
    return None


def _teaser(line: Line, titles: set[str]) -> bool:
    """A summary cut short, or a card that starts with a title found elsewhere on the page."""
    if _TRUNCATED.search(line.text):
        return True
    words = line.text.split()
    return any(" ".join(words[:n]) in titles for n in range(3, min(len(words), _SHORT)))


def opens_thread(lines: list[Line], i: int) -> bool:
    """A short heading naming comments, with a posting stamp within the next lines."""
    line = lines[i]
    if line.words > 6 or not COMMENTS_WORD.search(line.text):
        return False
    return any(
        nxt.words < _SHORT and COMMENT_STAMP.search(nxt.text) for nxt in lines[i + 1 : i + 4]
    )


def extend_tail(lines: list[Line], end: int) -> int:
    """New end of the run: unmarked short lines after it that are still in the container.

    The HTML container already excludes the page around the article, so a table or list
    that closes the article (tour dates, standings, a product list) is part of it, until
    the first line that is chrome and not a marked box.
    """
    j = end
    new_end = end
    while j < len(lines):
        line = lines[j]
        if line.boxed or line.chrome == "photo-credit":
            j += 1
            continue
        if line.chrome or ENDS_ARTICLE.search(line.text) or OPENS_COMMENTS.search(line.text):
            break
        j += 1
        new_end = j
    added = sum(not line.boxed and not line.chrome for line in lines[end:new_end])
    return new_end if added >= _MIN_TAIL else end


def _shape(line: Line) -> tuple[bool, str] | None:
    """Row shape for tables written as lines: starts with a number or not, and its first
    column separator; None for lines that cannot be a row (no digit or no separator,
    long, chrome)."""
    if line.words >= _SHORT or line.chrome or not _DIGIT.search(line.text):
        return None
    sep = _ROW_SEP.search(line.text)
    return (line.text[0].isdigit(), sep.group().strip()) if sep else None


def closing_table(lines: list[Line], end: int) -> int:
    """New end of the run: a table that closes the article (tour dates, standings, a
    calendar), written as `_MIN_ROWS` or more lines of one row shape right after it, or
    after one heading line."""
    for head in (end, end + 1):
        if head >= len(lines) or (head > end and lines[end].chrome):
            break
        shape = _shape(lines[head])
        if shape is None:
            continue
        j = head
        while j < len(lines) and _shape(lines[j]) == shape:
            j += 1
        if j - head >= _MIN_ROWS:
            return j
    return end


def is_headline(line: Line) -> bool:
    """Headline-shaped: a handful of words, not a sentence run, not chrome or a date."""
    return (
        3 <= line.words <= 30
        and not line.chrome
        and not line.echoed
        and not DATE.search(line.text)
        and not OPENS_COMMENTS.search(line.text)
        and not line.text.endswith((":", ",", "|"))
        and not _INNER_SENTENCE.search(line.text)
    )


def find_headline(lines: list[Line], start: int) -> int | None:
    """Nearest headline-shaped line above the body, within a few lines."""
    for i in range(start - 1, max(start - 1 - _HEADLINE_WINDOW, -1), -1):
        if is_headline(lines[i]):
            return i
    return None


def extract_lines(
    lines: list[Line],
    source: str | None = None,
    repeated: RepeatedLines | None = None,
    candidates: list[int] | None = None,
    pick_headline: Callable[[list[Line], int], int | None] | None = None,
) -> Extraction:
    """Decide every line; shared by the plain-text path and the HTML block path.

    `candidates` restricts the body to those positions (the HTML path passes the blocks
    of the main container); the headline may still come from any line above the body,
    chosen by `pick_headline(lines, body_start)` (default: `find_headline`).
    """
    mark_echoes(lines)
    pool = candidates if candidates else list(range(len(lines)))
    sub = [lines[i] for i in pool]
    first, last = main_run(sub)
    if candidates:
        last = extend_tail(sub, last)
    boxes: list[range] = []
    cut = cut_at_appeal(sub, first, last, boxes, early=bool(candidates))
    last = closing_table(sub, last) if cut == last else cut
    in_box = {pool[k] for box in boxes for k in box}
    body = set(pool[first:last]) - in_box
    start = pool[first]
    headline = (pick_headline or find_headline)(lines, start)
    if candidates and headline is not None:
        body |= lead_lines(lines, headline, start)
    in_box |= trim_tail(lines, body)
    counts = Counter(_page_key(line.text) for line in lines if line.words < _SHORT)
    counts.update(_page_key(lines[i].text) for i in body if lines[i].echoed)
    # Short lines repeated only inside the body (the rows of a plan for every day, a spec
    # list per product) are content; a copy outside the body, in the menu or a teaser
    # box, still makes them chrome. Plain text has no container to vouch for the body,
    # so there a line doubled back to back (a caption under its photo) stays out.
    outside = {_page_key(line.text) for k, line in enumerate(lines) if k not in body}
    doubled = set()
    if not candidates:
        ordered = sorted(body)
        for a, b in pairwise(ordered):
            if b == a + 1 and _page_key(lines[a].text) == _page_key(lines[b].text):
                doubled.add(_page_key(lines[a].text))
    for i in body:
        key = _page_key(lines[i].text)
        if lines[i].words < _SHORT and key not in outside and key not in doubled:
            counts[key] = 1
    in_body = [lines[i] for i in sorted(body)]
    use_corpus = repeated is not None and _corpus_applies(in_body, source, repeated)
    end = max(body) + 1

    decisions: list[LineDecision] = []
    byline: str | None = None
    published: str | None = None
    for i, line in enumerate(lines):
        if i == headline:
            rule, kept = "headline", True
        elif i in in_box:
            rule, kept = line.chrome or "related-box", False
        elif i in body:
            rule = _body_rule(line, counts, repeated if use_corpus else None, source)
            kept = rule == "body"
        else:
            rule, kept = _outside_rule(line, i < start), False
        if not kept and rule == "byline" and byline is None and i < end:
            byline = line.text
        if not kept and published is None and i < end and line.words < _SHORT:
            published = iso_date(line.text)
        decisions.append(LineDecision(line.index, line.text, kept, rule))
    title = lines[headline].text if headline is not None else None
    text = "\n\n".join(d.text for d in decisions if d.kept)
    return Extraction(text, title, byline, published, decisions, None)


def trim_tail(lines: list[Line], body: set[int]) -> set[int]:
    """Take the closing newsletter promos, then a closing teaser list, out of `body`
    (in place); returns what was taken, which the decisions list as boxes."""
    promos = trailing_promos(lines, body)
    body -= promos
    teasers = trailing_teasers(lines, body)
    body -= teasers
    return promos | teasers


def trailing_promos(lines: list[Line], body: set[int]) -> set[int]:
    """Newsletter promos that close the body, of any length ("Subscribe to our weekly
    briefing for ..."): the article has ended before its last lines ask for a sign-up."""
    out: set[int] = set()
    for i in sorted(body, reverse=True):
        if lines[i].chrome != "newsletter" or len(out) == len(body) - 1:
            break
        out.add(i)
    return out


_TEASER_PAIRS = 2
"""Title-and-summary pairs closing the body that make a teaser list."""
_SUMMARY_WORDS = 40
"""A teaser's summary is shorter than this; article paragraphs run longer."""


def trailing_teasers(lines: list[Line], body: set[int]) -> set[int]:
    """Teaser cards that close the body: `_TEASER_PAIRS` or more pairs of a short title
    (no final stop, found once in the body) and a short summary, in either order. Each
    summary reads like a paragraph and outweighs its title, so the run reaches into the
    list; titles repeated in the body are the rows of a plan or a spec list instead."""
    order = sorted(body)
    seen = Counter(_page_key(lines[i].text) for i in order if lines[i].words < _SHORT)
    k, pairs = len(order), 0
    while k >= 3 and _card(lines[order[k - 2]], lines[order[k - 1]], seen):
        k, pairs = k - 2, pairs + 1
    return set(order[k:]) if pairs >= _TEASER_PAIRS else set()


def _card(a: Line, b: Line, seen: Counter[str]) -> bool:
    def title(line: Line) -> bool:
        shaped = 3 <= line.words < _SHORT and not line.chrome
        return shaped and not _SENTENCE_END.search(line.text) and seen[_page_key(line.text)] == 1

    def summary(line: Line) -> bool:
        return line.prose and line.words < _SUMMARY_WORDS

    return (title(a) and summary(b)) or (summary(a) and title(b))


def lead_lines(lines: list[Line], headline: int, start: int) -> set[int]:
    """Prose between the headline and the body: the lead or standfirst, which sits in its
    own element above the article's container. A long sentence that names a donation or
    a photo is still prose; a lead the page repeats (in a teaser below) is still the lead."""
    return {i for i in range(headline + 1, start) if _lead(lines[i])}


def _lead(line: Line) -> bool:
    short_chrome = line.chrome and line.words < _SHORT
    return line.prose and not (short_chrome or line.boxed or line.caption)


def _page_key(text: str) -> str:
    """Key for repetition within one page: rows of a table differ only in their numbers,
    so unlike the corpus key the digits are kept."""
    return " ".join(_WORD.findall(text.casefold()))


def _corpus_applies(body: list[Line], source: str | None, repeated: RepeatedLines) -> bool:
    """Skip the corpus rule for near-duplicate articles, whose every line repeats."""
    prose = [line for line in body if line.prose]
    hits = sum(repeated.is_repeated(source, line.text) for line in prose)
    return hits * 2 <= len(prose)


def _body_rule(
    line: Line,
    counts: Counter[str],
    repeated: RepeatedLines | bool | None,
    source: str | None,
) -> str:
    if isinstance(repeated, RepeatedLines) and repeated.is_repeated(source, line.text):
        return "repeated-in-source"
    if line.caption or (line.boxed and line.chrome in _BOXED_OUT):
        return line.chrome or "photo-credit"
    if line.echoed and counts[_page_key(line.text)] > 1:
        return "repeated-in-page"
    if line.words < _SHORT:
        if line.chrome:
            return line.chrome
        if counts[_page_key(line.text)] > 1:
            return "repeated-in-page"
        if DATE.search(line.text) or TIME.search(line.text):
            return "dateline"
    return "body"


def _outside_rule(line: Line, before: bool) -> str:
    if line.chrome and (line.words < _SHORT or line.caption):
        return line.chrome
    if line.prose:
        return "before-body" if before else "after-body"
    return "short-nav"


def extract_text(
    text: str,
    source: str | None = None,
    repeated: RepeatedLines | None = None,
    max_chars: int | None = None,
) -> Extraction:
    """Strip boilerplate from plain text with one block per line.

    `source` and `repeated` enable the corpus rule: a line found in many documents of the
    same source is removed even when it reads like prose. Input over `max_chars` (default:
    the `max_body_chars` setting) or that looks binary is refused with an `error`,
    never an exception.
    """
    if not isinstance(text, str):
        return failed("input is not text")
    if reason := too_long(len(text), max_chars):
        return failed(reason)
    if looks_binary(text):
        return failed("binary input: NUL or control characters in text")
    lines = split_lines(text)
    if not lines:
        return failed("empty text")
    return extract_lines(lines, source, repeated)
