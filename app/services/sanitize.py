"""Customer HTML is cleaned once, on the way in: the database only ever holds sanitised markup."""

from __future__ import annotations

import nh3

ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "cid"}


def sanitize_html(html: str) -> str:
    """Strip scripts, styles, event handlers and unknown schemes; links get rel=noopener noreferrer."""
    return nh3.clean(html, url_schemes=ALLOWED_URL_SCHEMES, link_rel="noopener noreferrer")
