"""The bibliography cites primary publications; reposts, mirrors and search pages are 'via'.

A source's ``url`` is the publisher's address of the publication. A forum thread, a blog
repost, a mirror, a proxy or a search-results page may be where a text was read, but then it is
listed under ``via`` and never as the ``url``. Every Bulletin of the Atomic Scientists article
gives its volume, issue, pages and DOI, or a note saying which could not be confirmed.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from pydantic import ValidationError

from detente.model.bibliography import Source
from detente.model.catalog import sources

#: Hosts that only repost, mirror, proxy or aggregate other publications.
REPOST_HOSTS = frozenset(
    {
        "gopbriefingroom.com",
        "strategicstudyindia.com",
        "alsedunation.com",
        "mronline.org",
        "toanthua.com",
        "globalsecurity.org",
        "readkong.com",
        "docslib.org",
        "studylib.net",
        "liquisearch.com",
        "memorybase.org",
        "sdc-usa.org",
        "slideshare.net",
        "slideplayer.com",
        "pdffox.com",
        "vdocuments.mx",
        "scribd.com",
        "threadreaderapp.com",
        "movatter.jp",
        "globalhappenings.com",
        "trendsmask.com",
        "en.ckhq.net",
        "europesays.com",
        "pledgetimes.com",
        "urdupoint.com",
        "djazairess.com",
        "crbcnews.com",
        "chatnewstv.com",
        "defence-blog.com",
        "the-trebuchet.org",
        "lawin.org",
        "puntoat.it",
    }
)
#: Address patterns of forums, search pages, blog platforms, repost sections and pre-release
#: mirrors, whatever the host.
REPOST_PATTERNS = (
    re.compile(r"[?&](q|query|search|s)=", re.I),  # a search-results page
    re.compile(r"/search\b", re.I),
    re.compile(r"index\.php\?.*topic=", re.I),  # a forum thread
    re.compile(r"/(forum|forums|threads?|viewtopic)\b", re.I),
    re.compile(r"\.blogspot\.", re.I),  # a blog platform repost
    re.compile(r"missiledefenseadvocacy\.org/(threat-news|other-news)/", re.I),
    re.compile(r"//origin-pre-prod\.", re.I),  # a pre-release mirror of a news site
    re.compile(r"/publication-term/|/page/\d+/?$", re.I),  # a listing page, not an article
)
BULLETIN = "Bulletin of the Atomic Scientists"


def repost_reason(url: str) -> str | None:
    """Why ``url`` is a repost, mirror, proxy or search page, or None if it is not one.

    Examples
    --------
    >>> repost_reason("https://www.gopbriefingroom.com/index.php?prev_next=prev&topic=5")
    'host gopbriefingroom.com reposts or mirrors'
    >>> repost_reason("https://www.alsedunation.com/cad?q=SIPRI") is not None
    True
    >>> repost_reason("https://doi.org/10.1080/00963402.2025.2494386") is None
    True
    """
    host = (urlparse(url).hostname or "").lower().removeprefix("www.")
    for bad in REPOST_HOSTS:
        if host == bad or host.endswith("." + bad):
            return f"host {bad} reposts or mirrors"
    for pattern in REPOST_PATTERNS:
        if pattern.search(url):
            return f"address matches {pattern.pattern!r}"
    return None


@pytest.mark.parametrize(
    "url",
    [
        "https://www.gopbriefingroom.com/index.php?prev_next=prev&topic=564930.0",
        "https://www.strategicstudyindia.com/2025/05/russian-nuclear-weapons-2025.html",
        "https://www.alsedunation.com/cad?q=SIPRI+Yearbook+2025",
        "https://mronline.org/2025/07/30/french-nuclear-weapons-2025",
        "http://submarinersworld.blogspot.com/2013/05/capability.html",
        "https://origin-pre-prod.livemint.com/news/x.html",
        "https://fas.org/publication-term/arms-control/page/2",
    ],
)
def test_the_denylist_catches_the_reposts_the_issue_found(url: str) -> None:
    assert repost_reason(url) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://doi.org/10.1080/00963402.2025.2524251",
        "https://thebulletin.org/premium/2024-11/united-kingdom-nuclear-weapons-2024/",
        "https://www.state.gov/new-start-treaty-aggregate-numbers-of-strategic-offensive-arms-5/",
        "https://fas.org/publication/new-start-full-data/",
        "https://russianforces.org/blog/2023/06/us_response_to_russias_new_sta.shtml",
    ],
)
def test_the_denylist_lets_primary_publications_through(url: str) -> None:
    assert repost_reason(url) is None


def test_no_source_url_is_a_forum_repost_mirror_proxy_or_search_page() -> None:
    bad = {
        sid: f"{s.url}: {reason}"
        for sid, s in sources().items()
        if s.url is not None and (reason := repost_reason(s.url)) is not None
    }
    assert bad == {}, "move these addresses to 'via' and cite the primary publication"


def test_a_via_copy_is_kept_apart_from_the_source() -> None:
    for sid, s in sources().items():
        assert all(v.url != s.url for v in s.via if v.url is not None), sid
        assert all(v.publisher for v in s.via), sid
        if s.via:
            assert s.via_text().startswith("read via "), sid


def test_a_via_address_given_as_the_url_is_refused() -> None:
    copy = "https://mronline.org/2025/07/30/french-nuclear-weapons-2025"
    with pytest.raises(ValidationError, match="'via'"):
        Source(
            id="x", publisher=BULLETIN, title="T", url=copy, via={"publisher": "MR", "url": copy}
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [("doi", "https://doi.org/10.1080/x"), ("doi", "not-a-doi"), ("pages", "pp. 53 to 79")],
)
def test_a_malformed_doi_or_page_range_is_refused(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Source.model_validate({"id": "x", "publisher": BULLETIN, "title": "T", field: value})


def test_the_issue_s_reposted_sources_now_cite_the_bulletin_and_the_yearbook() -> None:
    known = sources()
    for sid in ("fas-us-2025", "fas-ru-2025", "fas-cn-2025", "fas-fr-2025"):
        assert known[sid].publisher == BULLETIN and known[sid].via, sid
    ru = known["fas-ru-2025"]
    assert (ru.volume, ru.issue, ru.pages, ru.doi) == (
        "81",
        "3",
        "208-237",
        "10.1080/00963402.2025.2494386",
    )
    for sid in [s for s in known if s.startswith("sipri-2025-")]:
        assert known[sid].title.startswith("SIPRI Yearbook 2025"), sid
        assert known[sid].url is None and known[sid].via, sid


def test_every_bulletin_article_gives_volume_issue_pages_and_doi_or_says_why_not() -> None:
    articles = {sid: s for sid, s in sources().items() if s.publisher == BULLETIN}
    assert len(articles) >= 8
    for sid, s in articles.items():
        missing = [f for f in ("volume", "issue", "pages", "doi") if getattr(s, f) is None]
        if missing:
            assert s.notes and "not confirmed" in s.notes, f"{sid} lacks {missing} without a note"
        if s.doi is not None:
            assert s.url is None or s.url.endswith(s.doi) or "thebulletin.org" in s.url, sid


def test_bulletin_articles_are_not_disguised_as_another_publisher() -> None:
    """A Notebook read in a repost names the Bulletin as publisher, not the repost site."""
    for sid, s in sources().items():
        if BULLETIN in s.publisher:
            assert s.publisher == BULLETIN, f"{sid}: publisher {s.publisher!r}"
