"""The HTML extractor on pages made here: the article and nothing but the article, its metadata, its
structure, and what a republished copy says about its original publisher. No site is named in the code;
these pages are invented, each with the chrome real news sites carry."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from selectolax.lexbor import LexborHTMLParser

from tidings.extract import SiteTemplate, extract_html, read_html
from tidings.extract.dates import find_written_date
from tidings.extract.dom import score, select, split_articles, walk
from tidings.extract.html import _publication_time
from tidings.models import Copy
from tidings.text import normalise

FETCHED = datetime(2025, 7, 2, 12, tzinfo=UTC)
PARAGRAPHS = [
    "The city council voted on Tuesday to extend the tram line to the eastern suburbs, ending a decade "
    "of debate over how to link the new districts with the centre.",
    "Construction is due to start next spring and the first trams should run within three years, the "
    "transport department said in a statement after the vote.",
    "Opponents argued that buses would serve the area at a fraction of the cost, but the motion passed "
    "by twenty-seven votes to twelve after a debate that lasted most of the afternoon.",
    "Residents of the eastern districts, who have campaigned for the line since 2015, gathered outside "
    "the town hall to hear the result and cheered when it was announced.",
]
CHROME = [
    "Home",
    "Share on Facebook",
    "Tweet this",
    "Sign up for our newsletter",
    "We use cookies to improve your experience",
    "Related: Bus fares to rise in August",
    "Most read",
    "Leave a comment",
    "Great news, finally! Posted by a reader",
    "All rights reserved",
]


def news_page(body: str = "", head: str = "", title: str = "Council approves the eastern tram line") -> str:
    body = body or "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>{title} | The Example Herald</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="The Example Herald">
<meta property="og:image" content="/images/tram.jpg">
<meta name="description" content="The vote ends a decade of debate over the eastern districts.">
<link rel="canonical" href="https://herald.example/news/tram-line">
{head}
</head><body>
<div class="cookie-banner"><p>We use cookies to improve your experience.
<a href="/privacy">Privacy</a></p></div>
<header class="site-header"><a href="/" class="logo">The Example Herald</a>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
</header>
<main><article>
<div class="breadcrumb"><a href="/">Home</a> › <a href="/news">News</a></div>
<h1>{title}</h1>
<div class="byline">By <span class="author">Anna Keller</span> ·
<time datetime="2025-07-01T09:30:00+02:00">1 July 2025</time></div>
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Tweet this</a></div>
<div class="article-body">{body}</div>
<aside class="newsletter"><h3>Sign up for our newsletter</h3><p>Get the day's news every morning.</p></aside>
<section class="related-articles"><h2>Related</h2><ul>
<li><a href="/a">Related: Bus fares to rise in August</a></li>
<li><a href="/b">Ring road closed for repairs this weekend</a></li>
</ul></section>
<section id="comments" class="comments-area"><h2>Leave a comment</h2>
<div class="comment"><p>Great news, finally! Posted by a reader who has waited for this tram for many
years now.</p></div>
</section>
</article></main>
<aside class="sidebar"><h2>Most read</h2>
<ol><li><a href="/c">Storm warning for the coast tonight</a></li></ol></aside>
<footer><p>© 2025 The Example Herald. All rights reserved.</p></footer>
</body></html>"""


def only(page: str, **kwargs: object) -> Copy:
    copies = extract_html(page, FETCHED, **kwargs)  # type: ignore[arg-type]
    assert len(copies) == 1, [c.title for c in copies]
    return copies[0]


def test_the_article_and_nothing_but_the_article() -> None:
    copy = only(news_page())
    assert list(copy.body) == PARAGRAPHS
    shown = normalise(" ".join([copy.title or "", copy.dek or "", *copy.body]))
    for chrome in CHROME:
        assert normalise(chrome) not in shown, chrome


def test_metadata() -> None:
    copy = only(news_page(), url="https://herald.example/news/tram-line?utm_source=x")
    assert copy.title == "Council approves the eastern tram line"
    assert copy.dek == "The vote ends a decade of debate over the eastern districts."
    assert copy.author == "Anna Keller"
    assert copy.publisher == "The Example Herald"
    assert copy.published_at == datetime.fromisoformat("2025-07-01T09:30:00+02:00")
    assert copy.language == "en"
    assert copy.image == "https://herald.example/images/tram.jpg"
    assert copy.canonical_url == "https://herald.example/news/tram-line"


def test_json_ld_wins_for_authors_and_dates() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "The Example Herald"},
            {
                "@type": "NewsArticle",
                "headline": "Council approves the eastern tram line",
                "datePublished": "2025-06-30T18:00:00Z",
                "author": [
                    {"@type": "Person", "name": "Anna Keller"},
                    {"@type": "Person", "name": "Ben Ode"},
                ],
                "publisher": {"@type": "Organization", "name": "The Example Herald"},
            },
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    page = news_page(head=head).replace('<div class="byline">', '<div class="x">')
    copy = only(page)
    assert copy.author == "Anna Keller; Ben Ode"
    assert copy.published_at is not None
    assert copy.published_at.date().isoformat() == "2025-06-30"


def test_structure_is_kept() -> None:
    body = (
        f"<p>{PARAGRAPHS[0]}</p><h2>What happens next</h2><p>{PARAGRAPHS[1]}</p>"
        "<ul><li>Planning approval in the autumn</li><li>Tenders for the track in the winter</li></ul>"
        f"<blockquote><p>This is a great day for the eastern districts, said the mayor.</p></blockquote>"
        f"<p>{PARAGRAPHS[2]}</p>"
    )
    copy = only(news_page(body))
    assert list(zip(copy.kinds, copy.body, strict=True)) == [
        ("p", PARAGRAPHS[0]),
        ("h2", "What happens next"),
        ("p", PARAGRAPHS[1]),
        ("li", "Planning approval in the autumn"),
        ("li", "Tenders for the track in the winter"),
        ("quote", "This is a great day for the eastern districts, said the mayor."),
        ("p", PARAGRAPHS[2]),
    ]


def test_read_more_teasers_and_ads_inside_the_body_are_dropped() -> None:
    body = (
        f"<p>{PARAGRAPHS[0]}</p>"
        '<div class="read-more-box"><a href="/x">Read more: Bus fares to rise in August</a></div>'
        f"<p>{PARAGRAPHS[1]}</p>"
        '<div class="ad-slot ads"><p>Advertisement</p></div>'
        f"<p>{PARAGRAPHS[2]}</p>"
        '<div class="teaser"><h3><a href="/y">Ring road closed for repairs this weekend</a></h3></div>'
        f"<p>{PARAGRAPHS[3]}</p>"
    )
    assert list(only(news_page(body)).body) == PARAGRAPHS


def test_a_related_section_after_the_article_is_cut() -> None:
    teasers = "".join(
        f"<div><h3>Story number {i} about something else</h3><p>{PARAGRAPHS[0][:80]} and more.</p></div>"
        for i in range(3)
    )
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + f"<h2>More on this story</h2>{teasers}"
    assert list(only(news_page(body)).body) == PARAGRAPHS


def test_the_lead_between_headline_and_body_is_kept() -> None:
    lead = "A decade of argument ends with a clear vote, and the first trams could run within three years."
    page = news_page().replace(
        '<div class="share-bar">', f'<p class="article-intro">{lead}</p><div class="share-bar">'
    )
    assert only(page).body[0] == lead


def test_a_republished_copy_names_its_original_publisher() -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "<p>Source: The Northern Ledger</p>"
    copy = only(news_page(body))
    assert copy.publisher == "The Northern Ledger"
    assert list(copy.body) == PARAGRAPHS


def test_entities_rtl_and_cjk_text() -> None:
    arabic = "وافق مجلس المدينة يوم الثلاثاء على تمديد خط الترام إلى الضواحي الشرقية بعد نقاش طويل."
    chinese = "市议会周二投票决定将有轨电车线路延伸至东部郊区，结束了长达十年的争论。"
    body = (
        f"<p>Caf&eacute; &amp; &#8220;tram&#8221; &mdash; {PARAGRAPHS[0]}</p>"
        f"<p dir='rtl'>{arabic * 2}</p><p>{chinese * 3}</p>"
    )
    copy = only(news_page(body))
    assert copy.body[0].startswith("Café & “tram” — The city council")
    assert copy.body[1] == arabic * 2
    assert copy.body[2] == chinese * 3


def test_hidden_and_script_text_is_not_body() -> None:
    body = (
        "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + '<p style="display: none">Hidden promotional text that nobody sees on the page at all.</p>'
        + "<script>var story = 'Script text is not article text at all, whatever it says';</script>"
    )
    assert list(only(news_page(body)).body) == PARAGRAPHS


def test_a_page_of_several_articles_is_split() -> None:
    posts = "".join(
        f"<article><h2>Post number {i}: the tram line, part {i}</h2>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</article>"
        for i in (1, 2, 3)
    )
    page = f"<html><head><title>Blog</title></head><body><main>{posts}</main></body></html>"
    copies = extract_html(page, FETCHED)
    assert [c.title for c in copies] == [f"Post number {i}: the tram line, part {i}" for i in (1, 2, 3)]
    assert all(list(c.body) == PARAGRAPHS for c in copies)


def test_one_article_with_teaser_articles_is_not_split() -> None:
    teasers = "".join(f"<article><h3>Teaser {i}</h3><p>Short teaser text.</p></article>" for i in range(3))
    page = news_page().replace("</main>", f"<section>{teasers}</section></main>")
    body = LexborHTMLParser(page).body
    assert body is not None
    parsed = walk(body)
    score(parsed)
    assert len(split_articles(parsed, parsed.blocks)) == 1
    assert len(extract_html(page, FETCHED)) == 1


def test_learned_site_chrome_is_dropped() -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "<p>Herald reporters across the region</p>"
    page = news_page(body)
    assert "Herald reporters across the region" in only(page).body
    template = SiteTemplate(lines=frozenset({normalise("Herald reporters across the region")}))
    assert list(only(page, template=template).body) == PARAGRAPHS


def test_headline_without_kicker() -> None:
    page = news_page().replace(
        "<h1>Council approves the eastern tram line</h1>",
        '<h1><span class="kicker">Transport:</span> Council approves the eastern tram line</h1>',
    )
    assert only(page).title == "Council approves the eastern tram line"


def test_a_date_only_written_on_the_page() -> None:
    page = news_page().replace('<time datetime="2025-07-01T09:30:00+02:00">1 July 2025</time>', "")
    page = page.replace(
        '<div class="byline">', '<div class="byline"><span class="date">Veröffentlicht am 3. Juni 2025</span>'
    )
    copy = only(page)
    assert copy.published_at is not None
    assert copy.published_at.date().isoformat() == "2025-06-03"


def test_written_dates() -> None:
    assert str(find_written_date("12 de marzo de 2020")) == "2020-03-12"
    assert str(find_written_date("Posted on Jan 5, 2019")) == "2019-01-05"
    assert str(find_written_date("am 05.06.2019 um 10:00")) == "2019-06-05"
    assert find_written_date("version 1.2.3 of 2019") is None


def test_future_dates_are_refused() -> None:
    head = '<meta property="article:published_time" content="2031-01-01T00:00:00Z">'
    page = news_page(head=head).replace('<time datetime="2025-07-01T09:30:00+02:00">1 July 2025</time>', "")
    copy = only(page)
    assert copy.published_at is None or copy.published_at <= FETCHED


def test_no_article() -> None:
    page = "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>"
    result = read_html(page, FETCHED)
    assert result.copies == []
    assert result.reason == "no article text found"


def test_source_newlines_are_spaces_and_br_is_a_line_break() -> None:
    body = "<p>Roses are red,\n    violets are blue<br>the tram is late<br/>and so are you.</p>" + "".join(
        f"<p>{p}</p>" for p in PARAGRAPHS
    )
    copy = only(news_page(body))
    assert copy.body[0] == "Roses are red, violets are blue\nthe tram is late\nand so are you."


def test_a_wire_story_is_credited_to_the_agency() -> None:
    page = news_page().replace(
        '<span class="author">Anna Keller</span>', '<span class="author">Reuters</span>'
    )
    assert only(page).publisher == "Reuters"


def test_a_cookie_notice_longer_than_the_article_is_not_the_article() -> None:
    notice = "".join(
        f"<p>We and our {n} partners store and read cookies and similar identifiers on your device to "
        f"measure audiences, show personalised advertising and improve our services, purpose {n}.</p>"
        for n in range(8)
    )
    page = news_page().replace('<div class="cookie-banner">', f'<div class="cookie-banner">{notice}')
    copy = only(page)
    assert list(copy.body) == PARAGRAPHS


def test_a_section_said_to_carry_ads_is_not_an_ad() -> None:
    body = f"<p>{PARAGRAPHS[0]}</p><div class='inline has-ads'><p>{PARAGRAPHS[1]}</p></div>" + "".join(
        f"<p>{p}</p>" for p in PARAGRAPHS[2:]
    )
    assert list(only(news_page(body)).body) == PARAGRAPHS


def test_a_grid_of_teasers_in_the_container_is_dropped() -> None:
    teasers = "".join(
        f'<div class="card card-{n}"><h3><a href="/n/{n}">Another story from the region, number {n}</a>'
        f"</h3><p>A short summary of another story that the site would like readers to open next, "
        f"with a few details about it.</p></div>"
        for n in range(4)
    )
    page = news_page().replace("</article></main>", f"{teasers}</article></main>")
    copy = only(page)
    assert list(copy.body) == PARAGRAPHS
    # Forum posts open with a linked name, not a title: they are not teasers.
    posts = "".join(
        f'<div class="post"><h4><a href="/u/{n}">reader{n}</a></h4><p>{PARAGRAPHS[n]}</p></div>'
        for n in range(4)
    )
    assert list(only(news_page(body=posts)).body) == PARAGRAPHS


def test_the_site_name_set_as_a_heading_is_not_the_headline() -> None:
    # "<title>Tram approved | The Example Herald</title>": the site's name agrees with the <title> as
    # well as the headline does; the headline agrees with more of the declared titles, and the site's
    # name is not a headline.
    page = news_page(title="Tram approved").replace(
        '<a href="/" class="logo">The Example Herald</a>', "<h1>The Example Herald</h1>"
    )
    assert only(page).title == "Tram approved"


def test_a_declared_date_the_page_contradicts_is_weighed() -> None:
    # A declared publication time that the date written on the page contradicts (sites often declare
    # their last edit) is kept only when htmldate's search of the page agrees with it.
    declared = datetime(2025, 6, 20, 8, tzinfo=UTC)
    written_page = news_page().replace(
        '<time datetime="2025-07-01T09:30:00+02:00">1 July 2025</time>',
        '<span class="date">Published 3 June 2025</span>',
    )
    for html, expected in (
        (written_page, "2025-06-03"),
        (
            written_page.replace(
                "</head>", '<meta property="article:published_time" content="2025-06-20"></head>'
            ),
            "2025-06-20",
        ),
    ):
        tree = LexborHTMLParser(html)
        assert tree.body is not None
        page = walk(tree.body)
        score(page)
        blocks = select(page, "Council approves the eastern tram line")
        when = _publication_time(declared, page, blocks, html, None)
        assert when is not None
        assert when.date().isoformat() == expected
    # Agreeing, the declared time (with its hour) stands.
    copy = only(news_page())
    assert copy.published_at == datetime.fromisoformat("2025-07-01T09:30:00+02:00")


def test_a_reading_parses_once_and_gives_what_the_separate_calls_give() -> None:
    from tidings.extract import Reading, extract, page_lines
    from tidings.models import Document, DocumentKind

    html = (
        "<html><head><title>Harbour board votes to close the ferry terminal</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article>"
        "<h1>Harbour board votes to close the ferry terminal</h1><p>Follow us on Telegram</p>"
        + "<p>The harbour board voted on Tuesday to close the old ferry terminal by the end of the year.</p>"
        * 4
        + "</article><footer>© Example Wire 2025</footer></body></html>"
    )
    document = Document(
        content=html.encode(),
        sha256="0" * 64,
        kind=DocumentKind.HTML,
        text=html,
        encoding="utf-8",
        fetched_at=FETCHED,
        site="Example Wire",
    )
    template = SiteTemplate(lines=frozenset({normalise("Follow us on Telegram")}))
    reading = Reading(document)
    assert reading.lines() == page_lines(document)
    assert "follow us on telegram" in {normalise(line) for line in reading.lines()}
    first = reading.copies(template)
    assert first == extract(document, template)
    assert reading.copies(template) == first  # asked again: the walk is not counted twice
    assert "Follow us on Telegram" not in first[0].body
    assert len(first[0].body) == 4
