"""Bounds on the shape of HTML before it reaches a rich-text renderer.

Qt's `QTextDocument` lays out nested tables in exponential time (21 levels of ``<table><tr><td>`` blocked the GUI
thread for 32 s, 3,000 levels crashed it), and its cost grows with every element and character. nh3 itself is
quadratic in nesting depth (100,000 nested ``<div>`` took 35 s). So a stored body is bounded in two places:

* `cap_source` cuts the raw markup to a number of characters and of ``<`` signs *before* any parser sees it. Every
  tag starts with ``<``, so this caps the number of elements whatever a parser makes of the input, which keeps the
  sanitiser's quadratic corner small (1,000 nested ``<div>`` clean in about 3 ms).
* `bound_html` walks the sanitiser's output (well-formed: every tag closed, text escaped, no comments) with the
  standard library's `html.parser` and keeps only elements within a nesting depth, a table depth and an element
  count, and text up to a length. An element past a bound is dropped *with everything inside it*; its text stays,
  as plain text, so nothing the sender wrote silently disappears from what is shown. Keeping whole subtrees (never
  a cell without its table) means what comes out is again well-formed.

`html.parser` is only ever given sanitised markup: on raw hostile input it is quadratic on unclosed tags in
Python 3.11 (90 KB of ``<a <a <a`` took two minutes). Both steps are linear in their input and hold at most the
open-element stack and the output in memory. This module is pure (no Qt); the view decides how to show what
was left out.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

# Elements with no end tag: they never open a level.
_VOID = frozenset({"area", "br", "col", "hr", "img", "wbr", "embed", "input", "link", "meta", "source", "track"})
# Dropping one of these would glue the words on either side together; a line break keeps the text readable.
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "details", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "nav",
        "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip


@dataclass(frozen=True)
class HtmlLimits:
    """What one message may hand to the renderer. The defaults keep the worst message near 20 ms on the
    project's 2-core machine (see docs/benchmarks.md, "Hostile HTML"), with room for ordinary mail: newsletters
    nest tables three or four deep; one past a few hundred elements is shown simplified, the original a click
    away.

    Attributes:
        max_source_chars: raw stored markup looked at; the rest is left out before parsing.
        max_source_tags: ``<`` signs looked at in the raw markup (an upper bound on its elements).
        max_depth: open elements at once, the message's own wrapper not counted.
        max_table_depth: tables open at once.
        max_elements: elements kept in all (Qt spends about 25 µs on each ``<br>``, 80 µs on each table cell).
        max_table_cells: table cells kept in all, each counted as wide as its colspan.
        max_text_chars: characters of text kept in all.
    """

    max_source_chars: int = 100_000
    max_source_tags: int = 1_000
    max_depth: int = 24
    max_table_depth: int = 4
    max_elements: int = 500
    max_table_cells: int = 200
    max_text_chars: int = 20_000


DISPLAY_LIMITS = HtmlLimits()


@dataclass(frozen=True)
class BoundedHtml:
    """Markup within the limits, and why anything was left out (empty when nothing was).

    Attributes:
        html: well-formed markup within the limits.
        reasons: short phrases for a person ("tables nested deeper than 4 levels"), in the order met.
        elements: elements kept (what a caller spending a budget over several messages needs).
        text_chars: characters of text kept.
        table_cells: table cells kept, as wide as their colspan.
    """

    html: str
    reasons: tuple[str, ...] = ()
    elements: int = 0
    text_chars: int = 0
    table_cells: int = 0

    @property
    def simplified(self) -> bool:
        return bool(self.reasons)


def cap_source(markup: str, limits: HtmlLimits = DISPLAY_LIMITS) -> tuple[str, tuple[str, ...]]:
    """Cut raw markup to `max_source_chars` characters and `max_source_tags` ``<`` signs, in C-speed string
    operations, before any parser runs. A cut may fall inside a tag or an entity; the sanitiser drops the
    fragment."""
    reasons: list[str] = []
    if len(markup) > limits.max_source_chars:
        markup = markup[: limits.max_source_chars]
        reasons.append(f"longer than {limits.max_source_chars:,} characters")
    if markup.count("<") > limits.max_source_tags:
        position = -1
        for _ in range(limits.max_source_tags + 1):
            position = markup.find("<", position + 1)
        markup = markup[:position]
        reasons.append(f"more than {limits.max_source_tags:,} tags")
    return markup, tuple(reasons)


def bound_html(markup: str, limits: HtmlLimits = DISPLAY_LIMITS) -> BoundedHtml:
    """Keep the elements of sanitised `markup` that fit the limits; text past them stays as plain text.

    Meant for the sanitiser's output. It copes with anything (unknown or unclosed tags, stray end tags) without
    failing, but raw hostile markup must go through `cap_source` and the sanitiser first: see the module
    docstring for why."""
    bounder = _Bounder(limits)
    bounder.feed(markup)
    bounder.close()
    return BoundedHtml(
        "".join(bounder.out), tuple(bounder.reasons), bounder.elements, bounder.text_chars, bounder.table_cells
    )


class _Bounder(HTMLParser):
    """One pass, O(1) work per token: `_open_names` counts open elements by name, so a stray end tag is ignored
    without searching the stack, and each element is pushed and popped once."""

    def __init__(self, limits: HtmlLimits) -> None:
        super().__init__(convert_charrefs=True)
        self.limits = limits
        self.out: list[str] = []
        self.reasons: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (name, kept) of every open element
        self._open_names: Counter[str] = Counter()
        self._dropping = 0  # open elements since the outermost dropped one; > 0 means "text only"
        self._depth = 0  # kept open elements
        self._tables = 0  # kept open tables
        self.elements = 0
        self.text_chars = 0
        self.table_cells = 0
        self._text_full = False
        self._break_pending = False
        self._wrote_text = False

    # -- HTMLParser callbacks --------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._text_full:
            return
        void = tag in _VOID
        keep = self._dropping == 0 and self._fits(tag, attrs, void=void)
        if keep:
            self.elements += 1
            self._break_pending = False
            self.out.append(_start_tag(tag, attrs))
        elif tag in _BLOCK:
            self._break_pending = True
        if void:
            return
        self._stack.append((tag, keep))
        self._open_names[tag] += 1
        if keep:
            self._depth += 1
            self._tables += tag == "table"
        else:
            self._dropping += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open_names[tag] == 0:
            return  # a stray end tag: nothing to close
        while self._stack:
            name, kept = self._stack.pop()
            self._open_names[name] -= 1
            self._close(name, kept)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._text_full or not data:
            return
        room = self.limits.max_text_chars - self.text_chars
        if len(data) > room:
            data = data[:room]
            self._text_full = True
            self._note(f"longer than {self.limits.max_text_chars:,} characters of text")
        if self._break_pending and self._wrote_text and data.strip():
            # A break is an element for the renderer too: past the count, a space has to do.
            fits = self.elements < self.limits.max_elements
            self.elements += fits
            self.out.append("<br>" if fits else " ")
        if data.strip():
            self._break_pending = False
            self._wrote_text = True
        self.text_chars += len(data)
        self.out.append(html.escape(data, quote=False))

    def close(self) -> None:
        super().close()
        while self._stack:
            name, kept = self._stack.pop()
            self._close(name, kept)

    # -- helpers ------------------------------------------------------------------------------------------------

    def _fits(self, tag: str, attrs: list[tuple[str, str | None]], *, void: bool) -> bool:
        limits = self.limits
        if self.elements >= limits.max_elements:
            self._note(f"more than {limits.max_elements:,} elements")
            return False
        if not void and self._depth >= limits.max_depth:
            self._note(f"nested deeper than {limits.max_depth} levels")
            return False
        if tag == "table" and self._tables >= limits.max_table_depth:
            self._note(f"tables nested deeper than {limits.max_table_depth} levels")
            return False
        if tag in ("td", "th"):
            width = _span(attrs)
            if self.table_cells + width > limits.max_table_cells:
                self._note(f"more than {limits.max_table_cells:,} table cells")
                return False
            self.table_cells += width
        return True

    def _close(self, name: str, kept: bool) -> None:
        if kept:
            self._depth -= 1
            self._tables -= name == "table"
            self.out.append(f"</{name}>")
        else:
            self._dropping -= 1
            if name in _BLOCK:
                self._break_pending = True

    def _note(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)


def _span(attrs: list[tuple[str, str | None]]) -> int:
    for name, value in attrs:
        if name == "colspan" and value and value.strip().isdigit():
            return max(1, int(value.strip()[:6]))
    return 1


def _start_tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    rendered = "".join(f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs)
    return f"<{tag}{rendered}>"
