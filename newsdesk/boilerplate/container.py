"""Find the DOM element that holds the article: where the prose paragraphs sit.

Each prose block credits its parent fully and its grandparent by half (the classic
readability scoring) to find the core element. Articles are often split into several
sibling sections (ad slots, inline promos), so from the core we walk up the ancestors and
take the one whose subtree has the most prose net of chrome: going up pays while it adds
more article paragraphs than menus, teaser links and captions. Outside the core only
paragraphs next to another paragraph count, so a list of teasers (a link, a summary, a
link, ...) does not.
"""

from __future__ import annotations

from collections import defaultdict

from newsdesk.boilerplate.dom import HEADINGS, Block
from newsdesk.boilerplate.lines import Line

MAX_PARAGRAPH_LINK_DENSITY = 0.33
JUNK_COST = 1.0


def _prose_words(line: Line, block: Block) -> float:
    if line.weight <= 0 or line.chrome or block.link_density > MAX_PARAGRAPH_LINK_DENSITY:
        return 0.0
    return line.words


def main_blocks(lines: list[Line], blocks: list[Block]) -> list[int] | None:
    """Positions of the blocks inside the main container, or None when there is no prose."""
    prose = [_prose_words(line, block) for line, block in zip(lines, blocks, strict=True)]
    bridge = [_bridges(line, block) for line, block in zip(lines, blocks, strict=True)]
    scores: dict[int, float] = defaultdict(float)
    core_path: dict[int, tuple[int, ...]] = {}
    held: dict[int, int] = defaultdict(int)
    for block in blocks:
        for node in block.path:
            held[node] += 1
    for w, block in zip(prose, blocks, strict=True):
        path = block.path
        # Wrappers that hold nothing but this paragraph (a div around each <p>) are
        # skipped: the paragraph's parent is the first ancestor holding other blocks too.
        top = len(path) - 1
        while top > 1 and held[path[top - 1]] <= 1:
            top -= 1
        path = path[:top] + path[-1:]
        if w and len(path) >= 2:
            for depth, share in ((2, 1.0), (3, 0.5)):
                if len(path) >= depth:
                    node = path[-depth]
                    scores[node] += min(1.0 + w / 10.0, 6.0) * share
                    core_path[node] = block.path[: block.path.index(node) + 1]
    if not scores:
        return None
    core = core_path[max(scores, key=scores.__getitem__)]
    # net[k]: prose minus chrome of blocks whose path shares exactly k leading ids with core.
    net = [0.0] * (len(core) + 1)
    shared: list[int] = []
    for w, line, block in zip(prose, lines, blocks, strict=True):
        k = 0
        for a, b in zip(block.path, core, strict=False):
            if a != b:
                break
            k += 1
        shared.append(k)
        if not w:
            net[k] -= JUNK_COST * line.words
        elif k >= len(core) or _in_prose_run(prose, bridge, len(shared) - 1):
            net[k] += w
        # A lone paragraph outside the core (a teaser's summary) counts for nothing.
    # Subtree of core[:d] holds every block sharing at least d ids: a suffix sum.
    best_depth, best_net, total = len(core), float("-inf"), 0.0
    for d in range(len(core), 0, -1):
        total += net[d]
        if total > best_net:
            best_depth, best_net = d, total
    return [i for i, k in enumerate(shared) if k >= best_depth]


def _bridges(line: Line, block: Block) -> bool:
    """A sub-heading without links: an article of question and answer sections puts one
    between every two paragraphs, while a teaser card's title is a link."""
    return block.tag in HEADINGS and block.link_density < 0.5 and line.words < 15


def _in_prose_run(prose: list[float], bridge: list[bool], i: int) -> bool:
    """A prose block next to another one, looking past sub-headings between them."""
    for step in (-1, 1):
        k = i + step
        while 0 <= k < len(prose) and not prose[k] and bridge[k]:
            k += step
        if 0 <= k < len(prose) and prose[k] > 0:
            return True
    return False
