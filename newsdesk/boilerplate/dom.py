"""HTML to text blocks: one block per paragraph-level element, with structural hints.

The tree is walked without recursion (deep nesting cannot overflow) and every block
records how much of its text is link text and which page zones it sits in (navigation,
footer, aside, figure caption, share bar, ...), taken from tag names and class/id tokens.
A zone that holds most of the page's prose is the article wrapper with an unlucky class
name, so its hint is dropped afterwards (`resolve_hints`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree


def _tags(names: str) -> frozenset[str]:
    return frozenset(names.split())


SKIP_TAGS = _tags(
    "script style noscript template svg iframe object embed canvas video audio map "
    "button select option textarea input label head title meta link base"
)
BLOCK_TAGS = _tags(
    "address article aside blockquote body br dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary "
    "table tbody tfoot thead tr ul"
)
HEADINGS = _tags("h1 h2 h3 h4 h5 h6")
_TAG_ZONES = {
    "nav": "nav",
    "footer": "footer",
    "aside": "aside",
    "figcaption": "caption",
    "menu": "nav",
}
_CLASS_ZONES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rf"(?:^|[-_\s])(?:{words})(?:$|[-_\s\d])", re.IGNORECASE))
    for name, words in (
        ("cookie-notice", r"cookies?|consent|gdpr"),
        ("newsletter", r"newsletters?|subscribe|subscription|signup|sign-up"),
        ("donation", r"donate|donation|support-us|membership"),
        ("share-prompt", r"share|sharing|social|sharebar|share-bar|addthis"),
        ("photo-credit", r"caption|credits?|wp-caption-text|image-credit"),
        ("related", r"related|recommended|more-stories|read-more|readmore|outbrain|taboola"),
        ("comments", r"comments?|disqus|respond"),
        ("advert", r"ads?|advert\w*|sponsor\w*|promo|dfp|banner"),
        ("nav", r"nav|navbar|navigation|menu|breadcrumbs?|masthead|toolbar|pagination"),
        ("footer", r"footer|copyright"),
        ("aside", r"sidebar|side-bar|widget|rail"),
        ("byline", r"byline|author|dateline"),
        ("tags", r"tags|tag-list|keywords|topics"),
        ("popup", r"modal|popup|overlay"),
    )
)


@dataclass(slots=True)
class Zone:
    """A page region named by its tag or class; `words` is filled in after the walk."""

    name: str
    words: int = 0
    active: bool = True


@dataclass(slots=True)
class Block:
    """Text of one paragraph-level element; `path` holds the ids of its ancestors."""

    tag: str
    path: tuple[int, ...]
    zones: tuple[Zone, ...] = ()
    parts: list[str] = field(default_factory=list)
    link_chars: int = 0
    text: str = ""  # whitespace-normalised, set once the walk has the whole block

    @property
    def zone(self) -> str | None:
        """Innermost active zone name, if any."""
        for z in reversed(self.zones):
            if z.active:
                return z.name
        return None

    @property
    def link_density(self) -> float:
        """Share of the block's characters that are link text."""
        return min(self.link_chars / max(len("".join(self.parts).strip()), 1), 1.0)

    def fresh(self) -> Block:
        """An empty block continuing this element after a child block or a line break."""
        return Block(self.tag, self.path, self.zones)


_ANY_CLASS_ZONE = re.compile("|".join(f"(?:{p.pattern})" for _, p in _CLASS_ZONES), re.IGNORECASE)
_ZONE_CACHE: dict[str, str | None] = {}
_ZONE_CACHE_MAX = 50_000


def _class_zone(attrs: str) -> str | None:
    """Zone named by class/id tokens; memoised, as pages repeat the same class strings."""
    try:
        return _ZONE_CACHE[attrs]
    except KeyError:
        pass
    zone = None
    if _ANY_CLASS_ZONE.search(attrs):
        zone = next((name for name, pattern in _CLASS_ZONES if pattern.search(attrs)), None)
    if len(_ZONE_CACHE) >= _ZONE_CACHE_MAX:
        _ZONE_CACHE.clear()
    _ZONE_CACHE[attrs] = zone
    return zone


def element_zone(el: etree._Element, tag: str) -> str | None:
    """Zone hinted by the element's tag, role, class or id."""
    zone = _TAG_ZONES.get(tag)
    if zone:
        return zone
    role = el.get("role")
    if role in ("navigation", "banner", "contentinfo", "complementary"):
        return "nav" if role != "complementary" else "aside"
    attrs = f"{el.get('class', '')} {el.get('id', '')}".strip()
    if not attrs:
        return None
    return _class_zone(attrs)


_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:hidden|d-none|is-hidden)(?:$|\s)")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def is_hidden(el: etree._Element) -> bool:
    """Not shown to a reader: the `hidden` attribute, an inline `display: none`, or a
    class that only hides (a sign-in box left in the page for scripts to reveal). Such an
    element is a zone like any other, so one that holds most of the prose (an article a
    script reveals after a paywall check) is still the article."""
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    cls = el.get("class")
    return bool(cls and _HIDDEN_CLASS.search(cls))


def walk(root: etree._Element) -> list[Block]:
    """Blocks of visible text in document order.

    Text before, between and after child blocks becomes blocks of its own, and `<br>`
    ends a block, so every paragraph keeps its place. lxml's `iterwalk` visits the tree
    (in C, and without recursion, so deep nesting cannot overflow); `context` holds, for
    each element still open, what its children and its tail need.
    """
    blocks: list[Block] = []
    open_blocks: list[Block] = [Block("body", ())]
    # (children inside a link, zones, path, opened a block, tail inside a link)
    context: list[tuple[bool, tuple[Zone, ...], tuple[int, ...], bool, bool]] = [
        (False, (), (), False, False)
    ]
    next_id = 0
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event == "end":
            _, _, _, opened, tail_in_link = context.pop()
            if opened:
                blocks.append(open_blocks.pop())
            _add(open_blocks[-1], el.tail, tail_in_link)
            continue
        in_link, zones, path, _, _ = context[-1]
        if event != "start":  # a comment or processing instruction: only its tail is text
            _add(open_blocks[-1], el.tail, in_link)
            continue
        tag = el.tag
        if tag in ("br", "hr"):
            open_blocks[-1] = _flush(open_blocks[-1], blocks)
        if tag in ("br", "hr") or tag in SKIP_TAGS or not isinstance(tag, str):
            walker.skip_subtree()
            context.append((in_link, zones, path, False, in_link))
            continue
        if tag in ("td", "th"):
            open_blocks[-1].parts.append(" ")
        next_id += 1
        path = (*path, next_id)
        zone = "hidden" if is_hidden(el) else element_zone(el, tag)
        if zone:
            zones = (*zones, Zone(zone))
        opened = tag in BLOCK_TAGS
        if opened:
            open_blocks[-1] = _flush(open_blocks[-1], blocks)
            open_blocks.append(Block(tag, path, zones))
        link = in_link or tag == "a"
        _add(open_blocks[-1], el.text, link)
        context.append((link, zones, path, opened, in_link))
    blocks.extend(reversed(open_blocks))
    for block in blocks:
        block.text = " ".join("".join(block.parts).split())
    return [b for b in blocks if b.text]


def _flush(block: Block, blocks: list[Block]) -> Block:
    """Emit the block's text so far (if any) and continue with an empty one."""
    if not block.parts:
        return block
    blocks.append(block)
    return block.fresh()


def _add(block: Block, text: str | None, in_link: bool) -> None:
    if text:
        block.parts.append(text)
        if in_link:
            block.link_chars += len(text.strip())


_ALWAYS_CHROME = frozenset(("caption", "photo-credit", "comments"))
"""Zones that stay chrome however much text they hold (long comment threads)."""


def resolve_hints(blocks: list[Block], words: list[float]) -> None:
    """Drop zone hints that cover most of the page's prose: that zone is the article."""
    total = sum(w for w, b in zip(words, blocks, strict=True) if b.link_density < 0.5)
    for block, w in zip(blocks, words, strict=True):
        for z in block.zones:
            z.words += int(w)
    for block in blocks:
        for z in block.zones:
            if z.words > 0.3 * total and z.name not in _ALWAYS_CHROME:
                z.active = False
