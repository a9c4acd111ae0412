"""Customer HTML is cleaned on the way in, and cleaned and bounded again every time it is shown.

The second pass is not redundancy for its own sake: any login that can write a message row can store whatever
body_html it likes, so the client never trusts the database. `display_html` runs on every render:

1. `cap_source` (app.services.platform.html_bounds) cuts the raw markup to a size and a tag count, so
   the sanitiser's own cost stays small (nh3 is quadratic in nesting depth);
2. `sanitize_for_display` cleans it with a stricter allowlist than the way in (below);
3. `bound_html` keeps the renderer within a nesting depth, a table depth, an element count and a text length.

Why stricter for display: a body is drawn inside our own message card, whose header (author, coloured kind label,
time) sits on a coloured background next to a coloured bar. If a body could set colours, backgrounds or sizes it
could draw a second, forged header, e.g. a yellow "Internal note" card with a colleague's name inside a customer
message. So no attribute that paints survives display sanitising: no ``style``, ``bgcolor``, ``color``, ``class``,
``width``/``height``/``size``/``align``, and no ``<font>`` (nh3 never allows it). A body can still *write* the
words "Internal note", but only as plain black text inside the card of its real sender, below the real header;
the colour and the kind label of a card come only from us.
"""

from __future__ import annotations

import nh3

from app.services.platform.html_bounds import DISPLAY_LIMITS, BoundedHtml, HtmlLimits, bound_html, cap_source

ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "cid"}

# Attributes a body keeps when shown: what carries meaning (links, image sources and text, list numbering, table
# spans), nothing that paints. nh3 adds rel to links and keeps its generic ``lang`` and ``title``.
DISPLAY_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "hreflang"},
    "img": {"src", "alt"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "bdo": {"dir"},
}
# colspan="100000" makes Qt lay out a hundred thousand columns (105 ms for one cell); real mail spans a few.
MAX_SPAN = 10


# Elements dropped with what they hold, not only their tags (nh3's own two, and a document's title: a
# newsletter's <title> "Nuovo messaggio 6" became the first line of its article and of a mail's text).
UNSHOWN_CONTENT = {"script", "style", "title"}


def sanitize_html(html: str) -> str:
    """Strip scripts, styles, event handlers and unknown schemes; links get rel=noopener noreferrer."""
    return nh3.clean(
        html, url_schemes=ALLOWED_URL_SCHEMES, link_rel="noopener noreferrer", clean_content_tags=UNSHOWN_CONTENT
    )


def sanitize_for_display(html: str) -> str:
    """Like `sanitize_html`, and also strip every attribute that paints (see the module docstring) and clamp
    table spans. Call it on bounded input (`cap_source`): nh3 is quadratic in nesting depth."""
    return nh3.clean(
        html,
        attributes=DISPLAY_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_clamp_spans,
        clean_content_tags=UNSHOWN_CONTENT,
    )


def display_html(stored_html: str, limits: HtmlLimits = DISPLAY_LIMITS) -> BoundedHtml:
    """What a view may hand to a rich-text renderer for a stored body: capped, sanitised, bounded. Linear in
    `limits`, not in the stored size: a 5 MB or 3,000-level body costs what its first 100,000 characters cost.
    The reasons say what was left out, so the view can offer the original as plain text."""
    capped, cut_reasons = cap_source(stored_html, limits)
    bounded = bound_html(sanitize_for_display(capped), limits)
    reasons = cut_reasons + tuple(reason for reason in bounded.reasons if reason not in cut_reasons)
    return BoundedHtml(bounded.html, reasons, bounded.elements, bounded.text_chars, bounded.table_cells)


def _clamp_spans(element: str, attribute: str, value: str) -> str | None:
    if attribute not in ("colspan", "rowspan"):
        return value
    try:
        span = int(value.strip())
    except ValueError:
        return None
    return str(min(max(span, 1), MAX_SPAN))
