"""A cheap language guess from function words: enough to pick English-only rules or not."""

from __future__ import annotations

import re
from collections import Counter

_FUNCTION_WORDS = {
    "en": "the of and to in is that for on with was said as by it from at are has",
    "de": "der die und das ist nicht mit den von zu sich auf für ein eine dem des",
    "fr": "le la les des est et une un du que dans pour pas qui sur au avec",
    "es": "el la los las de que y en un una por con para del se es al",
    "it": "il di che la è e per un una non con del della sono alla gli",
    "pt": "o a os as de que e do da em um uma para com não por dos",
    "nl": "de het een en van is dat op te in niet met voor zijn aan",
    "ru": "и в не на что с по как это он к из за от для но его",
}
_WORDS = {lang: set(words.split()) for lang, words in _FUNCTION_WORDS.items()}
_TOKEN = re.compile(r"\w+")


def guess_language(text: str, sample_chars: int = 4000) -> str:
    """ISO 639-1 code of the best match, or "und" when no language stands out."""
    tokens = [token.lower() for token in _TOKEN.findall(text[:sample_chars])]
    if len(tokens) < 5:
        return "und"
    counts = Counter(tokens)  # one pass over the text, then a lookup per function word
    scores = {lang: sum(counts[word] for word in words) for lang, words in _WORDS.items()}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= max(2, len(tokens) // 20) else "und"


_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?([a-zA-Z]{2,3})\b""", re.IGNORECASE)


def html_language(page: str) -> str | None:
    """The language an HTML page declares on its `<html lang>` (first 8 KiB), if any."""
    found = _HTML_LANG.search(page[:8192])
    return found.group(1).lower() if found else None


def body_language(page_format: str, stored: str | None, content: str, body: str) -> str:
    """The language of a cleaned article: the one its record declared; for an HTML page
    without one, the guess from its cleaned body (its markup says little), else its
    `<html lang>`, else "und".

    Articles ingested before the guess moved here stored a guess made from the raw page;
    for HTML a stored value equal to that guess counts as a guess, not a declaration."""
    if page_format != "html":
        return stored or guess_language(body)
    if stored and stored != guess_language(content):
        return stored
    guessed = guess_language(body)
    if guessed != "und":
        return guessed
    return html_language(content) or guessed
