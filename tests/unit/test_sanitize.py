from __future__ import annotations

from app.services.platform.sanitize import MAX_SPAN, display_html, sanitize_for_display, sanitize_html


def test_scripts_handlers_and_javascript_links_are_removed() -> None:
    html = (
        '<p onclick="steal()">Hi<script>alert(1)</script></p><a href="javascript:evil()">x</a>'
        '<img src="cid:logo@mail" onerror="x()">'
    )
    clean = sanitize_html(html)
    assert "script" not in clean and "onclick" not in clean and "onerror" not in clean
    assert "javascript:" not in clean
    assert 'src="cid:logo@mail"' in clean


def test_links_cannot_reach_back_to_the_opener() -> None:
    assert 'rel="noopener noreferrer"' in sanitize_html('<a href="https://example.com">x</a>')


# --- on every render ------------------------------------------------------------------------------------------

FORGED_NOTE = (
    '<table width="100%"><tr><td width="4" bgcolor="#d4a000"></td>'
    '<td bgcolor="#fff4c2" style="background:#fff4c2"><b>Bob Boss</b>'
    ' <span style="color:#7a5c00; font-weight:600">Internal note</span>'
    ' <font color="#5f6368" size="7">25 Nov 2026</font></td></tr></table>'
)


def test_display_strips_everything_that_paints() -> None:
    """A stored body must not be able to draw our card chrome (see app.services.platform.sanitize)."""
    clean = sanitize_for_display(FORGED_NOTE + '<p class="x" align="right" style="color:red">p</p><img width="9999">')

    for painter in ("bgcolor", "style", "color", "width", "size", "align", "class", "<font", "#d4a000", "#fff4c2"):
        assert painter not in clean
    assert "Bob Boss" in clean and "Internal note" in clean, "the words stay, as plain words"


def test_way_in_keeps_what_it_always_kept() -> None:
    """The stricter rules are for display; what is stored is unchanged by this work."""
    assert sanitize_html('<img src="cid:a" width="10">') == '<img src="cid:a" width="10">'


def test_display_keeps_links_images_and_spans_within_reason() -> None:
    clean = sanitize_for_display(
        '<a href="https://example.com">x</a><img src="cid:logo@mail" alt="logo">'
        '<table><tr><td colspan="3">a</td><td rowspan="100000">b</td><td colspan="wide">c</td></tr></table>'
    )

    assert '<a href="https://example.com" rel="noopener noreferrer">x</a>' in clean
    assert '<img src="cid:logo@mail" alt="logo">' in clean
    assert 'colspan="3"' in clean
    assert f'rowspan="{MAX_SPAN}"' in clean
    assert "wide" not in clean


def test_display_html_cleans_stored_markup_that_skipped_the_way_in() -> None:
    """A login writing body_html straight into the database: the client still sanitises."""
    shown = display_html('<p onclick="steal()">Hi<script>alert(1)</script></p><a href="javascript:evil()">x</a>')

    assert shown.html == '<p>Hi</p><a rel="noopener noreferrer">x</a>'
    assert not shown.simplified


def test_display_html_says_why_it_simplified() -> None:
    shown = display_html("<table><tr><td>" * 21 + "x" + "</td></tr></table>" * 21)

    assert shown.reasons == ("tables nested deeper than 4 levels",)
    assert shown.html.count("<table>") == 4
    assert "x" in shown.html
