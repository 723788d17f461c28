"""Multilingual patterns for page chrome that reads like text.

Each pattern is matched against short lines only (see `classify`), so a sentence in the
article that happens to mention a newsletter or a photo is not removed. Words are given
in several languages; the structural rules in `lines` are the language-neutral fallback.
"""

from __future__ import annotations

import re

_F = re.IGNORECASE | re.UNICODE

RELATED_OPENER_WORDS: dict[str, str] = {
    # language: headings over lists of other stories ("most read", "more from the section",
    # "more news", "you may also like") and over the tag list ("tags", "topics")
    "en": r"similar (articles|stories)|latest (posts|stories)|more [^\W\d_]+\W*$",
    "de": r"meistgelesen\w*|meist gelesen|(mehr )?aus dem ressort|das könnte sie auch interessieren"
    r"|mehr nachrichten|weitere nachrichten|weitere artikel|auch interessant|schlagw[oö]rter"
    r"|ähnliche artikel|verwandte artikel|neueste (beiträge|artikel)",
    "fr": r"les plus lus|sur le même sujet|plus d'actualités|voir aussi|mots-clés"
    r"|articles similaires|derniers articles",
    "es": r"lo más leído|más noticias|te puede interesar|etiquetas|artículos relacionados"
    r"|últimas noticias",
    "it": r"i più letti|potrebbe interessarti|altre notizie|articoli correlati|ultime notizie",
    "pt": r"mais lidas|mais notícias|você também pode gostar|artigos relacionados"
    r"|últimas notícias",
    "nl": r"meest gelezen|lees ook|meer nieuws|trefwoorden|gerelateerde artikelen|laatste nieuws",
    "sv": r"läs också|mest lästa?|fler nyheter|mer nyheter|relaterade artiklar|senaste nytt",
    "da": r"læs også|mest læste|flere nyheder|relaterede artikler|seneste nyt",
    "no": r"les også|mest leste?|flere nyheter|relaterte artikler|siste nytt",
    "pl": r"czytaj (też|także)|najczęściej czytane|więcej wiadomości|podobne artykuły",
    "ru": r"самое читаемое|другие новости|похожие статьи|последние новости",
    "ja": r"おすすめ|新着|人気記事|ランキング",
    "ko": r"많이 본|추천 기사",
    "zh": r"推荐|热门",
}
"""Openers of related-story boxes per language, beyond the older mixed lists below; a
language without an entry relies on the structural rules (link density, teaser shape)."""
RELATED_OPENERS = "|".join(RELATED_OPENER_WORDS.values())

# Ordered: the first matching rule names the decision. Every line of every page is searched
# with these, so they are written for `re`'s speed: one `\b` before a group of words, not one
# per word, and `c(?<!\wc)ookie` for `\bcookie` beside other branches (a first letter the
# search can skip to; the look-behind is the word boundary).
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "cookie-notice",
        re.compile(
            r"c(?<!\wc)ookies?\b|privacy (policy|settings)|datenschutz|política de privacidad"
            r"|политик\w* конфиденциальности|개인정보|プライバシー|隐私",
            _F,
        ),
    ),
    (
        "newsletter",
        re.compile(
            r"news ?letter|sign(ed)? up|subscribe|subscription|inbox|mailbox"
            r"|inscreva|assine|suscr[ií]b|abonn|iscriviti|iscrizione|рассылк|подпиш"
            r"|뉴스레터|구독|メルマガ|ニュースレター|订阅|訂閱|berlangganan",
            _F,
        ),
    ),
    (
        "donation",
        re.compile(
            r"\b(donat|support (us|our|the|independent)|contribut(e|ion) (to|now|today)"
            r"|become a (member|patron|supporter)|paywall|patreon"
            r"|spende|unterstütz|faire un don|doe\b|dona\b)|поддерж|후원|寄付|捐",
            _F,
        ),
    ),
    (
        "share-prompt",
        re.compile(
            r"^\W*(share|tweet|e-?mail|print|pin it|copy link|whatsapp|facebook|twitter"
            r"|linkedin|reddit|telegram|compartilh|compart[ei]|teilen|partager|condividi"
            r"|bagikan|поделит|공유|シェア|分享)\b|shar(?<!\wshar)(e (this|on)|ing is caring)",
            _F,
        ),
    ),
    (
        "photo-credit",
        re.compile(
            r"\b(photo(graph)?s?|image|picture|pic|foto|bild|imagem|immagine|illustration"
            r"|credits?\s*:|courtesy|getty|shutterstock|istock(photo)?|afp|associated press"
            r"|ap photo|reuters|epa|wiki ?commons|wikimedia|unsplash|flickr|file photo"
            r"|фото|사진|写真|图片|圖片)\b|©|\(c\)|/\s*(getty|ap|afp|reuters)\b"
            r"|credits?\s*:",
            _F,
        ),
    ),
    (
        "related",
        re.compile(
            r"^\W*(related|read (more|also|next)|more (from|on|stories|news)|see also"
            r"|recommended|you (may|might) also|most (read|popular)|trending|top stories"
            r"|also read|further reading|don'?t miss|nicht verpassen|à ne pas manquer"
            r"|no te pierdas|não perca|leia (mais|também)|veja também|lesen sie auch"
            r"|mehr zum thema|lire aussi|à lire|leggi anche|lee también|читайте также"
            r"|по теме|관련|関連|相关|baca juga|" + RELATED_OPENERS + r")\b",
            _F,
        ),
    ),
    (
        "comments",
        re.compile(
            r"^\W*(\d+\s+)?(comments?|leave a (reply|comment)|post a comment|add a comment"
            r"|reply|responses?|comentários?|comentarios?|kommentare?|commentaires?"
            r"|commenti|комментари\w*|댓글|コメント|评论|komentar)\b",
            _F,
        ),
    ),
    (
        "byline",
        re.compile(
            r"^\W*(by|written by|posted by|reporting by|von|par|por|di|oleh|автор)\s+\S"
            r"|^\W*(\w+\s+){0,3}\w+\s*[|,]\s*(staff|reporter|correspondent|editor)",
            _F,
        ),
    ),
    (
        "advert",
        re.compile(
            r"^\W*(advertisement|advertising|sponsored|anzeige|publicidade|publicidad"
            r"|pubblicità|publicité|реклама|광고|広告|广告|iklan)\W*$",
            _F,
        ),
    ),
)

PAYWALL_WORDS: dict[str, str] = {
    # language: the notice where a paywall cuts the article ("the rest is for subscribers",
    # "x % of this article left to read") or where the account is in use on another device
    "en": r"\b(is being read|is (currently )?in use|are reading) on another device"
    r"|\bsubscribe to (continue|keep) reading"
    r"|\bthe rest of this (article|story) is (for|available to)",
    "fr": r"\bsur un autre appareil|\bla suite est réservée|\bil vous reste \d",
    "es": r"\ben otro dispositivo|\bpara seguir leyendo",
    "de": r"\bauf einem anderen gerät|\bum weiterzulesen",
    "it": r"\bsu un altro dispositivo|\bper continuare a leggere",
    "pt": r"\bem outro dispositivo|\bpara continuar lendo",
    "nl": r"\bop een ander apparaat|\bom verder te lezen",
    "da": r"\bpå en anden enhed|\bfor at læse videre",
    "sv": r"\bpå en annan enhet|\bför att läsa vidare",
    "no": r"\bpå en annen enhet|\bfor å lese videre",
}
"""Paywall notices per language: the article text has ended where one stands. Languages
without a list rely on the structural rules."""

PAYWALL = re.compile("|".join(PAYWALL_WORDS.values()))
"""Matched against the lower-cased line."""

# Lines that open an appeal, a comment section or a list of other stories: when one comes
# late in the article, the article has ended.
ENDS_ARTICLE = re.compile(
    r"^\W*(a message from|dear (readers?|friends)|related|read more|more (from|on|stories)"
    r"|recommended|you (may|might) also|most (read|popular)|also read|further reading"
    r"|don'?t miss|nicht verpassen|à ne pas manquer|no te pierdas|não perca"
    r"|about the author|tags?\s*:|topics?\s*:|filed under|(\d+\s+)?comments?\b"
    r"|leave a (reply|comment)|share this|sign up|subscribe|support (us|our|independent)"
    r"|leia (mais|também)|veja também|lesen sie auch|mehr zum thema|lire aussi"
    r"|leggi anche|lee también|читайте также|по теме|관련기사|関連記事|相关|baca juga|"
    + RELATED_OPENERS
    + r")",
    re.IGNORECASE,
)

# A comment thread can be longer than the article, so its opener ends the article wherever
# it comes.
OPENS_COMMENTS = re.compile(
    r"\b\d+\s+(comments?|responses?|replies|comentários?|comentarios|kommentare|commentaires"
    r"|commenti|комментари\w*)\b|^\W*(leave a (reply|comment)|post a comment|댓글|コメント)",
    re.IGNORECASE,
)

# The heading blogs put over their comment thread ("6 thoughts on “Title”", "One response
# to ..."): followed by the first comment, which is prose, it still ends the article.
THREAD_HEADING = re.compile(
    r"^\W*(\d+|one|two|three) (thoughts?|responses?|replies|comments?) (on|to)\b", re.IGNORECASE
)

CAPTION_CREDIT_WORDS: dict[str, tuple[str, str]] = {
    # language: (label before a credit "Photo: AP", word of a credit in brackets "(Foto: dpa)")
    "en": (r"credits?|photo(graph)?s?|image|picture|pic|source", r"photo|image|credit|file"),
    "de": (r"bild(rechte|quelle)?|foto|quelle", r"foto|bild|quelle|archiv(bild|foto)|symbolbild"),
    "fr": (r"crédits?( photo)?|photo|source", r"photo|crédit|archives?"),
    "es": (r"foto(grafía)?|imagen|fuente", r"foto|imagen|archivo"),
    "it": (r"foto(grafia)?|immagine|fonte", r"foto|immagine|archivio"),
    "pt": (r"foto(grafia)?|imagem|fonte", r"foto|imagem|arquivo"),
    "nl": (r"foto|beeld|bron", r"foto|beeld|archief"),
    "sv": (r"foto|bild|källa", r"foto|bild|arkiv"),
    "da": (r"foto|billede|kilde", r"foto|arkiv"),
    "no": (r"foto|bilde|kilde", r"foto|arkiv"),
    "pl": (r"fot\.?|zdjęcie|źródło", r"fot\.?|zdjęcie"),
    "ru": (r"фото|источник", r"фото"),
}
"""Words that mark a photo credit at the end of a caption, per language; agencies and
picture services are named across languages in `CAPTION_CREDIT`."""

_CREDIT_LABELS = "|".join(label for label, _ in CAPTION_CREDIT_WORDS.values())
_CREDIT_BRACKETS = "|".join(word for _, word in CAPTION_CREDIT_WORDS.values())

# A caption ends with its credit: "... the depot.Credit: City Archive", "... (Photo: AP)".
# Such a line is a caption however long the description before it is.
CAPTION_CREDIT = re.compile(
    rf"({_CREDIT_LABELS})\s*:\s*[^.!?:]{{1,60}}\W*$"
    rf"|\(({_CREDIT_BRACKETS}|getty|ap|afp|reuters|epa|dpa)\b[^()]{{0,60}}\)\W*$"
    r"|/\s*(getty( images)?|ap|afp|reuters|epa|shutterstock)\W*$",
    re.IGNORECASE,
)
_CREDIT_TAIL = 120
"""A credit ends the line within this many characters (a label, 60 characters of names)."""

# Credits that need no word of any language: a copyright sign or the word "copyright" with
# a few names after it ("... vorbei. © Axel Heimken/dpa"), or, after the caption's last
# sentence, an agency and a photographer joined by a slash ("... hour. AP Photo/Jane Doe",
# "... helfen.Unsplash/Kelly Sikkema"; capitalised names without dots, so no
# "pic.twitter.com/..." link). Article prose does not end that way.
NEUTRAL_CREDIT = re.compile(
    r"(©|\b[Cc]opyright\b)[^.!?©]{0,60}$"
    r"|\w\w[.!?»\"”]\s*(?P<agency>[^\W\d_][^\s/.]*)(\s[^\s/.]+){0,3}\s?/\s?[^\W\d_]"
    r"[^/.!?:;,()]{1,40}(/[^/.!?:;,()]{1,30}){0,2}$"
)


def neutral_credit(line: str) -> bool:
    """The line ends with a credit `NEUTRAL_CREDIT` finds (its tail only, and only when the
    tail has a slash, a "©" or "opyright")."""
    tail = line[-_CREDIT_TAIL:]
    if "/" not in tail and "©" not in tail and "opyright" not in tail:
        return False
    m = NEUTRAL_CREDIT.search(tail)
    # The agency is a name: "…campaign.https://t.co/x pic.twitter.com/Ab" is a link.
    return bool(m) and (m.group("agency") is None or m.group("agency")[0].isupper())


_LOWER_CREDIT = re.compile(CAPTION_CREDIT.pattern)


def caption_credit(line: str) -> bool:
    """The line ends with a photo credit. Only its lower-cased tail is searched, and only
    when it has a colon, a bracket or a slash: every pattern is anchored at the end, and
    searching whole paragraphs for many labels is slow."""
    tail = line[-_CREDIT_TAIL:]
    if ":" not in tail and ")" not in tail and "/" not in tail:
        return False
    return bool(_LOWER_CREDIT.search(tail.lower()))


# A heading over a comment thread ("Top Rated Comments", "Kommentare (12)"): a comment
# section when a posting stamp follows it.
COMMENTS_WORD = re.compile(
    r"\b(comments?|comentários?|comentarios?|kommentare?|commentaires?|commenti|reacties"
    r"|komentar|комментари\w*)\b|댓글|コメント|评论|評論",
    re.IGNORECASE,
)

# How comments are stamped: "2 days ago at 07:52 am", "Jo on May 2, 2019 at 4:47 pm said:".
COMMENT_STAMP = re.compile(
    r"\b(ago|said|says|wrote|replied|reply|votes?|likes?)\b\W*$|\b\d{1,2}:\d\d\s*([ap]\.?m\.?)?\W*$"
    r"|\b(hours?|days?|minutes?|weeks?|months?) ago\b",
    re.IGNORECASE,
)

# Unmistakable consent banners, chrome however long they are (the looser cookie-notice
# rule also matches recipes, so it only applies to short lines).
CONSENT_BANNER = re.compile(
    r"\b(we|this (web)?site|our (web)?site|our partners) (and our partners )?(uses?|stores?)"
    r" cookies|\bconsent to (our|the) use of cookies|\baccept (all )?cookies\b"
    r"|\bcookie (policy|settings|preferences)\b"
    r"|\bcookies?\b.*\b(website|browser|opt[- ]out|third[- ]party|consent)\b"
    r"|\b(website|browser|opt[- ]out|third[- ]party|consent)\b.*\bcookies\b",
    re.IGNORECASE,
)

_MEDIA = r"(youtube|vimeo|x|twitter|instagram|facebook|tiktok|spotify|podigee|datawrapper)"

EMBED_CONSENT_WORDS: dict[str, tuple[str, str]] = {
    # language: (what is embedded, what the reader is asked or told about it)
    "en": (
        rf"\b(embedded|external|third[- ]party) content\b|\bcontent from {_MEDIA}\b",
        r"\b(consent|agree|accept|cookies|privacy|displayed|shown|load)",
    ),
    "de": (
        rf"\b(externe[nrs]?|eingebettete[nrs]?) inhalte?\b|\binhalte? von {_MEDIA}\b",
        r"einwilligung|einverstanden|zustimm|angezeigt|anzeigen|laden|datenschutz"
        r"|privatsphäre|cookies",
    ),
    "fr": (
        r"\bcontenus? (externes?|tiers|intégrés?)\b",
        r"consentement|accept|cookies|affich",
    ),
    "es": (
        r"\bcontenidos? (externos?|de terceros|incrustados?)\b",
        r"consentimiento|acept|cookies|mostrar",
    ),
    "it": (
        r"\bcontenuti? (esterni?|di terze parti|incorporati?)\b",
        r"consenso|accett|cookie|visualizza",
    ),
    "pt": (
        r"\bconteúdos? (externos?|de terceiros|incorporados?)\b",
        r"consentimento|aceit|cookies|exibi|mostrar",
    ),
    "nl": (r"\b(externe|ingesloten) inhoud\b", r"toestemming|akkoord|cookies|tonen|weergeven"),
    "sv": (r"\b(externt|inbäddat) innehåll\b", r"samtycke|godkänn|cookies|visa"),
    "da": (r"\b(eksternt?|indlejret) indhold\b", r"samtykke|accepter|cookies|vis"),
    "no": (r"\b(eksternt?|innebygd) innhold\b", r"samtykke|godta|aksepter|cookies|vis"),
    "pl": (r"\btreśc?i? zewnętrzn\w*|\bosadzon\w* treś", r"zgod|akceptuj|cookies|wyświetl"),
}
"""Words of the notice a page shows where an embedded post, video or chart would be
("An dieser Stelle finden Sie einen externen Inhalt ... Ich bin damit einverstanden"),
per language: a line is such a notice when it names embedded content and consent in the
same language. Languages without a list rely on the structural rules."""

_EMBED_CONSENT = tuple(
    (re.compile(what), re.compile(ask)) for what, ask in EMBED_CONSENT_WORDS.values()
)
_ANY_EMBED = re.compile("|".join(what for what, _ in EMBED_CONSENT_WORDS.values()))


def embed_consent(line: str) -> bool:
    """The placeholder of an embed waiting for consent, in any listed language (one
    search for any language's embed words first: most lines have none)."""
    low = line.lower()
    if not _ANY_EMBED.search(low):
        return False
    return any(what.search(low) and ask.search(low) for what, ask in _EMBED_CONSENT)


DATE = re.compile(
    r"\b(\d{4}-\d\d-\d\d|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}[./년年]\s?\d{1,2}"
    r"|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}"
    r"|\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4})",
    re.IGNORECASE,
)

TIME = re.compile(r"\b\d{1,2}:\d\d\b")

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


_ISO_DATE = re.compile(r"\b(\d{4})-(\d\d)-(\d\d)")
_NUMERIC_DATE = re.compile(r"\b(\d{4})[./년年]\s?(\d{1,2})[./월月]\s?(\d{1,2})")
_MONTH_DAY_YEAR = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? (\d{1,2}),? (\d{4})",
    re.IGNORECASE,
)
_DAY_MONTH_YEAR = re.compile(
    r"\b(\d{1,2}) (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* (\d{4})",
    re.IGNORECASE,
)


def iso_date(text: str) -> str | None:
    """First date in the text as YYYY-MM-DD, for the common numeric and English forms."""
    m = _ISO_DATE.search(text)
    if m:
        return m.group(0)
    m = _NUMERIC_DATE.search(text)
    if m:
        return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    m = _MONTH_DAY_YEAR.search(text)
    if m:
        return f"{m.group(3)}-{_MONTHS[m.group(1).lower()]:02d}-{int(m.group(2)):02d}"
    m = _DAY_MONTH_YEAR.search(text)
    if m:
        return f"{m.group(3)}-{_MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
    return None


# Case-insensitive matching in `re` is slow on long Unicode lines: match the lower-cased
# line against flag-free copies instead (the patterns are written in lower case).
_LOWER_RULES = tuple((name, re.compile(p.pattern)) for name, p in RULES)


_LOWER_RELATED = dict(_LOWER_RULES)["related"]


def opens_related(line: str) -> bool:
    """The line starts with a related-stories opener, whichever rule `chrome_rule` names
    first ("Lire aussi : Article réservé aux abonnés ..." is also a newsletter match)."""
    return bool(_LOWER_RELATED.search(line.lower()))


def chrome_rule(line: str) -> str | None:
    """Name of the first boilerplate pattern the line matches, or None."""
    low = line.lower()
    for name, pattern in _LOWER_RULES:
        if pattern.search(low):
            return name
    return None
