"""Rule-based sentence splitter with character offsets, tuned for news text.

One compiled regex walks the text from candidate to candidate (terminal punctuation
followed by whitespace, line breaks, CJK full stops, bullets). It settles the common
case ("word. Next") by itself; the rest gets a cheap decision in Python from the
surrounding characters (abbreviations, initials, numbers, quotes, ellipses, lists,
headlines). Everything is linear in the input length: the regex never backtracks over
runs of punctuation and every look-back is bounded.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate, repeat, starmap
from operator import floordiv, setitem

from newsdesk.sentences.words import ABBREVIATIONS, SPECIAL, SPEECH_VERBS, STARTERS

# Bump when a rule changes where sentences begin or end: `segment` then rebuilds the shards an
# older version made and carries their tasks and annotations over to the new sentences.
RULES_VERSION = 1


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    """One sentence: ``text[start:end]``, stripped, inside paragraph ``paragraph``."""

    start: int
    end: int
    paragraph: int


_SET_START = SentenceSpan.start.__set__  # type: ignore[attr-defined]
_SET_END = SentenceSpan.end.__set__  # type: ignore[attr-defined]
_SET_PARAGRAPH = SentenceSpan.paragraph.__set__  # type: ignore[attr-defined]

_TERMINALS = ".!?…‼⁇⁈⁉।॥؟۔։።"
_CLOSERS = "\"'”’»)]}›"
_OPENERS = "\"'“‘«([{‹¿¡"
_BULLETS = "•●▪◦‣⁃"
_CJK_TERMINALS = "。！？｡"
_TOKEN_PREFIX = _OPENERS + _BULLETS
_CJK_CLOSERS = "」』”’）)\"'"


def _cls(chars: str) -> str:
    return "[" + re.escape(chars) + "]"


def _all_but(chars: str) -> str:
    """A class of every code point except ``chars``, spelled as ranges.

    Same set as ``[^chars]``, but the regex engine tests a negated class through a
    second charset call per character; this positive one costs a single lookup, which
    is a quarter less time on the scan over ordinary text (the bulk of the work).
    """
    ranges, low = [], 0
    for code in sorted(set(map(ord, chars))):
        if code > low:
            ranges.append((low, code - 1))
        low = code + 1
    if low <= sys.maxunicode:
        ranges.append((low, sys.maxunicode))
    return "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]"


def _alternation(words: set[str]) -> str:
    """Fixed-width alternation for a look-behind, grouped by first letter (faster)."""
    heads = sorted({w[0] for w in words})
    return "|".join(f"{h}(?:{'|'.join(sorted(w[1:] for w in words if w[0] == h))})" for h in heads)


# Sentence-final tokens the regex may accept on its own: a word ending in four lower-case
# letters, a two- or three-letter word ("it", "him", "Now"), a number of three or more
# digits, or a closing bracket or quote; words that are (or, for long words, end like)
# an abbreviation are left to Python.
_KNOWN = {w.lower() for w in SPECIAL}
_TAILS_4 = _alternation({w[-4:] for w in _KNOWN if len(w) >= 4 and w[-4:].isalpha()})
_WORDS_3 = _alternation(
    {v for w in _KNOWN if len(w) == 3 and w.isalpha() for v in (w, w.capitalize())}
)
_WORDS_2 = _alternation({w for w in _KNOWN if len(w) == 2 and w.isalpha()})
# Case-sensitive look-behinds: (?i) would make every comparison slower.
_PLAIN_TOKEN_END = (
    rf"(?:(?<=[a-z]{{4}})(?<!{_TAILS_4})"
    rf"|(?<=[^a-zA-Z][A-Za-z][a-z]{{2}})(?<!{_WORDS_3})"
    rf"|(?<=[^a-zA-Z][a-z]{{2}})(?<!{_WORDS_2})"
    r"|(?<=[0-9]{3})"
    rf"|(?<=\w{_cls(_CLOSERS)}))"
)

# Candidate boundaries. Each match first skips ordinary text with a possessive class
# (fast, no backtracking) and then always matches one alternative, so the scan never
# restarts inside a run: 10,000 dots are one match, a 100 KB line is one match.
#   f: the common case, decided by the regex alone: "word. Next", "What? Next".
#   q: the same after a closing quote, unless an attribution follows: in
#      '"Why now?" Smith asked.' the quote does not end the sentence.
#   i: periods inside a token ("3.5", "U.S.A", "a.b.c"), consumed in one match.
#   t: a terminal run (with "..." spaced or not) followed by closing quotes/brackets and
#      g: a paragraph break, or w: other whitespace. Without whitespace (lastindex t) it
#      is punctuation inside a token ("Jr.'s", "?!x").
#   b: a paragraph break after anything else.
#   n: a single newline not preceded by terminal punctuation (headline, list, wrap).
#   c: CJK full stop, which needs no following space.
#   u: a bullet, which starts a sentence; x: asterisks ("***" stands alone).
_NEXT = rf"(?=[A-Z0-9]|{_cls(_OPENERS)}[A-Z])"  # what a next sentence may start with
# "Smith said." / "Sen. Jane Doe asked reporters": one to three capitalised words (a
# name, not "They" or "The") and a speech verb, then punctuation or a typical
# continuation.
_ATTRIBUTION = (
    r"(?!(?:I|We|You|He|She|It|They|The|This|That|These|Those|There|But|And|So|Then)[ ])"
    rf"(?:[A-Z][\w'’.-]*+[ ]){{1,3}}(?:{SPEECH_VERBS})"
    r"(?=[.,;:]|[ ](?:on|in|at|to|during|after|before|later|earlier|reporters|journalists)\b)"
)
_PARAGRAPH_BREAK = r"\n[^\S\n]*+\n\s*+"
_CANDIDATE = re.compile(
    rf"{_all_but(_TERMINALS + _CJK_TERMINALS + _BULLETS + '*' + chr(10))}*+"
    rf"(?:(?:(?=\.{_cls(_CLOSERS)}*+[ ]++{_NEXT})"
    rf"{_PLAIN_TOKEN_END}\.|[!?]++)"
    rf"(?:[)\]]*+(?P<f>[ ]++){_NEXT}|{_cls(_CLOSERS)}*+(?P<q>[ ]++){_NEXT}(?!{_ATTRIBUTION}))"
    r"|(?P<i>\.(?=\w)(?:\w++\.(?=\w))*+)"
    rf"|(?P<t>{_cls(_TERMINALS)}++(?:[ ]{_cls(_TERMINALS)}++)*+)"
    rf"(?:{_cls(_CLOSERS)}*+(?:(?P<g>[^\S\n]*+{_PARAGRAPH_BREAK})|(?P<w>\s++)))?"
    rf"|(?P<b>{_PARAGRAPH_BREAK})"
    r"|(?P<n>\n\s*+)"
    rf"|{_cls(_CJK_TERMINALS)}++{_cls(_CJK_CLOSERS)}*+(?P<c>\s*+)"
    rf"|(?P<u>{_cls(_BULLETS)})"
    r"|(?P<x>\*++)"
    r"|\Z)"
)
_QUOTE_ATTRIBUTION = re.compile(_ATTRIBUTION)
_F, _Q, _I, _T, _G, _W, _B, _N, _C, _U, _X = (_CANDIDATE.groupindex[g] for g in "fqitgwbncux")
_NON_SPACE = re.compile(r"\S")
_NEXT_WORD = re.compile(rf"{_cls(_OPENERS)}*+(\w+)(\.?)")
_MULTI_PERIOD = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_LIST_LINE = re.compile(rf"{_cls(_BULLETS)}|[-*–—][^\S\n]|(?:\d{{1,3}}|[A-Za-z])(?:\.\)|\.|\))\s")
# A line ending in one of these words is wrapped mid-phrase.
_FUNCTION_WORD_END = re.compile(
    r"(?<![\w'’-])(?:a|an|the|of|to|in|on|at|by|for|from|with|and|or|but|nor|as|than|that|"
    r"which|who|whose|is|are|was|were|be|been|has|have|had|will|would|can|could|should|"
    r"may|might|must|not|its|their|his|her|our|your|my|this|these|those|into|over|under|"
    r"about|after|before|between|through|during|against|among|per|via|if|when|while)\Z"
)
# A list number after a bullet: "• 9. Item".
_BULLET_NUMBER = re.compile(r"[^\S\n]*+(?:\d{1,2}|[A-Za-z])\.(?=\s)")


def _spans(starts: list[int], ends: list[int], paras: list[int]) -> list[SentenceSpan]:
    """Build the spans, filling their slots directly.

    Same objects as ``SentenceSpan(start, end, paragraph)``, but the frozen dataclass
    ``__init__`` (three ``object.__setattr__`` calls per span) would take a quarter of
    the whole run time; the slot descriptors are driven from C. ``starmap`` over ``zip``
    rather than ``map``: it hands each call the tuple that ``zip`` recycles, where ``map``
    packs a new argument tuple per call (a quarter of the cost of a span). ``any`` runs
    each iterator to its end (a setter returns None) without the set-up of a ``deque``,
    which costs as much as a dozen spans.
    """
    spans = list(starmap(object.__new__, repeat((SentenceSpan,), len(starts))))
    any(starmap(_SET_START, zip(spans, starts, strict=True)))
    any(starmap(_SET_END, zip(spans, ends, strict=True)))
    any(starmap(_SET_PARAGRAPH, zip(spans, paras, strict=True)))
    return spans


def _paragraphs(breaks: list[int], sentences: int) -> list[int]:
    """The paragraph of each sentence; ``breaks`` holds ``len(cuts)`` at each break, that
    is twice the index of the sentence that opens the next paragraph.

    A 1 marks each paragraph's first sentence and a running sum numbers them, all from C:
    a loop in Python over the paragraphs took an eighth of the splitter's bytecodes.
    """
    marks = [0] * sentences
    any(map(setitem, repeat(marks), map(floordiv, breaks, repeat(2)), repeat(1)))
    return list(accumulate(marks))


def _is_english(language: str | None) -> bool:
    return language is not None and language.lower().startswith("en")


def _strip_back(text: str, i: int) -> int:
    """Move ``i`` left over whitespace so ``text[:i]`` ends on a visible character."""
    while text[i - 1].isspace():
        i -= 1
    return i


def _starter(text: str, s: int) -> str | None:
    """The capitalised word at ``s`` if it is a typical sentence opener, else None."""
    m = _NEXT_WORD.match(text, s)
    if m is None:
        return None
    word = m.group(1)
    # "J. R. R." - a single letter followed by a period is an initial, not "A"/"I".
    if len(word) == 1 and m.group(2):
        return None
    return word if word in STARTERS else None


class _Lists:
    """Inline lists: forced sentence starts and list-marker periods.

    Inline lists ("1. one 2. two", "1) one 2) two") are followed up by ``chain`` when
    the main loop meets their first marker; each later marker starts a sentence and no
    marker's period is a boundary.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.forced: list[int] = []
        self.markers: set[int] = set()
        self._found: dict[tuple[str, int], int] = {}  # see _next_marker
        self._line_end = -1

    def chain(self, i: int, value: str, style: str) -> None:
        """Follow a list whose first marker (``value`` + ``style``) is at ``i``."""
        text = self.text
        if i > self._line_end:  # calls come in text order: one search per line
            self._line_end = text.find("\n", i)
            if self._line_end < 0:
                self._line_end = len(text)
        items = [(i, value)]
        while True:
            value = chr(ord(value) + 1) if value.isalpha() else str(int(value) + 1)
            j = self._next_marker(f"{value}{style} ", items[-1][0] + 1)
            if j < 0:
                break
            items.append((j, value))
        if len(items) > 1:
            self.forced.extend(j for j, _ in items[1:])
            if style[0] == ".":
                self.markers.update(j + len(v) for j, v in items)

    def _next_marker(self, marker: str, start: int) -> int:
        """First ``marker`` after whitespace from ``start`` to the line end, or -1.

        Memoised per (marker, line end) so runs like "1. 1. 1. ..." stay linear.
        """
        text, end = self.text, self._line_end
        j = self._found.get((marker, end), -2)
        if j == -1 or j >= start:
            return j
        j = text.find(marker, start, end)
        while j > 0 and not text[j - 1].isspace():
            j = text.find(marker, j + 1, end)
        self._found[(marker, end)] = j
        return j


def split_sentences(text: str, language: str | None = "en") -> list[SentenceSpan]:
    """Split ``text`` into sentence spans; paragraphs are separated by a blank line.

    One loop over the regex's candidates, one branch per kind of candidate, kept in one
    function on purpose: it is the splitter's hot path, and the branches share the state
    of the walk (the cuts so far, the current line, the list markers). Each decision that
    needs more than a few characters of context is a helper below.
    """
    first = _NON_SPACE.search(text)
    if first is None:
        return []
    english = _is_english(language)
    special = SPECIAL if english else ()
    n = len(text)
    begin = line_start = first.start()
    # Hot loop: a boundary appends (end of sentence, start of next) to the flat ``cuts``;
    # a paragraph break also records how many sentences precede it.
    cuts: list[int] = []
    cut = cuts.append
    breaks: list[int] = []
    lists = _Lists(text)
    markers = lists.markers
    if text.startswith("1) ", line_start):
        lists.chain(line_start, "1", ")")
    # Branches in order of frequency in news (f, g, w, b are 95 % of the candidates).
    for m in _CANDIDATE.finditer(text, line_start):
        kind = m.lastindex
        if kind == _F:
            cuts += m.span(_F)
        elif kind == _G:
            e, s = m.span(_G)
            if s == n:
                break
            cut(e)
            cut(s)
            breaks.append(len(cuts))
            line_start = s
            if text[s] == "1" and text.startswith("1) ", s):
                lists.chain(s, "1", ")")
        elif kind == _W:
            e, s = m.span(_W)
            if s == n:
                break
            if (s - e > 1 or text[e] != " ") and text.find("\n", e, s) >= 0:
                line_start = s
                if text[s] == "1" and text.startswith("1) ", s):
                    lists.chain(s, "1", ")")
            c = text[s]
            if c in _OPENERS:
                j = s
                while j < n and text[j] in _OPENERS:
                    j += 1
                c = text[j] if j < n else " "
            if c.islower():
                continue
            p, t_end = m.span(_T)
            if e > t_end and _QUOTE_ATTRIBUTION.match(text, s) and _has_quote(text, t_end, e):
                continue  # '"Why now?" Smith asked.'
            cur = cuts[-1] if cuts else begin  # start of the current sentence
            attached = p > cur and not text[p - 1].isspace()
            if t_end - p == 1 and text[p] == ".":
                if attached:
                    if markers and p in markers:
                        continue
                    tok = text[p - 12 if p - 12 > cur else cur : p].rsplit(None, 1)[-1]
                    if len(tok) < 3 or "." in tok or tok[0] in _TOKEN_PREFIX or tok in special:
                        tok = tok.lstrip(_TOKEN_PREFIX)
                        start = p - len(tok)
                        if (
                            _is_marker(tok)
                            and start - cur < 4
                            and not text[cur:start].strip(" " + _BULLETS)
                        ):
                            # "1. First item", "• a. Item": a list marker opens the sentence
                            if tok in ("1", "a", "A"):
                                style = ".)" if text[p + 1] == ")" else "."
                                lists.chain(start, tok, style)
                            continue
                        if len(tok) < 12 and not _boundary_after(text, tok, p, s, c, cur, english):
                            continue
            elif "?" not in text[p:t_end] and "!" not in text[p:t_end]:
                if attached and text[p - 1] == "[":
                    continue  # "[...]" marks an omission inside a sentence
                if attached and t_end - p > 2 and text[p + 1] == " ":
                    # "word. . . . Next": the period ends it, the ellipsis opens the next
                    cut(p + 1)
                    cut(p + 2)
                    continue
                if english and _omission(text, p, t_end, s):
                    continue
            cut(e)
            cut(s)
        elif kind == _B:
            e, s = m.span(_B)
            if s == n:
                break
            cut(_strip_back(text, e) if text[e - 1].isspace() else e)
            cut(s)
            breaks.append(len(cuts))
            line_start = s
            if text[s] == "1" and text.startswith("1) ", s):
                lists.chain(s, "1", ")")
        elif kind in (_T, _I):
            continue
        elif kind == _Q:
            cuts += m.span(_Q)
        elif kind == _N:
            p, s = m.span(_N)
            if s == n:
                break
            e = _strip_back(text, p)
            if _line_ends_sentence(text, line_start, e, s):
                cut(e)
                cut(s)
            line_start = s
            if text[s] == "1" and text.startswith("1) ", s):
                lists.chain(s, "1", ")")
        elif kind == _C:
            e, s = m.span(_C)
            if s == n:
                break
            cut(e)
            cut(s)
            newlines = text.count("\n", e, s)
            if newlines:
                line_start = s
                if newlines > 1:
                    breaks.append(len(cuts))
        elif kind == _U:
            i = m.start(_U)
            if i > (cuts[-1] if cuts else begin) and text[i - 1].isspace():
                cut(_strip_back(text, i))
                cut(i)
            number = _BULLET_NUMBER.match(text, i + 1)
            if number:
                markers.add(number.end() - 1)
        elif kind == _X:
            i, j = m.span(_X)
            if j - i > 2 and (not i or text[i - 1].isspace()) and (j == n or text[j].isspace()):
                # a "***" separator stands alone; a line break after it is handled there
                if i > (cuts[-1] if cuts else begin):
                    cut(_strip_back(text, i))
                    cut(i)
                after = _NON_SPACE.search(text, j)
                if after and text.find("\n", j, after.start()) < 0:
                    cut(j)
                    cut(after.start())
        else:
            break
    starts = cuts[1::2]
    starts.insert(0, begin)
    ends = cuts[0::2]
    ends.append(_strip_back(text, n))
    paras = _paragraphs(breaks, len(starts))
    if lists.forced:
        starts, ends, paras = _apply_forced(text, lists.forced, starts, ends, paras)
    return _spans(starts, ends, paras)


def _is_marker(tok: str) -> bool:
    """A list marker: one or two digits or a single letter."""
    return 0 < len(tok) <= 2 and (tok.isdigit() or (len(tok) == 1 and tok.isalpha()))


def _boundary_after(text: str, tok: str, p: int, s: int, c: str, cur: int, english: bool) -> bool:
    """Decide a period after a short token ``tok`` ending at ``p``; next sentence at ``s``.

    ``c`` is the first visible character of the next sentence (not lower case).
    """
    tok_start = p - len(tok)
    known = english and tok in SPECIAL
    single = len(tok) == 1 and tok.isalpha()
    multi = "." in tok and _MULTI_PERIOD.fullmatch(tok) is not None
    if c.isdigit():
        return not (known or single or multi)
    if single:
        if english and tok == "I" and _previous_word_lower(text, tok_start):
            return True  # "you and I. Did you..." - the pronoun, not an initial
        return english and _starter(text, s) is not None
    if multi or (english and tok in ABBREVIATIONS):
        if english and _starter(text, s) is None:
            return False
        # "At 5 a.m. Mr. Smith went": a three-word fragment is no sentence.
        return text.count(" ", cur, p) >= 3
    return True


def _has_quote(text: str, i: int, j: int) -> bool:
    """Does ``text[i:j]`` (closing punctuation) contain a quotation mark?"""
    return any(q in text[i:j] for q in "\"'”’»›")


def _omission(text: str, p: int, t_end: int, s: int) -> bool:
    """An ellipsis of three dots before the pronoun "I" marks an omission, not an end."""
    t = text[p:t_end]
    if t.count(".") + 3 * t.count("…") >= 4:
        return False  # ". . . ." is an ellipsis plus a full stop
    nxt = _NEXT_WORD.match(text, s)
    return nxt is not None and nxt.group(1) == "I" and not nxt.group(2)


def _previous_word_lower(text: str, i: int) -> bool:
    """True if the word before position ``i`` starts with a lower-case letter."""
    j = i - 1
    while j > 0 and text[j - 1].isspace():
        j -= 1
    k = max(text.rfind(" ", 0, j), text.rfind("\n", 0, j)) + 1
    return k < j and text[k].islower()


def _line_ends_sentence(text: str, line_start: int, e: int, s: int) -> bool:
    """Does a line without terminal punctuation (``line_start:e``) end a sentence?

    Headlines, list items and table rows stand alone. A line is wrapped text instead
    when the next one starts in lower case or this one ends mid-phrase (a comma, a
    hyphen, a function word). Cleaned web text has almost no hard-wrapped prose, so
    an upper-case start after a content word counts as a new sentence.
    """
    c = text[s]
    if c in _BULLETS or _LIST_LINE.match(text, s):
        return True
    if text[line_start] in _BULLETS or _LIST_LINE.match(text, line_start):
        return True
    last = text[e - 1]
    if c.islower() or last in ",;&/(-–—":
        return False
    return _FUNCTION_WORD_END.search(text, max(line_start, e - 8), e) is None


def _apply_forced(
    text: str, forced: list[int], starts: list[int], ends: list[int], paras: list[int]
) -> tuple[list[int], list[int], list[int]]:
    """Split spans at forced sentence starts (later markers of inline lists).

    Forced starts are few: find their spans by bisection and copy the rest in slices.
    """
    n = len(text)
    splits: dict[int, list[int]] = {}  # span index -> forced starts inside it
    for f in sorted(set(forced)):
        while f < n and text[f].isspace():
            f += 1
        k = bisect_right(starts, f) - 1
        if k >= 0 and starts[k] < f < ends[k]:
            splits.setdefault(k, []).append(f)
    new_starts: list[int] = []
    new_ends: list[int] = []
    new_paras: list[int] = []
    done = 0
    for k, cuts in splits.items():
        new_starts += starts[done:k]
        new_ends += ends[done:k]
        new_paras += paras[done:k]
        start = starts[k]
        for f in cuts:
            e = _strip_back(text, f)
            if e > start:
                new_starts.append(start)
                new_ends.append(e)
                new_paras.append(paras[k])
                start = f
        new_starts.append(start)
        new_ends.append(ends[k])
        new_paras.append(paras[k])
        done = k + 1
    return new_starts + starts[done:], new_ends + ends[done:], new_paras + paras[done:]


_LAST_SPACE = re.compile(r".*\s", re.DOTALL)  # greedy: ends just after the last whitespace


def _regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def _joined(text: str, i: int) -> bool:
    """Whether a cut before ``text[i]`` would split what shows as one character: a base and
    its combining marks, a consonant after a virama, a ZWJ sequence, a variation selector,
    skin tone or emoji tag, a flag's two regional indicators, a surrogate pair (in a string
    that holds one), CR LF."""
    ch, prev = text[i], text[i - 1]
    if _regional(ch) and _regional(prev):  # flags pair up from the first of a run
        run = 1
        while run < 1000 and i - run - 1 >= 0 and _regional(text[i - run - 1]):
            run += 1
        return run % 2 == 1
    return (
        unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or unicodedata.combining(prev) == 9  # a virama joins the next consonant
        or "\u200d" in (ch, prev)
        or "\ufe00" <= ch <= "\ufe0f"
        or "\U0001f3fb" <= ch <= "\U0001f3ff"
        or "\U000e0020" <= ch <= "\U000e007f"
        or "\U000e0100" <= ch <= "\U000e01ef"
        or ("\ud800" <= prev <= "\udbff" and "\udc00" <= ch <= "\udfff")
        or (prev == "\r" and ch == "\n")
    )


def _safe_cut(text: str, start: int, limit: int) -> int:
    """Where a run starting at ``start`` is cut so its first piece ends by ``limit``."""
    m = _LAST_SPACE.match(text, start + 1, limit + 1)
    if m:
        return m.end() - 1  # the last whitespace within the limit
    cut = limit
    while cut > start + 1 and _joined(text, cut):
        cut -= 1
    if not _joined(text, cut):
        return cut
    cut = limit  # one visible character longer than the limit: cut after it
    while cut < len(text) and _joined(text, cut):
        cut += 1
    return cut


def cap_spans(
    text: str, spans: list[SentenceSpan], max_chars: int
) -> tuple[list[SentenceSpan], int]:
    """Spans of at most ``max_chars`` characters, and how many longer runs were split.

    A span longer than that (a run of text without a sentence boundary) is cut at the last
    whitespace within the limit, else at the limit moved back so it never falls inside a
    combining or surrogate sequence (only one visible character longer than the limit, by
    itself, passes it). Pieces are stripped like every span and keep their paragraph.
    """
    if len(text) <= max_chars:
        return spans, 0
    for span in spans:  # a plain loop: a generator in all() costs twice as much per span
        if span.end - span.start > max_chars:
            break
    else:
        return spans, 0
    out: list[SentenceSpan] = []
    split = 0
    for span in spans:
        start, end = span.start, span.end
        if end - start <= max_chars:
            out.append(span)
            continue
        split += 1
        while end - start > max_chars:
            cut = _safe_cut(text, start, start + max_chars)
            if cut >= end:
                break
            out.append(SentenceSpan(start, _strip_back(text, cut), span.paragraph))
            start = _NON_SPACE.search(text, cut).start()  # type: ignore[union-attr]
        out.append(SentenceSpan(start, end, span.paragraph))
    return out, split
