"""HTML extraction: decode safely, turn the DOM into blocks, decide blocks like lines.

Input over the `max_body_chars` setting is refused (a news page is well under 1 MB; a 20 MB
page is a dump or an attack), as is binary data. libxml2 caps nesting depth itself and the
block walk is iterative, so pathological trees end quickly instead of hanging or recursing.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from lxml import etree

from newsdesk.boilerplate.container import main_blocks
from newsdesk.boilerplate.dom import HEADINGS, Block, resolve_hints, walk
from newsdesk.boilerplate.lines import Line, extract_lines, find_headline, make_line
from newsdesk.boilerplate.model import Extraction, LineDecision, failed, too_long
from newsdesk.boilerplate.patterns import iso_date
from newsdesk.boilerplate.repeated import normalise
from newsdesk.foundations.decoding import BadInput, decode_html, looks_binary

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")
# lxml's own HTML parser, not `lxml.html`'s: plain elements need no Python call to pick
# their class each time the walk touches one, and no table of ids is kept
_PARSER = etree.HTMLParser(
    remove_comments=True, remove_pis=True, no_network=True, collect_ids=False
)


def _check(page: str | bytes, max_chars: int | None) -> str | None:
    """One-line reason to refuse the input, or None when it looks like a page.

    Bytes are measured before decoding only when no encoding could make them short enough
    (four bytes a character at most); the decoded text is measured in `extract_html`.
    """
    chars = len(page) // 4 if isinstance(page, bytes) else len(page)
    if reason := too_long(chars, max_chars):
        return reason
    if not page.strip():
        return "empty input"
    if looks_binary(page):
        return "binary input: NUL or control characters where HTML was expected"
    return None


def extract_html(
    page: str | bytes, url: str | None = None, max_chars: int | None = None
) -> Extraction:
    """Article body, headline, byline and date of one HTML page; never raises on bad input.

    `url` is accepted for the pipeline's sake and not needed by the rules. A page over
    `max_chars` characters (default: the `max_body_chars` setting) is refused.
    """
    reason = _check(page, max_chars)
    if reason:
        return failed(reason)
    try:
        text = decode_html(page) if isinstance(page, bytes) else page
    except BadInput as error:
        return failed(str(error))
    if reason := too_long(len(text), max_chars):
        return failed(reason)
    text = _XML_DECL.sub("", text)
    try:
        root = etree.fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        return failed(f"unparseable HTML: {str(exc).splitlines()[0] if str(exc) else 'empty'}")
    if root is None:
        return failed("unparseable HTML: Document is empty")
    meta = metadata(root)
    blocks = walk(root)
    if not blocks:
        return failed("no visible text in HTML")
    lines = [block_line(i, b) for i, b in enumerate(blocks)]
    resolve_hints(blocks, [line.words for line in lines])
    for line, block in zip(lines, blocks, strict=True):
        _apply_structure(line, block)
    mark_teaser_cards(lines, blocks)
    candidates = main_blocks(lines, blocks)
    for i in candidates or ():
        lines[i].vouched = True
    headings = [i for i, b in enumerate(blocks) if b.tag in HEADINGS]
    h1s = [i for i in headings if blocks[i].tag == "h1"]

    def pick_headline(lines: list[Line], start: int) -> int | None:
        return headline_block(lines, headings, h1s, start, meta.get("title"))

    result = extract_lines(lines, candidates=candidates, pick_headline=pick_headline)
    result = _recall_fallback(result, text, len(blocks))
    return Extraction(
        body=result.body,
        title=meta.get("title") or result.title,
        byline=meta.get("byline") or result.byline,
        published_at=meta.get("published_at") or result.published_at,
        decisions=result.decisions,
        error=None,
    )


FALLBACK_WORDS = 50
"""A body (headline aside) shorter than this is checked against trafilatura."""


def _recall_fallback(result: Extraction, page: str, n_blocks: int) -> Extraction:
    """When the rules keep almost nothing, take trafilatura's text if it has more.

    Pages whose article is a table or a list of short lines can leave the line rules with
    no prose run; trafilatura is only run for those few pages, so the speed stays ours.
    """
    kept = [d for d in result.decisions if d.kept and d.rule != "headline"]
    if sum(len(d.text.split()) for d in kept) >= FALLBACK_WORDS:
        return result
    try:
        import trafilatura

        other = trafilatura.extract(page, favor_precision=True) or ""
    except Exception:  # a fallback must never turn a result into a crash
        return result
    head = [d for d in result.decisions if d.kept and d.rule == "headline"]
    titles = {normalise(d.text) for d in head}
    # text our rules saw as links (menus, tag clouds) stays out even when trafilatura keeps it
    links = {normalise(d.text) for d in result.decisions if d.rule == "link-list"}
    paragraphs = [
        p.strip().removeprefix("- ")
        for p in other.split("\n")
        if p.strip() and normalise(p) not in titles | links
    ]
    if sum(len(p.split()) for p in paragraphs) <= sum(len(d.text.split()) for d in kept):
        return result
    decisions = [
        d
        if not d.kept or d.rule == "headline"
        else LineDecision(d.index, d.text, False, "replaced-by-fallback")
        for d in result.decisions
    ]
    decisions += [
        LineDecision(n_blocks + j, p, True, "recall-fallback") for j, p in enumerate(paragraphs)
    ]
    body = "\n\n".join([*(d.text for d in head), *paragraphs])
    return Extraction(
        body, result.title, result.byline, result.published_at, decisions, result.error
    )


def headline_block(
    lines: list[Line], headings: list[int], h1s: list[int], start: int, title: str | None
) -> int | None:
    """The heading above the body that matches the page title, else the nearest `<h1>`."""
    above = [i for i in headings if i < start and not lines[i].chrome]
    key = normalise(title or "")
    for i in reversed(above):
        text = normalise(lines[i].text)
        if key and text and (text in key or key in text):
            return i
    h1 = [i for i in h1s if i < start and not lines[i].chrome]
    return h1[-1] if h1 else find_headline(lines, start)


def block_line(index: int, block: Block) -> Line:
    """A block as a `Line`; the structural hint is applied once zones are resolved."""
    return make_line(index, block.text)


CARD_BLOCKS = 4
"""At most this many blocks in the element holding a card's title and summary."""
MIN_CARDS = 2
"""Link headings followed by a summary that make a teaser list, not one linked sub-head."""


def mark_teaser_cards(lines: list[Line], blocks: list[Block]) -> None:
    """Summaries of teaser cards are a related box: a heading (not the `<h1>`) that is all
    link, then a prose block in the same small element (a card holds a handful of blocks),
    found `MIN_CARDS` or more times on the page. Inside the article container they read
    like short paragraphs and would extend the body."""
    pairs: list[tuple[int, int]] = []  # (summary block, the element holding it and its title)
    for i, block in enumerate(blocks[:-1]):
        if block.tag not in HEADINGS or block.tag == "h1" or block.link_density <= 0.5:
            continue
        k = i + 1
        if not lines[k].prose or lines[k].chrome or blocks[k].tag in HEADINGS:
            continue
        shared = [a for a, b in zip(block.path, blocks[k].path, strict=False) if a == b]
        if shared:
            pairs.append((k, shared[-1]))
    holders = {node for _, node in pairs}  # blocks inside each, counted for these only
    held = Counter(node for block in blocks for node in holders if node in block.path)
    cards = [k for k, node in pairs if held[node] <= CARD_BLOCKS]
    if len(cards) < MIN_CARDS:
        return
    for k in cards:
        lines[k].chrome = "related"
        lines[k].boxed = True


def _apply_structure(line: Line, block: Block) -> None:
    line.parent = block.path[-2] if len(block.path) >= 2 else -1
    zone = block.zone
    if zone:
        line.chrome = zone
        line.boxed = True
    elif block.link_density > 0.5:
        line.chrome = "link-list"
        line.boxed = True
    if block.tag in HEADINGS and not line.chrome:
        line.sentence = False


def metadata(root: etree._Element) -> dict[str, str]:
    """Title, byline and publication date from meta tags, JSON-LD and markup."""
    out: dict[str, str] = {}
    metas = {
        (m.get("property") or m.get("name") or m.get("itemprop") or "").lower(): m.get(
            "content", ""
        )
        for m in root.iter("meta")
    }
    for key in ("og:title", "twitter:title", "headline"):
        if metas.get(key):
            out["title"] = metas[key].strip()
            break
    else:
        h1 = next(root.iter("h1"), None)
        words = "".join(h1.itertext()).split() if h1 is not None else []
        if words:
            out["title"] = " ".join(words)
    for key in ("author", "article:author", "byl", "dc.creator"):
        value = metas.get(key, "").strip()
        if value and not value.startswith("http"):
            out["byline"] = value
            break
    for key in ("article:published_time", "datepublished", "date", "pubdate", "dc.date"):
        date = iso_date(metas.get(key, ""))
        if date:
            out["published_at"] = date
            break
    else:
        date = _jsonld_date(root) or _time_date(root)
        if date:
            out["published_at"] = date
    return out


def _jsonld_date(root: etree._Element) -> str | None:
    for script in root.iter("script"):
        if script.get("type") == "application/ld+json" and script.text:
            m = re.search(r'"datePublished"\s*:\s*("[^"]*")', script.text)
            if m:
                try:
                    return iso_date(json.loads(m.group(1)))
                except ValueError:
                    continue
    return None


def _time_date(root: etree._Element) -> str | None:
    for t in root.iter("time"):
        date = iso_date(t.get("datetime") or "")
        if date:
            return date
    return None
