"""Behaviour of the boilerplate stripper: plain text, HTML, bad input, corpus statistics."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newsdesk.boilerplate import (
    RULES_VERSION,
    Extraction,
    LineDecision,
    RepeatedLines,
    explain,
    extract_html,
    extract_text,
    strip_records,
)
from schemas import tables

FIXTURES = Path(__file__).parent / "fixtures"
BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "bench-data" / "boilerplate"

SEED_KEPT = [
    "Russia Warns U.S. Against North Korea Sanctions",
    "Punishing North Korea",
    "According to an online statement",
    "The United States and Russia agreed",
    "On Tuesday, in defiance",
    "The latest round of U.S. sanctions",
]

PARAGRAPHS = [
    "The city council voted on Tuesday to extend the tram line to the northern districts, "
    "ending a debate that had lasted for more than three years.",
    "Supporters said the extension would cut commuting times in half for about forty "
    "thousand residents, while opponents worried about the cost of the project.",
    "Construction is expected to start next spring, and the first trams could run on the "
    "new tracks before the end of the following year, the mayor said.",
]


def article_html(paragraphs: list[str], extra: str = "") -> str:
    """A small but realistic news page around the given paragraphs."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<html><head><title>Tram line extended | City News</title>
    <meta property="og:title" content="Council extends tram line">
    <meta name="author" content="Jane Roe">
    <meta property="article:published_time" content="2024-03-05T10:00:00Z"></head>
    <body><nav><a href="/">Home</a><a href="/city">City</a><a href="/sport">Sport</a></nav>
    <div class="cookie-banner">We use cookies to improve your experience. Accept</div>
    <article><h1>Council extends tram line</h1>
    <div class="byline">By Jane Roe</div>
    <figure><img src="x.jpg"><figcaption>The tram depot in the north. Photo: City Archive
    </figcaption></figure>
    {body}
    <h2>What happens next</h2>
    <p>The council will publish the timetable for the works in the coming weeks, and
    residents will be able to comment on it at three public meetings.</p>
    {extra}
    <div class="share-buttons"><a href="#">Share on Facebook</a><a href="#">Tweet</a></div>
    <div class="newsletter-signup">Sign up for our daily newsletter</div>
    </article>
    <aside class="related"><h3>Related stories</h3><ul><li><a href="/a">Bus fares rise</a>
    </li><li><a href="/b">New bridge opens</a></li></ul></aside>
    <footer>© 2024 City News. All rights reserved.</footer></body></html>"""


def inside_article(block: str) -> Extraction:
    """The extraction of an article with `block` between its second and third paragraphs."""
    return extract_html(article_html([*PARAGRAPHS[:2], block, *PARAGRAPHS[2:]]))


def kept(e: Extraction) -> list[str]:
    return [d.text for d in e.decisions if d.kept]


# --- plain text -----------------------------------------------------------------------------


def test_seed_keeps_exactly_headline_and_five_paragraphs() -> None:
    e = extract_text((FIXTURES / "seed_moscow_times.txt").read_text(encoding="utf-8"))
    lines = kept(e)
    assert len(lines) == len(SEED_KEPT)
    for line, start in zip(lines, SEED_KEPT, strict=True):
        assert line.startswith(start)
    assert e.title == SEED_KEPT[0]
    assert e.body.split("\n\n")[0] == SEED_KEPT[0]
    assert e.body.count("\n\n") == 5
    assert e.error is None


def test_seed_drop_reasons_are_named() -> None:
    e = extract_text((FIXTURES / "seed_moscow_times.txt").read_text(encoding="utf-8"))
    rules = {d.text: d.rule for d in e.decisions if not d.kept}
    assert rules["Sergei Lavrov, Rex Tillerson Wikicommons"] == "photo-credit"
    assert rules["Sign up for our free weekly newsletter"] == "newsletter"
    for chrome in ("Once", "Monthly", "Annual", "Continue", "Read more"):
        assert chrome in rules
    assert not any("Dear readers" in t for t in kept(e))


def test_every_nonblank_line_gets_a_decision_with_its_input_index() -> None:
    text = "Menu\n\nHome\n" + "\n".join(PARAGRAPHS) + "\n\nShare this\n"
    e = extract_text(text)
    lines = text.splitlines()
    assert len(e.decisions) == sum(1 for s in lines if s.strip())
    for d in e.decisions:
        assert lines[d.index].strip() == d.text
        assert d.rule


def test_menu_before_and_related_list_after_are_dropped() -> None:
    text = "\n".join(
        [
            "Home",
            "World",
            "Business",
            "Sport",
            "Tram line extended to the north",
            *PARAGRAPHS,
            "Related stories",
            "Bus fares rise",
            "New bridge opens",
            "Contact us",
        ]
    )
    e = extract_text(text)
    assert kept(e) == ["Tram line extended to the north", *PARAGRAPHS]
    assert e.title == "Tram line extended to the north"


def test_short_subheading_inside_the_article_is_kept() -> None:
    text = "\n".join([PARAGRAPHS[0], "Why it matters", PARAGRAPHS[1], PARAGRAPHS[2]])
    assert "Why it matters" in kept(extract_text(text))


def test_inline_newsletter_promo_does_not_end_the_article() -> None:
    text = "\n".join([*PARAGRAPHS[:2], "Sign up for our newsletter", PARAGRAPHS[2]])
    e = extract_text(text)
    assert kept(e) == PARAGRAPHS
    assert "newsletter" in {d.rule for d in e.decisions}


def test_bulleted_list_inside_the_article_is_kept() -> None:
    items = [
        "• 8 ripe pears, cored and peeled",
        "• 1 lemon, or about a quarter cup of juice",
        "• 6 tbsp fruit pectin powder",
        "• 1 tsp ground ginger",
        "• 1 jar of honey, or 1 1/2 cups",
        "• 2 tsp ground cinnamon",
    ]
    text = "\n".join([PARAGRAPHS[0], "Ingredients", *items, PARAGRAPHS[1], PARAGRAPHS[2]])
    assert kept(extract_text(text)) == [PARAGRAPHS[0], "Ingredients", *items, *PARAGRAPHS[1:]]


def test_list_of_names_after_the_article_is_not_bridged() -> None:
    names = ["• Ann Lee", "• Bo Chan", "• Cy Diaz", "• Di Evans", "• Ed Fox", "• Flo Gray"]
    appeal = (
        "We do this work every day at no cost to you, but it is far from free to produce, "
        "so please consider becoming a member today."
    )
    text = "\n".join([*PARAGRAPHS, "Editorial", *names, appeal])
    assert kept(extract_text(text))[: len(PARAGRAPHS)] == PARAGRAPHS
    assert not any(n in kept(extract_text(text)) for n in names)


def test_comment_thread_under_a_heading_is_dropped() -> None:
    text = "\n".join(
        [
            "Tram line extended to the north",
            *PARAGRAPHS,
            "Top Rated Comments",
            "2 days ago at 07:52 am",
            "I think the council should have done this years ago, the buses are always full.",
            "Rating: 12 Votes",
            "Anna on March 5, 2024 at 4:47 pm said:",
            "Finally some good news for the northern districts, although the cost worries me.",
        ]
    )
    assert kept(extract_text(text)) == ["Tram line extended to the north", *PARAGRAPHS]


MORE_PARAGRAPHS = [
    "Engineers will first survey the old freight tracks along the river, which may carry "
    "part of the new line if the rails can be repaired at a reasonable cost.",
    "The transport authority expects about twelve thousand passengers a day in the first "
    "year, rising to twenty thousand once the new housing estates are finished.",
    "Local shop owners welcomed the plan but asked the council to keep the roads open to "
    "delivery vans while the tracks are being laid.",
]


def test_article_resumes_after_a_box_of_other_stories() -> None:
    box = [
        "Most read in city news",
        "BUS FARES",
        "Bus fares rise again in the spring",
        "NEW BRIDGE",
        "New bridge over the river opens to cyclists",
    ]
    text = "\n".join([*PARAGRAPHS, *box, *MORE_PARAGRAPHS, "Related stories", "Bus fares rise"])
    e = extract_text(text)
    assert kept(e) == [*PARAGRAPHS, *MORE_PARAGRAPHS]
    assert {d.rule for d in e.decisions if d.text in box[1:]} == {"related-box"}


def test_teaser_cards_after_a_related_heading_do_not_resume_the_article() -> None:
    titles = ["Bus fares rise again in the spring", "New bridge opens to cyclists"]
    cards = [
        f"{titles[0]} Passengers will pay ten cents more for a single ticket from April, the "
        "transport authority said on Friday.",
        f"{titles[1]} The bridge over the river took two years to build and cost less than "
        "planned, the city said.",
        "Parking fees in the old town will double from the summer, the council decided after "
        "a long debate …",
    ]
    text = "\n".join([*PARAGRAPHS, "More from City News", *titles, *cards])
    assert kept(extract_text(text)) == PARAGRAPHS


def test_blog_comment_heading_ends_the_article_even_before_a_long_comment() -> None:
    comment = (
        "When I moved to the northern districts the tram was the first thing I missed, so I "
        "am very glad the council finally made this decision after so many years."
    )
    text = "\n".join([*PARAGRAPHS, "6 thoughts on “Council extends tram line”", comment])
    assert kept(extract_text(text)) == PARAGRAPHS


def test_lines_repeated_on_the_page_are_teasers_or_captions() -> None:
    teasers = [
        "Bus fares rise again in the spring as the transport authority faces a deficit of "
        "several million after a year of falling ticket sales.",
        "The new bridge over the river opens to cyclists next week, two months later than "
        "planned because of a shortage of steel for the railings.",
        "Parking fees in the old town will double from the summer, the council decided on "
        "Monday after a long and heated debate.",
    ]
    caption = (
        "Council members and residents gather at the northern tram depot on Tuesday evening, "
        "waiting for the result of the vote."
    )
    text = "\n".join(
        [*teasers, "Tram line extended", caption, caption, *PARAGRAPHS, "Latest", *teasers]
    )
    e = extract_text(text)
    assert kept(e) == ["Tram line extended", *PARAGRAPHS]
    # A copy inside the article whose twin is outside it (a standfirst) is kept.
    e = extract_text("\n".join([PARAGRAPHS[1], "Menu", *PARAGRAPHS]))
    assert kept(e) == PARAGRAPHS


def test_lead_paragraph_without_a_final_stop_is_kept() -> None:
    lead = (
        "The city council has this morning approved the £71.6 million budget for the tram "
        "line to the northern districts, ending a debate of more than three years"
    )
    text = "\n".join(["Tram line extended", "City News March 5, 2024", lead, *PARAGRAPHS])
    e = extract_text(text)
    assert kept(e) == ["Tram line extended", lead, *PARAGRAPHS]


def test_table_of_dates_closing_the_article_is_kept() -> None:
    rows = [
        "June 9 – West Palm Beach, FL @ Coral Sky Amphitheatre",
        "June 10 – Tampa, FL @ Credit Union Amphitheatre",
        "June 14 – Alpharetta, GA @ Bank Amphitheatre",
        "June 17 – Nashville, TN @ Bridgestone Arena",
        "July 2 – Uncasville, CT @ Mohegan Sun Arena",
    ]
    teasers = ["Bus fares rise", "New bridge opens", "Contact us"]
    text = "\n".join([*PARAGRAPHS, "Tour dates", *rows, "Newswire", *teasers])
    assert kept(extract_text(text)) == [*PARAGRAPHS, "Tour dates", *rows]
    # Two dated teasers are not a table.
    text = "\n".join([*PARAGRAPHS, *rows[:2], "Newswire", *teasers])
    assert kept(extract_text(text)) == PARAGRAPHS


def test_article_that_is_a_table_is_found() -> None:
    places = ["Riverside", "Hill Park", "Lakeside", "North Ring", "Harbour", "Old Town"]
    rows = [f"Round {n}: {2 * n + 1} June – {place}" for n, place in enumerate(places * 2, 1)]
    notice = (
        "Please note: comments that are offensive or off topic will not be approved by "
        "the moderators of this site."
    )
    text = "\n".join(["Home", "Racing", "Season calendar 2024", *rows, "Tags", "Share", notice])
    assert kept(extract_text(text)) == ["Season calendar 2024", *rows]


def test_table_inside_the_article_does_not_break_it() -> None:
    rows = [
        f"{n}\tTeam {name}\t{pts}\t{wins}"
        for n, name, pts, wins in [
            (1, "Red", 40, 9),
            (2, "Blue", 35, 7),
            (3, "Green", 30, 6),
            (4, "White", 22, 4),
            (5, "Black", 19, 3),
            (6, "Grey", 15, 2),
            (7, "Gold", 11, 1),
            (8, "Pink", 3, 0),
        ]
    ]
    text = "\n".join([PARAGRAPHS[0], *rows, PARAGRAPHS[1], "Related", "Bus fares rise"])
    assert kept(extract_text(text)) == [PARAGRAPHS[0], *rows, PARAGRAPHS[1]]


def test_numbered_list_with_links_closing_the_article_is_kept() -> None:
    gifts = ["Wooden train set (40 pieces)", "Board game – Castle Builders", "Pocket camera"]
    items = []
    for n, gift in enumerate(gifts * 2, 1):
        items += [f"{n}) {gift}", f"https://shop.example/item{n}"]
    text = "\n".join([*PARAGRAPHS, *items, "Leave a comment"])
    assert kept(extract_text(text)) == [*PARAGRAPHS, *items]
    # Items that are not numbered 1, 2, 3 in order are not vouched for.
    shuffled = [item for k, item in enumerate(items) if k % 4 < 2]
    text = "\n".join([*PARAGRAPHS, *shuffled, "Leave a comment"])
    assert kept(extract_text(text)) == PARAGRAPHS


def test_short_lines_repeated_only_inside_the_article_are_kept_in_text() -> None:
    meals = [
        "Breakfast is one banana, a cup of oats with milk and a glass of water with lemon.",
        "Lunch is a bowl of rice with grilled chicken, green beans and a spoon of olive oil.",
    ]
    days = []
    for n, meal in enumerate(meals, 1):
        days += [f"Day {'one' if n == 1 else 'two'}", "Eat every three hours", meal]
        days += ["Drink within an hour after your workout"]
    text = "\n".join(["Home", "Plans", *PARAGRAPHS[:2], *days, PARAGRAPHS[2]])
    assert kept(extract_text(text)) == [*PARAGRAPHS[:2], *days, PARAGRAPHS[2]]
    # A short line doubled back to back (a caption printed twice) stays out.
    text = "\n".join([PARAGRAPHS[0], "Tram at dawn", "Tram at dawn", *PARAGRAPHS[1:]])
    assert kept(extract_text(text)) == PARAGRAPHS


def test_picture_file_names_left_in_the_text_are_dropped() -> None:
    names = ["tram-line-north.jpg", "council_vote-2024-03", "IMG_2041.PNG"]
    text = "\n".join([names[0], PARAGRAPHS[0], names[1], PARAGRAPHS[1], names[2], PARAGRAPHS[2]])
    e = extract_text(text)
    assert kept(e) == PARAGRAPHS
    assert {d.rule for d in e.decisions if d.text in names} == {"file-name"}
    # A date or a hyphenated word in a sentence is not a file name.
    text = "\n".join([PARAGRAPHS[0], "2024-03-05", PARAGRAPHS[1]])
    assert "file-name" not in {d.rule for d in extract_text(text).decisions}


def test_consent_banner_is_dropped_however_long() -> None:
    banner = (
        "We use cookies and other tracking technologies to improve your browsing experience "
        "on our site, show personalized content and targeted ads, analyze site traffic, and "
        "understand where our audiences come from. By choosing I Accept, you consent to our "
        "use of cookies and other tracking technologies."
    )
    text = "\n".join([banner, "Tram line extended", "New, 15 comments", *PARAGRAPHS])
    e = extract_text(text)
    assert kept(e) == ["Tram line extended", *PARAGRAPHS]


def test_long_cookie_settings_text_and_tag_cloud_are_not_prose() -> None:
    settings = (
        "Necessary cookies are absolutely essential for the website to function properly. "
        "This category only includes cookies that ensure basic functionalities and security "
        "features of the website. These cookies do not store any personal information, and "
        "any cookies that may not be particularly necessary for the website to function are "
        "used to collect user personal data via analytics, ads and other embedded contents."
    )
    cloud = (
        "adote amigo agua alerta ambiente amizade atendimento biblioteca caminhada campanha "
        "cultura educacao esporte eventos feira festival governo habitacao historia "
    ) * 2
    text = "\n".join([cloud, *PARAGRAPHS, settings, "Non-necessary", settings])
    assert kept(extract_text(text)) == PARAGRAPHS


def test_chrome_patterns_ignore_case() -> None:
    from newsdesk.boilerplate.patterns import chrome_rule

    assert chrome_rule("SIGN UP FOR OUR NEWSLETTER") == "newsletter"
    assert chrome_rule("Read More") == "related"
    assert chrome_rule("ПОДПИШИТЕСЬ на рассылку") == "newsletter"
    assert chrome_rule("The council met on Tuesday.") is None


def test_caption_ending_in_a_credit_is_dropped_however_long() -> None:
    caption = (
        "Council members and residents gathered at the northern tram depot on Tuesday "
        "evening to hear the results of the long vote on the extension plansCredit: Jane Roe"
    )
    text = "\n".join([PARAGRAPHS[0], caption, PARAGRAPHS[1], "Photo: City Archive", PARAGRAPHS[2]])
    e = extract_text(text)
    assert kept(e) == PARAGRAPHS
    assert "photo-credit" in {d.rule for d in e.decisions if d.text == caption}


@pytest.mark.parametrize(
    "paragraphs",
    [
        [
            "Президент подписал закон о новых налогах, который вступит в силу в следующем "
            "году и затронет миллионы граждан.",
            "Эксперты считают, что изменения помогут бюджету, но могут замедлить рост "
            "экономики в ближайшие годы.",
        ],
        [
            "東京都は来年度から新しい交通計画を始めると発表しました。計画では路線バスの"
            "本数を増やし、高齢者の移動を支援します。",
            "都の担当者は、利用者の声を聞きながら計画を見直していくと話しています。",
        ],
        [
            "서울시는 내년부터 대중교통 요금을 인상한다고 밝혔다. 시는 재정 적자를 줄이기 "
            "위해 불가피한 결정이라고 설명했다.",
        ],
    ],
)
def test_non_english_text_is_not_empty(paragraphs: list[str]) -> None:
    e = extract_text("\n".join(["Главная", "Меню", *paragraphs, "©"]))
    assert e.error is None
    for p in paragraphs:
        assert p in e.body


def test_page_of_only_short_lines_still_returns_something() -> None:
    e = extract_text("Kyle Busch wins\n1 Busch 5040\n2 Truex 5035")
    assert e.body
    assert e.error is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("   \n\n ", "empty"), ("abc\x00def", "binary"), (b"bytes", "not text")],
)
def test_bad_text_input_gives_an_error_not_an_exception(text: str, reason: str) -> None:
    e = extract_text(text)  # type: ignore[arg-type]
    assert e.body == ""
    assert e.error is not None and reason in e.error
    assert "\n" not in e.error


def test_huge_text_is_refused() -> None:
    e = extract_text("word " * 2_100_000)
    assert e.body == "" and e.error is not None and "too long" in e.error


# --- corpus statistics ----------------------------------------------------------------------

BOILER = "This article was produced with the help of our partners at the regional news desk."


_TOPICS = ["harbour", "airport", "museum", "stadium", "library", "hospital", "school", "bridge"]


def _corpus_docs(n: int) -> list[str]:
    """Articles of one source that share only their closing template line."""
    return [
        "\n".join(
            [
                f"News about the {topic}",
                f"The {topic} will close for repairs next month, officials said on Monday, "
                f"and the {topic} staff will move to a temporary site in the meantime.",
                f"Residents who use the {topic} every week were told to expect delays.",
                BOILER,
            ]
        )
        for topic in _TOPICS[:n]
    ]


def test_repeated_prose_line_across_a_source_is_dropped() -> None:
    repeated = RepeatedLines()
    docs = _corpus_docs(6)
    for d in docs:
        repeated.add("harbour.example", d)
    unique = (
        "A unique paragraph that only this article contains, written for the test with "
        "enough words to count as prose."
    )
    e = extract_text(f"{unique}\n{BOILER}", "harbour.example", repeated)
    rules = {d.text: d.rule for d in e.decisions}
    assert rules[BOILER] == "repeated-in-source"
    assert rules[unique] == "body"
    # Another source has no such template line.
    assert BOILER in extract_text(f"{unique}\n{BOILER}", "other.example", repeated).body


def test_near_duplicate_article_is_not_emptied_by_the_corpus_rule() -> None:
    repeated = RepeatedLines()
    for _ in range(5):
        repeated.add("s", "\n".join(PARAGRAPHS))
    assert extract_text("\n".join(PARAGRAPHS), "s", repeated).body == "\n\n".join(PARAGRAPHS)


def test_repeated_lines_merge_and_roundtrip_equal_one_pass() -> None:
    docs = _corpus_docs(8)
    whole, a, b = RepeatedLines(), RepeatedLines(), RepeatedLines()
    for i, d in enumerate(docs):
        whole.add("s", d)
        (a if i % 2 else b).add("s", d)
    a.merge(b)
    restored = RepeatedLines.from_pylist(a.to_pylist())
    for line in (BOILER, PARAGRAPHS[0], "never seen"):
        assert restored.count("s", line) == whole.count("s", line)
    assert restored.documents("s") == 8
    assert restored.count("s", BOILER.upper()) == 8  # normalised
    rows = restored.to_pylist()
    assert all(set(r) == {"source", "line_hash", "documents"} for r in rows)
    assert not any(BOILER in str(r) for r in rows)  # hashes, not text


def test_repeated_lines_table_is_well_typed_when_every_source_is_none() -> None:
    import pyarrow as pa

    stats = RepeatedLines()
    for d in _corpus_docs(3):
        stats.add(None, d)
    shard = pa.Table.from_pylist(stats.to_pylist(), schema=tables.LINE_STATS)
    empty = pa.Table.from_pylist(RepeatedLines().to_pylist(), schema=tables.LINE_STATS)
    named = RepeatedLines()
    named.add("s", PARAGRAPHS[0])
    other = pa.Table.from_pylist(named.to_pylist(), schema=tables.LINE_STATS)
    assert shard.schema.field("source").type == pa.string()
    assert shard.schema.field("line_hash").type == pa.int64()
    merged = pa.concat_tables([shard, empty, other])
    restored = RepeatedLines.from_pylist(merged.to_pylist())
    assert restored.documents(None) == 3 and restored.documents("s") == 1


def test_strip_records_uses_the_whole_input_as_corpus_and_keeps_order() -> None:
    docs = _corpus_docs(6)
    records = [{"id": f"t{i}", "text": d, "source": "s"} for i, d in enumerate(docs)]
    records.insert(2, {"id": "h", "html": article_html(PARAGRAPHS)})
    out = list(strip_records(iter(records)))
    assert [r["id"] for r in out] == [r["id"] for r in records]
    assert all(set(r) == {"id", "title", "text"} for r in out)
    assert out[2]["title"] == "Council extends tram line"
    assert all(BOILER not in r["text"] for r in out)
    assert PARAGRAPHS[0] in out[2]["text"]
    texts = [r for r in out if r["id"] != "h"]
    for doc, r in zip(docs, texts, strict=True):  # each body is its own lines, less BOILER
        own = doc.split("\n")[:3]
        assert (r["title"], r["text"]) == (own[0], "\n\n".join(own))


def test_strip_records_html_records_are_not_part_of_the_text_corpus() -> None:
    """Three texts of no named source share a template line; pages in the same input do
    not count as documents of that corpus (150 of them would make the line rare)."""
    docs = _corpus_docs(3)
    records = [{"id": f"t{i}", "text": d} for i, d in enumerate(docs)]
    records += [{"id": f"h{i}", "html": ""} for i in range(150)]
    records += [{"id": "empty", "text": ""}, {"id": "none"}]
    out = list(strip_records(records))
    assert [r["text"] != "" and BOILER not in r["text"] for r in out[:3]] == [True] * 3
    assert all(r["text"] == "" for r in out[3:])  # an empty page or text gives no body


def test_strip_title_is_the_headline_kept_above_the_body() -> None:
    """The title field is the headline the text starts with, though the page's metadata
    names the story otherwise; with no headline kept it is the metadata title (None for
    plain text), never the first paragraph."""
    page = article_html(PARAGRAPHS).replace(
        'content="Council extends tram line"', 'content="Tram line to the north: the vote"'
    )
    text = "\n".join(PARAGRAPHS)
    html_out, text_out = strip_records([{"id": "h", "html": page}, {"id": "t", "text": text}])
    assert html_out["title"] == "Council extends tram line"
    assert html_out["text"].startswith("Council extends tram line\n\n" + PARAGRAPHS[0])
    assert text_out["title"] is None and text_out["text"].startswith(PARAGRAPHS[0])


def test_explain_lists_every_decision() -> None:
    e = extract_text((FIXTURES / "seed_moscow_times.txt").read_text(encoding="utf-8"))
    lines = explain(e).splitlines()
    decisions = [s for s in lines if s.startswith(("KEEP", "DROP"))]
    assert len(decisions) == len(e.decisions)
    assert any(s.startswith("DROP") and "photo-credit" in s for s in decisions)
    assert all(len(s) < 140 for s in decisions)


def test_explain_shows_errors_metadata_and_each_decision_cut_at_100_characters() -> None:
    exact, long = "x" * 100, "A long line of the page. " * 8
    e = Extraction(
        body=exact,
        title="Tram line extended",
        byline="Jane Roe",
        published_at="2024-03-05",
        decisions=[LineDecision(0, exact, True, "body"), LineDecision(12, long, False, "menu")],
        error=None,
    )
    assert explain(e).splitlines() == [
        "META  title: Tram line extended",
        "META  byline: Jane Roe",
        "META  published_at: 2024-03-05",
        f"KEEP     0  {'body':<20} {exact}",
        f"DROP    12  {'menu':<20} {long[:99]}…",
    ]
    bad = extract_text("")
    assert bad.error and explain(bad) == f"ERROR {bad.error}"


# --- HTML -----------------------------------------------------------------------------------


def test_html_article_body_without_chrome() -> None:
    e = extract_html(article_html(PARAGRAPHS))
    assert e.error is None
    paras = e.body.split("\n\n")
    assert paras[0] == "Council extends tram line"
    assert paras[1 : 1 + len(PARAGRAPHS)] == PARAGRAPHS
    assert "What happens next" in paras
    for chrome in (
        "cookies",
        "Photo: City Archive",
        "Share on",
        "newsletter",
        "Bus fares",
        "All rights",
        "Home",
        "By Jane Roe",
    ):
        assert chrome not in e.body
    assert e.title == "Council extends tram line"
    assert e.byline == "Jane Roe"
    assert e.published_at == "2024-03-05"


def test_html_list_closing_the_article_is_kept() -> None:
    dates = [f"June {d} – Stadium {d}, City {d}" for d in range(1, 9)]
    extra = "<h3>Tour dates</h3><ul>" + "".join(f"<li>{d}</li>" for d in dates) + "</ul>"
    page = article_html(PARAGRAPHS, extra=extra)
    e = extract_html(page)
    for line in ["Tour dates", *dates]:
        assert line in kept(e)
    assert "Share on" not in e.body and "Bus fares" not in e.body


def test_html_one_teaser_after_the_article_is_not_pulled_in() -> None:
    extra = "<p>Mayor opens new bicycle lanes along the river</p>"
    e = extract_html(article_html(PARAGRAPHS, extra=extra))
    assert "bicycle" not in e.body


def test_html_page_that_is_only_a_list_falls_back_to_the_list() -> None:
    rounds = [
        f"Round {i}: {d} March, Circuit of {c}"
        for i, (d, c) in enumerate(
            [
                (10, "Interlagos"),
                (24, "Curitiba"),
                (7, "Velopark"),
                (21, "Londrina"),
                (5, "Santa Cruz"),
                (19, "Goiania"),
                (2, "Cascavel"),
            ],
            1,
        )
    ]
    items = "".join(f"<li>{r}</li>" for r in rounds)
    page = (
        "<html><head><title>Calendar 2024</title></head><body><nav><a href=/>Home</a>"
        f"<a href=/b>News</a></nav><article><h1>Stock car calendar 2024</h1><ul>{items}</ul>"
        "</article><footer>Copyright 2024 Racing News</footer></body></html>"
    )
    e = extract_html(page)
    paras = e.body.split("\n\n")
    assert paras[0] == "Stock car calendar 2024"
    assert paras[1:] == rounds
    assert {d.rule for d in e.decisions if d.kept} == {"headline", "recall-fallback"}


def test_html_long_figure_caption_inside_the_article_is_dropped() -> None:
    caption = (
        "Workers lay the new tracks near the northern depot on Monday morning, where the "
        "extension will join the existing line after two years of planning and surveys"
    )
    figure = f"<figure><img src='t.jpg'><figcaption>{caption}</figcaption></figure>"
    paras = [PARAGRAPHS[0], figure, *PARAGRAPHS[1:]]
    e = extract_html(article_html(paras))
    assert caption not in e.body
    assert all(p in e.body for p in PARAGRAPHS)
    assert "caption" in {d.rule for d in e.decisions if d.text == caption}


def test_html_article_resumes_after_an_inline_newsletter_box() -> None:
    box = (
        "<div><h3>Sign up for our newsletter</h3><p>The day's top stories from the city, "
        "in your inbox every morning.</p><a href='/s'>Subscribe</a></div>"
    )
    e = extract_html(article_html([*PARAGRAPHS[:2], box, PARAGRAPHS[2]]))
    assert all(p in e.body for p in PARAGRAPHS)
    assert "Sign up" not in e.body and "inbox" not in e.body


def test_html_short_lines_repeated_only_inside_the_article_are_kept() -> None:
    days = "".join(
        f"<h3>Day {d}</h3><ul><li>Breakfast: oats with fruit</li><li>Drink water before "
        f"noon</li><li>Walk {d * 10} minutes after dinner</li></ul>"
        for d in range(1, 4)
    )
    e = extract_html(article_html(PARAGRAPHS, extra=days))
    assert kept(e).count("Breakfast: oats with fruit") == 3
    assert kept(e).count("Drink water before noon") == 3
    assert "Bus fares" not in e.body and "Home" not in kept(e)


def test_html_details_closing_the_article_after_a_photo_credit_are_kept() -> None:
    info = ["Tram depot North", "Depot Street 15, Northtown", "Open 9.30 to 19.00 daily"]
    extra = "<p>Views of the depot, photos © City Archive</p>" + "".join(
        f"<p>{line}</p>" for line in info
    )
    e = extract_html(article_html(PARAGRAPHS, extra=extra))
    assert all(line in kept(e) for line in info)
    assert "City Archive" not in e.body and "Share on" not in e.body


def test_html_decisions_name_the_removed_chrome() -> None:
    rules = {d.rule for d in extract_html(article_html(PARAGRAPHS)).decisions if not d.kept}
    assert {"cookie-notice", "share-prompt", "newsletter"} <= rules


def test_html_bytes_with_declared_charset() -> None:
    page = article_html(
        [
            "Le conseil municipal a voté mardi la prolongation du tramway vers "
            "les quartiers nord, après trois années de débat."
        ]
        * 2
    )
    page = page.replace("<head>", '<head><meta charset="iso-8859-1">')
    e = extract_html(page.encode("iso-8859-1", errors="replace"))
    assert "prolongation du tramway" in e.body
    assert "voté" in e.body


def test_html_bytes_a_bom_or_an_unknown_charset_overrules_the_declaration() -> None:
    page = article_html(
        ["Die Stadt baut die Brücke über die Förde neu, sagte der Bürgermeister."] * 2
    )
    declared_wrongly = page.replace("<head>", '<head><meta charset="iso-8859-1">')
    with_bom = "\ufeff".encode() + declared_wrongly.encode("utf-8")
    assert "Brücke über die Förde" in extract_html(with_bom).body
    unknown = page.replace("<head>", '<head><meta charset="no-such-charset">').encode("utf-8")
    assert "Brücke über die Förde" in extract_html(unknown).body


def test_html_non_english_page_is_not_empty() -> None:
    paras = [
        "東京都は来年度から新しい交通計画を始めると発表しました。計画では路線バスの本数を"
        "増やし、高齢者の移動を支援します。"
    ]
    assert paras[0] in extract_html(article_html(paras)).body


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ("", "empty"),
        (b"", "empty"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000, "binary"),
        ("<html><body><div></div></body></html>", "no visible text"),
        ("x" * 10_000_001, "too long"),
    ],
)
def test_bad_html_gives_an_error_not_an_exception(page: str | bytes, reason: str) -> None:
    e = extract_html(page)
    assert e.body == ""
    assert e.error is not None and reason in e.error
    assert "\n" not in e.error


def test_deeply_nested_and_broken_html_never_crash() -> None:
    deep = "<html><body>" + "<div>" * 100_000 + "deep text" + "</div>" * 100_000
    broken = "<html><body><p>Unclosed <b>tags <div><p>" + PARAGRAPHS[0] + "<td></tr></table>"
    for page in (deep, broken, "<" * 50_000, "</p>" * 50_000):
        e = extract_html(page)
        assert isinstance(e, Extraction)
        assert e.body or (e.error and "\n" not in e.error)
    assert PARAGRAPHS[0] in extract_html(broken).body


def test_rules_version_is_a_non_empty_string() -> None:
    assert isinstance(RULES_VERSION, str) and RULES_VERSION.strip()


def test_hidden_sign_in_box_inside_the_article_is_dropped() -> None:
    box = (
        '<div class="sign-in-group hidden"><p>Create an account or sign in to continue with '
        "your reading experience, and get email updates from your favourite authors.</p>"
        "<p>Access articles from across the country with one account, and enjoy additional "
        "articles per month without paying anything for them.</p></div>"
        '<p style="display: none">This paragraph is never shown to a reader of the page, '
        "whatever it says about the tram line or the council.</p>"
    )
    e = extract_html(article_html(PARAGRAPHS, extra=box))
    assert PARAGRAPHS[2] in e.body
    assert "sign in" not in e.body and "never shown" not in e.body


def test_hidden_wrapper_holding_the_whole_article_is_still_the_article() -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = f"<html><body><h1>Tram line</h1><div class='paywall' hidden>{body}</div></body></html>"
    e = extract_html(page)
    assert all(p in e.body for p in PARAGRAPHS)


def test_paragraphs_each_in_their_own_wrapper_beat_a_promo_list() -> None:
    wrapped = "".join(
        f"<div class='ad-slot'><div>Advertisement</div></div><div><div><p>{p}</p></div></div>"
        for p in PARAGRAPHS + [f"Part {n}: {p}" for n, p in enumerate(PARAGRAPHS)]
    )
    promo = (
        "<ul>"
        + "".join(
            f"<li>Unlimited online access to City News and {n} news sites with one account.</li>"
            for n in range(4)
        )
        + "</ul>"
    )
    menu = "".join(f"<div><a href='/{n}'>Section number {n}</a></div>" for n in range(30))
    page = (
        f"<html><body><div><div>{promo}</div></div><div>{menu}</div>"
        f"<h1>Tram line</h1><section>{wrapped}</section></body></html>"
    )
    e = extract_html(page)
    assert all(p in e.body for p in PARAGRAPHS)


@pytest.mark.parametrize(
    "notice",
    [
        "An dieser Stelle finden Sie einen externen Inhalt, der den Artikel ergänzt. Ich bin "
        "damit einverstanden, dass mir der externe Inhalt angezeigt wird.",
        "This article includes embedded content from YouTube. Accept cookies to see it here.",
        "Ce contenu externe est bloqué : donnez votre consentement pour l'afficher ici.",
    ],
)
def test_embed_consent_placeholder_is_chrome_in_several_languages(notice: str) -> None:
    e = inside_article(notice)
    assert PARAGRAPHS[2] in e.body and notice not in e.body


def test_prose_mentioning_consent_is_kept() -> None:
    prose = (
        "Neben ihm sitzt ein junges Ehepaar, fast einverstanden ohne viele Worte, und sie "
        "schauen gemeinsam auf die Strecke der neuen Straßenbahn."
    )
    e = inside_article(prose)
    assert prose in e.body


# --- development data (skipped when ../shared is absent) ------------------------------------


@pytest.mark.skipif(not BENCH.exists(), reason="benchmark data (../shared) not available")
def test_dev_pages_never_empty_and_never_error() -> None:
    truth = json.loads((BENCH / "scrapinghub" / "ground-truth.json").read_text())
    for page_id in sorted(truth)[:40]:
        raw = gzip.decompress((BENCH / "scrapinghub" / "html" / f"{page_id}.html.gz").read_bytes())
        e = extract_html(raw)
        assert e.error is None and e.body, page_id


def test_fallback_does_not_bring_back_a_menu_on_a_page_without_article() -> None:
    page = "<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav></body></html>"
    e = extract_html(page)
    assert e.body == ""
    assert "recall-fallback" not in {d.rule for d in e.decisions}


def _dev_f1(name: str) -> float:
    """Word 4-gram F1 of the HTML path (headline left out) on one development set."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "bench_boilerplate", Path(__file__).resolve().parents[1] / "bench" / "bench_boilerplate.py"
    )
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up there
    spec.loader.exec_module(bench)
    pages = bench.load_html_set(name)
    preds = [bench.without_headline(extract_html(p.html)) for p in pages]
    return bench.score([p.gold for p in pages], preds)[2]


@pytest.mark.skipif(not BENCH.exists(), reason="benchmark data (../shared) not available")
def test_dev_sets_do_not_fall_back() -> None:
    """Guards against regressions of this round; the goals are checked by the benchmark."""
    assert _dev_f1("scrapinghub") >= 0.970
    assert _dev_f1("fundus") >= 0.962


QA = [
    (
        "Who owns the tram depot?",
        "The depot belongs to the city transport company, which bought the land from the "
        "railway in the nineties and has rented part of it to a bus operator since then.",
    ),
    (
        "When will the works start?",
        "The first works on the northern tracks are planned for the spring, once the "
        "council has approved the timetable and the contracts with the builders are signed.",
    ),
    (
        "What will it cost?",
        "The city expects the extension to cost about two hundred million euros, of which "
        "the federal government will pay more than half under its public transport scheme.",
    ),
]


def test_question_and_answer_section_after_a_box_is_still_the_article() -> None:
    """The article goes on in a sibling section after a "most read" box, as sub-headings
    each followed by one paragraph: those paragraphs are not lone teaser summaries."""
    first = "".join(f"<p>{p}</p><p>As before, {p}</p>" for p in PARAGRAPHS)
    box = "".join(f"<article><a href='/s{n}'>Another story {n}</a></article>" for n in range(6))
    second = "".join(f"<h3>{q}</h3><p>{a}</p>" for q, a in QA)
    page = (
        "<html><body><h1>Tram line</h1><div><div><section>"
        f"{first}</section><div class='sidebar'><div>Most read</div>{box}</div></div>"
        f"<section>{second}</section></div></body></html>"
    )
    e = extract_html(page)
    assert all(a in e.body for _, a in QA)


def test_teaser_cards_inside_the_article_element_are_dropped() -> None:
    """Cards of a linked title and a one-sentence summary, inside the article's element,
    are other stories even though each summary reads like a short paragraph."""
    summaries = [
        f"The regional bus network will get {n} new lines next year, the operator said."
        for n in ("two", "three", "four")
    ]
    cards = "".join(
        f"<div><h2><a href='/t{n}'>Other story {n}</a></h2><p>{s}</p></div>"
        for n, s in enumerate(summaries)
    )
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = f"<html><body><article><h1>Tram line</h1>{body}{cards}</article></body></html>"
    e = extract_html(page)
    assert all(p in e.body for p in PARAGRAPHS)
    assert not any(s in e.body for s in summaries)


def test_lead_between_headline_and_article_element_is_kept() -> None:
    """The standfirst sits in its own element between the headline and the container."""
    lead = (
        "After three years of debate the council has decided: the tram goes north, and "
        "the first trams should run before the end of next year."
    )
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = (
        "<html><body><header><h1>Tram line extended</h1>"
        f"<div class='intro'><p>{lead}</p></div><div>Jane Roe</div><div>5 March 2024</div>"
        f"</header><div class='text'>{body}</div></body></html>"
    )
    e = extract_html(page)
    assert lead in e.body and all(p in e.body for p in PARAGRAPHS)


def test_summaries_between_links_after_a_related_opener_do_not_resume_the_article() -> None:
    """Behind a "Read more" opener, a link, a summary, a link, a summary ... is a box of
    other stories: the links keep the box open, so the summaries are not three prose
    lines in a row that would resume the article."""
    summaries = [
        f"The regional bus network will get {n} new lines next year, the operator said."
        for n in ("two", "three", "four")
    ]
    box = "".join(
        f"<ul><li><a href='/t{n}'>Other story number {n}</a></li></ul><p>{s}</p>"
        for n, s in enumerate(summaries)
    )
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = (
        f"<html><body><article><h1>Tram line</h1>{body}<p>Read more</p><div>{box}</div>"
        "</article></body></html>"
    )
    e = extract_html(page)
    assert all(p in e.body for p in PARAGRAPHS)
    assert not any(s in e.body for s in summaries)


def test_related_box_early_in_the_article_is_dropped_and_the_article_goes_on() -> None:
    """An inline "More from ..." box in the first third of the article, with one line
    introducing its links, is left out; the paragraphs after it are still the article."""
    intro = "Here are more perspectives from our panel on how to get around the city."
    links = "".join(f"<li><a href='/p{n}'>Panel story number {n} here</a></li>" for n in range(3))
    later = [f"{p} That was the view at the meeting." for p in PARAGRAPHS] + PARAGRAPHS[1:]
    page = (
        f"<html><body><article><h1>Tram line</h1><p>{PARAGRAPHS[0]}</p>"
        f"<div><h2>More from the city panel</h2><p>{intro}</p><ul>{links}</ul></div>"
        + "".join(f"<p>{p}</p>" for p in later)
        + "</article></body></html>"
    )
    e = extract_html(page)
    assert all(p in e.body for p in later) and PARAGRAPHS[0] in e.body
    assert intro not in e.body


@pytest.mark.parametrize(
    "caption",
    [
        "Pro Stunde werden in der Halle etwa 45 Schweine geschlachtet. Bildrechte: MDR/Straub",
        "Der Sprecher erklärt, welche Folgen die Hitze für die Gleise hat. (Archivbild)",
        "Le maire devant le dépôt des tramways, mardi matin. (Photo: archives)",
    ],
)
def test_caption_credit_words_per_language(caption: str) -> None:
    e = inside_article(caption)
    assert PARAGRAPHS[2] in e.body and caption not in e.body


def test_lead_naming_a_donation_word_is_still_the_lead() -> None:
    """A long lead sentence that happens to match a short-line chrome pattern ("support
    the ...") is prose, as it would be inside the article."""
    lead = (
        "Thousands took to the streets of the capital on Monday to support the government "
        "and its plan to extend the tram line to the northern districts."
    )
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = (
        "<html><body><header><h1>Tram line extended</h1>"
        f"<div class='intro'><p>{lead}</p></div><div>Jane Roe</div><div>5 March 2024</div>"
        f"</header><div class='text'>{body}</div></body></html>"
    )
    assert lead in extract_html(page).body


def test_article_paragraphs_right_after_a_related_box_are_kept() -> None:
    """The article resumes right after the box's links: two paragraphs, a sub-heading,
    three more. The box ends at the first paragraph, not at the first three in a row."""
    resumed = [f"Later, {p}" for p in PARAGRAPHS[:2]]
    after = [f"Finally, {p}" for p in PARAGRAPHS]
    links = "".join(f"<li><a href='/r{n}'>Related story number {n}</a></li>" for n in range(2))
    page = (
        "<html><body><article><h1>Tram line</h1>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + f"<p>Read more</p><ul>{links}</ul>"
        + "".join(f"<p>{p}</p>" for p in resumed)
        + "<h3>What comes next</h3>"
        + "".join(f"<p>{p}</p>" for p in after)
        + "</article></body></html>"
    )
    e = extract_html(page)
    assert all(p in e.body for p in [*PARAGRAPHS, *resumed, *after])


@pytest.mark.parametrize(
    "opener",
    [
        "Mehr Nachrichten aus der Region",
        "Weitere Nachrichten",
        "Flere nyheter",
        "Ähnliche Artikel:",
        "Aus dem Ressort",
        "More TechCrunch",
    ],
)
def test_more_news_openers_per_language_end_the_article(opener: str) -> None:
    teasers = [
        "Brand auf Pferdehof in Melle - fünf Verletzte",
        "Strohballen in der Scheune hatten Feuer gefangen. Pferde in einem angrenzenden "
        "Stall wurden rechtzeitig in Sicherheit gebracht.",
        "Bombe in Osnabrück ist entschärft",
        "Am Dienstagnachmittag war eine große Weltkriegsbombe entdeckt worden. Etwa "
        "elftausend Menschen mussten spontan ihre Wohnungen verlassen.",
    ]
    more = [f"Again, {p}" for p in PARAGRAPHS]
    text = "\n".join(["Tram line extended", *PARAGRAPHS, *more, opener, *teasers])
    e = extract_text(text)
    assert PARAGRAPHS[2] in e.body and teasers[1] not in e.body


def test_related_opener_over_a_short_teaser_title_that_reads_like_a_sentence() -> None:
    """A teaser title under the opener can read like a sentence ("Tram? Why the city
    said yes"): it is still short, so the opener ends the article."""
    teasers = [
        "Harmony first? How the city council deals with dissent",
        "12.04.2024, 10:21",
        "For years the council avoided open votes on transport. A study published in "
        "January shows that this has changed since the last election.",
    ]
    more = [f"Again, {p}" for p in PARAGRAPHS]
    text = "\n".join(["Tram line extended", *PARAGRAPHS, *more, "Related", *teasers])
    e = extract_text(text)
    assert more[2] in e.body and teasers[2] not in e.body


def test_numbered_points_between_photo_credits_stay_in_the_article() -> None:
    """Plain text: each point of a list sits under its picture's credit; the credits are
    dropped but do not cut the points off the article."""
    points = [
        f"{n}. The new line will have {w} stops between the centre and the north."
        for n, w in enumerate(("twelve", "eight", "five", "three"), 1)
    ]
    more = [f"Again, {p}" for p in PARAGRAPHS]
    body = [line for point in points for line in ("Photo: Getty Images", point)]
    text = "\n".join(["Tram line extended", *PARAGRAPHS, *more, *body, "Home", "Contact"])
    e = extract_text(text)
    assert all(p in e.body for p in points) and "Getty" not in e.body


@pytest.mark.parametrize(
    "caption",
    [
        "Die Läuferinnen und Läufer des Marathons kamen auf ihrem langen Weg durch die Stadt "
        "auch an den Landungsbrücken vorbei. © Axel Heimken/dpa",
        "The mayor opened the new tram depot in the north of the city. Copyright City Archive",
        "El alcalde inaugura el nuevo depósito de tranvías en el norte. EFE/Juan García",
        "Borgarstjórinn opnaði nýju sporvagnastöðina í norðurhluta borgarinnar.Ljósmynd/Aðsend",
    ],
)
def test_caption_with_a_credit_in_no_language_is_dropped(caption: str) -> None:
    """A copyright sign, or an agency and a photographer joined by a slash after the last
    sentence, end a caption in any language: it is dropped, the article around it kept."""
    text = "\n".join(["Tram depot opened", PARAGRAPHS[0], PARAGRAPHS[1], caption, PARAGRAPHS[2]])
    e = extract_text(text)
    assert all(p in e.body for p in PARAGRAPHS) and caption not in e.body


def test_line_repeating_its_neighbours_words_is_a_caption() -> None:
    """A picture's alt text over its caption (the caption says the same words and a few
    more) is not article prose, in any language: both lines are dropped."""
    alt = "Neue Straßenbahnen stehen im Depot im Norden der Stadt"
    caption = f"{alt}, kurz vor ihrer ersten Fahrt am Montag."
    text = "\n".join(
        ["Tram depot opened", PARAGRAPHS[0], PARAGRAPHS[1], alt, caption, PARAGRAPHS[2]]
    )
    e = extract_text(text)
    assert all(p in e.body for p in PARAGRAPHS)
    assert alt not in e.body


def test_neighbours_opening_with_the_same_words_are_a_caption() -> None:
    """An alt text and a caption that differ only towards the end (a date written two
    ways) are both dropped."""
    alt = "Der Botschafter der Vereinigten Staaten spricht vor dem Sicherheitsrat, den 5. Januar"
    caption = (
        "Der Botschafter der Vereinigten Staaten spricht vor dem Sicherheitsrat, 5. Januar 2026"
    )
    text = "\n".join(
        ["Tram depot opened", PARAGRAPHS[0], PARAGRAPHS[1], alt, caption, PARAGRAPHS[2]]
    )
    e = extract_text(text)
    assert all(p in e.body for p in PARAGRAPHS)
    assert alt not in e.body and caption not in e.body


def test_line_saying_its_words_twice_is_dropped() -> None:
    """A teaser whose link text is doubled ("Title Title", the title attribute after the
    text) is not article prose."""
    doubled = "Wir erwarten neue Klapphandys und Uhren. Wir erwarten neue Klapphandys und Uhren."
    text = "\n".join(["Tram depot opened", PARAGRAPHS[0], doubled, PARAGRAPHS[1], PARAGRAPHS[2]])
    e = extract_text(text)
    assert all(p in e.body for p in PARAGRAPHS) and doubled not in e.body


@pytest.mark.parametrize(
    "notice",
    [
        "Il vous reste 57.09% de cet article à lire. La suite est réservée aux abonnés.",
        "Tu suscripción se está usando en otro dispositivo",
    ],
)
def test_paywall_notice_ends_the_article(notice: str) -> None:
    """Where a paywall notice stands, the article text has ended: the account and
    subscription prose after it is not kept, however long it is."""
    after = (
        "Si quieres compartir tu cuenta, cambia tu suscripción a la modalidad Premium, así "
        "podrás añadir otro usuario que accederá con su propia cuenta desde otro lugar."
    )
    more = (
        "En el caso de no saber quién está usando tu cuenta, te recomendamos cambiar tu "
        "contraseña aquí, y si decides continuar, este mensaje se mostrará en los dos."
    )
    text = "\n".join(["Tram depot opened", *PARAGRAPHS, notice, after, more])
    e = extract_text(text)
    assert all(p in e.body for p in PARAGRAPHS) and after not in e.body


def test_opener_over_teaser_cards_ends_the_article() -> None:
    """An opener whose first line is a story's summary still opens a list of other
    stories when summaries and titles alternate after it."""
    cards = [
        "The harbour authority approved a new ferry terminal on the east bank on Monday, "
        "after two years of planning and a public hearing.",
        "Harbour authority approves the east bank ferry terminal",
        "Cyclists will get a separate lane on the old bridge from next month, the "
        "transport department said in a statement on Friday.",
        "Old bridge gets a separate lane for cyclists",
    ]
    text = "\n".join(["Tram line extended", *PARAGRAPHS, "More from the city", *cards])
    e = extract_text(text)
    assert all(p in e.body for p in PARAGRAPHS)
    assert not any(card in e.body for card in cards)


def test_read_also_line_with_its_title_opens_no_box() -> None:
    """A "Read also: <title>" line is one link: it is dropped alone and the article under
    it is kept, though no three paragraphs follow in a row."""
    later = [f"{p} That was the view at the second meeting." for p in PARAGRAPHS]
    link = "Lesen Sie auch: Neue Fähre für den Hafen im Osten der Stadt"
    lines = ["Tram line extended", *PARAGRAPHS, link, "What happens next", *later[:2]]
    text = "\n".join([*lines, "The timetable", later[2]])
    e = extract_text(text)
    assert all(p in e.body for p in PARAGRAPHS + later) and link not in e.body


def test_sentence_ending_in_a_link_is_not_a_credit() -> None:
    """An embedded post's link ("… campaign. pic.twitter.com/Ab12") is not an agency."""
    from newsdesk.boilerplate.patterns import neutral_credit

    assert not neutral_credit("We should not forget that campaign. pic.twitter.com/KQLpngeTbO")
    assert not neutral_credit("Path A: Iceland, Bulgaria/Israel/Hungary/Romania")
    assert neutral_credit("They said so on Monday. AP Photo/Jane Doe")


def test_caption_credit_is_found_at_the_end_of_a_long_caption_only() -> None:
    from newsdesk.boilerplate.patterns import caption_credit

    long = " ".join(["The tram depot in the north of the city, seen from the bridge."] * 8)
    assert caption_credit(f"{long} Photo: City Archive")
    assert not caption_credit(f"Photo: City Archive. {long}")


@pytest.mark.parametrize(
    "link",
    [
        "READ MORE: First look at the city's terrifying new tram that is the tallest and "
        "fastest in the whole country",
        "Lire aussi : Article réservé à nos abonnés La maire, élue à la tête du conseil, "
        "s'engage à poursuivre le travail avec les syndicats",
    ],
)
def test_read_more_link_line_is_dropped_whatever_its_length(link: str) -> None:
    more = [f"Again, {p}" for p in PARAGRAPHS]
    text = "\n".join(["Tram line extended", *PARAGRAPHS, link, *more])
    e = extract_text(text)
    assert link not in e.body and all(p in e.body for p in more)


def test_newsletter_promo_closing_the_body_is_dropped_whatever_its_length() -> None:
    promo = (
        "Subscribe to the City Briefing, an unmissable free weekly round-up of the news "
        "from the council, the districts and the transport company."
    )
    text = "\n".join(["Tram line extended", *PARAGRAPHS, promo, "Home", "Contact"])
    e = extract_text(text)
    assert promo not in e.body and all(p in e.body for p in PARAGRAPHS)
    assert extract_html(article_html(PARAGRAPHS, f"<p>{promo}</p>")).body.count("Briefing") == 0


def test_teaser_pairs_closing_the_body_are_dropped() -> None:
    """Plain text: titles without a final stop, each with a one-sentence summary, after
    the article's last paragraph (no opener above them) are teasers."""
    teasers = [
        "Cocaine found in a car on the motorway",
        "The police estimate the value of the drugs at almost ninety thousand euros.",
        "Fire on a horse farm near the river",
        "Straw bales in the barn had caught fire, and the horses were brought to safety.",
    ]
    more = [f"Again, {p}" for p in PARAGRAPHS]
    text = "\n".join(["Tram line extended", *PARAGRAPHS, *more, *teasers, "Home"])
    e = extract_text(text)
    assert more[2] in e.body and not any(t in e.body for t in teasers)


def test_sub_headings_over_long_paragraphs_at_the_end_are_kept() -> None:
    closing = [
        "What happens next",
        " ".join([PARAGRAPHS[0], PARAGRAPHS[1]]),
        "Who pays for it",
        " ".join([PARAGRAPHS[1], PARAGRAPHS[2]]),
    ]
    text = "\n".join(["Tram line extended", *PARAGRAPHS, *closing, "Home"])
    e = extract_text(text)
    assert all(line in e.body for line in closing[1::2])


_INTRO = (
    "Here are some more of the stories that our reporters in the city have been following "
    "for you this week:"
)  # 20 words
_SUMMARIES = [
    "The harbour authority approved a new ferry terminal on the east bank on Monday, after "
    "two years of planning and a public hearing on the plans.",
    "Cyclists will get a separate lane on the old bridge from next month, the transport "
    "department said in a statement on Friday afternoon.",
]


def test_one_sentence_introducing_a_box_under_an_opener_is_dropped() -> None:
    """Under "More from the city", a sentence of under 30 words followed by the box's
    chrome introduces the box; the article resuming after the box is kept."""
    more = [f"Again, {p}" for p in PARAGRAPHS]
    after = [*_SUMMARIES, MORE_PARAGRAPHS[0]]
    lines = ["Tram line extended", *PARAGRAPHS, *more, "More from the city", _INTRO]
    e = extract_text("\n".join([*lines, "Share on Facebook", *after]))
    assert all(p in e.body for p in PARAGRAPHS + more + after)
    assert _INTRO not in e.body


@pytest.mark.parametrize(
    "line, follows",
    [
        # 30 words: a paragraph, not an intro
        (_INTRO.replace("city", "city and in the districts around it").replace(
            "for you", "for you over the whole of"), "Share on Facebook"),
        (_INTRO, PARAGRAPHS[0] + " Later."),  # no chrome after it: the article goes on
    ],
)  # fmt: skip
def test_a_line_under_an_opener_that_introduces_no_box_is_kept(line: str, follows: str) -> None:
    more = [f"Again, {p}" for p in PARAGRAPHS]
    lines = ["Tram line extended", *PARAGRAPHS, *more, "More from the city", line, follows]
    text = "\n".join([*lines, "Share on Facebook", "Bus fares rise again in the spring"])
    assert line in extract_text(text).body


def test_html_teaser_summaries_beside_the_article_are_not_pulled_in() -> None:
    """Beside the article's element, cards of a link and a one-paragraph summary: each
    summary stands alone between links, so it adds nothing to the container, and the
    summaries stay out of the body."""
    summaries = [
        "The harbour authority approved a new ferry terminal on the east bank on Monday, "
        "after two years of planning.",
        "Cyclists will get a separate lane on the old bridge from next month, the transport "
        "department said on Friday.",
        "Parking fees in the old town will double from the summer, the council decided "
        "after a long debate on Thursday.",
    ]
    cards = "".join(
        f'<div class="card"><a href="/s{i}">Story {i} of the week in the city</a></div>'
        f'<div class="summary">{s}</div>'
        for i, s in enumerate(summaries)
    )
    story = "".join(f"<p>{p}</p>" for p in PARAGRAPHS + MORE_PARAGRAPHS)
    page = f"<html><body><div><section>{story}</section><div>{cards}</div></div></body></html>"
    body = extract_html(page).body
    assert all(p in body for p in PARAGRAPHS + MORE_PARAGRAPHS)
    assert not any(s in body for s in summaries)
