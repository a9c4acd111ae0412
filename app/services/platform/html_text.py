"""HTML as the text a person reads in it, with the standard library's parser: block elements become line
breaks, list items a "- ", table cells a tab, everything else its text. What an article's search text and a
message's text are when only HTML was given (a mail with no plain-text part): the text is what search
indexes, `ticket show` prints and excerpts quote. Run on sanitised HTML (nh3 has dropped scripts and styles).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "blockquote", "pre", "hr"}
_BLANK_RUNS = re.compile(r"\n{3,}")
_UNSHOWN = {"title", "style", "script", "head"}  # a newsletter's <title> became its article's first line
_SPACES = re.compile(r"\s+")
_AROUND_BREAKS = re.compile(r" *\n *")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.preformatted = 0
        self.saw_preformatted = False  # then line breaks' surrounding spaces are kept: they may be its layout
        self.unshown = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _UNSHOWN:
            self.unshown += 1
        elif tag == "pre":
            self.preformatted += 1
            self.saw_preformatted = True
        if tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append("\t")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _UNSHOWN:
            self.unshown = max(0, self.unshown - 1)
        elif tag == "pre":
            self.preformatted = max(0, self.preformatted - 1)
        if tag in _BLOCKS and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.unshown:
            return
        # As a browser shows it: a run of spaces and line breaks in the markup is one space (a newsletter's
        # indentation, 18,000 of its 21,500 characters, filled the message's text bound), but within <pre>.
        self.parts.append(data if self.preformatted else _SPACES.sub(" ", data))


def html_to_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    joined = "".join(collector.parts)
    if not collector.saw_preformatted:
        joined = _AROUND_BREAKS.sub("\n", joined)
    lines = [line.rstrip() for line in joined.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
