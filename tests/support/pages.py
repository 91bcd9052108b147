"""Web pages as a person reads them: the visible text (whitespace folded), each link's text and
href, and the ids of the page's sections, read with the standard library's HTML parser."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    status: int
    content_type: str
    text: str = ""
    links: dict[str, str] = field(default_factory=dict)  # link text -> href
    ids: list[str] = field(default_factory=list)  # every id="..." in document order


class _Reader(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.words: list[str] = []
        self.href: str | None = None
        self.link_words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if named.get("id"):
            self.page.ids.append(named["id"] or "")
        if tag == "a":
            self.href, self.link_words = named.get("href"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href is not None:
            self.page.links[_fold(" ".join(self.link_words))] = self.href
            self.href = None

    def handle_data(self, data: str) -> None:
        self.words.append(data)
        if self.href is not None:
            self.link_words.append(data)


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# Straight to the server: a proxy named in the environment must not stand in for loopback.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def read_page(url: str) -> Page:
    """GET `url` (an error status is a page too) and read it."""
    try:
        with _DIRECT.open(url, timeout=10) as answer:
            status, content_type, body = (
                answer.status,
                answer.headers["Content-Type"],
                answer.read(),
            )
    except urllib.error.HTTPError as error:
        status, content_type, body = error.code, error.headers["Content-Type"], error.read()
    page = Page(status, content_type)
    reader = _Reader(page)
    reader.feed(body.decode("utf-8"))
    reader.close()
    page.text = _fold(" ".join(reader.words))
    return page
