"""An article's text from its HTML: what search indexes, the CLI prints and a diff compares.

The HTML is sanitised first (the conversation's `sanitize_html`, nh3), then read as text
(`platform.html_text`).
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

from app.services.platform.html_text import html_to_text
from app.services.platform.plain_text import clean_body
from app.services.platform.sanitize import ALLOWED_URL_SCHEMES, sanitize_html

# Bodies beyond this are refused: an article is read by people, and the HTML is rendered on every open.
MAX_BODY_CHARS = 200_000
# nh3 is quadratic in nesting depth (docs/benchmarks.md: 5,000 nested <div> 65 ms, 100,000 35 s): markup
# with more tags than this is refused before it is sanitised (10,000 nested: about a quarter second).
MAX_TAGS = 10_000


def prepare_body(body: str, body_html: str | None) -> tuple[str, str | None]:
    """(text, sanitised HTML or None) for what an editor typed: plain text as is, or HTML made safe and
    its text derived from it (so the text and the HTML say the same)."""
    if body_html is not None and body_html.strip():
        if len(body_html) > 2 * MAX_BODY_CHARS or body_html.count("<") > MAX_TAGS:
            raise ValueError(f"at most {2 * MAX_BODY_CHARS:,} characters and {MAX_TAGS:,} tags of HTML")
        safe = sanitize_html(body_html)
        return clean_body(html_to_text(safe)), safe
    return clean_body(body).strip(), None


def images_dropped(body_html: str) -> Counter[str]:
    """The images of an editor's HTML that the sanitiser would leave without a picture, by their address's
    scheme ("data", "file", …): a pasted screenshot is a `data:` image, and an article that silently lost it
    still said "see the screenshot below" (a real-world probe, 2026-12-07)."""
    finder = _ImageSources()
    finder.feed(body_html)
    finder.close()
    return finder.dropped


class _ImageSources(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.dropped: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "img":
            return
        source = "".join((dict(attrs).get("src") or "").split()).lower()  # browsers ignore spaces in a URL
        scheme = source.partition(":")[0] if ":" in source else ""
        if scheme and scheme not in ALLOWED_URL_SCHEMES:
            self.dropped[scheme] += 1
