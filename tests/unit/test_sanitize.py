from __future__ import annotations

from app.services.sanitize import sanitize_html


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
