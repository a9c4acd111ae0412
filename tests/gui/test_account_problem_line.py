"""The account panel's problem line (usability probe, 2026-12-07): one short sentence for the agent, the
tool's address and the details in its tooltip; a nested three-line sentence pushed the customer's other
tickets off a 1366x768 screen."""

from __future__ import annotations

from app.views.account_panel import SHORT_PROBLEM, problem_line


def test_the_breaker_says_when_the_tool_is_asked_again_and_nothing_more() -> None:
    said = (
        "The accounts tool is not asked again until 12:00:38; it failed 3 times in a row, last: The accounts tool"
        " at https://127.0.0.1:28763 closed the connection during the TLS handshake (is it running?) (3 tries in"
        " 6.0 s)"
    )
    assert problem_line(said) == "The accounts tool is not asked again until 12:00:38"


def test_a_failure_loses_its_address_and_bracketed_details() -> None:
    said = "The accounts tool at https://crm.example.lan:8443 did not answer within 3 s (3 tries in 6.0 s)"
    assert problem_line(said) == "The accounts tool did not answer within 3 s"


def test_a_long_sentence_is_cut_with_an_ellipsis() -> None:
    shown = problem_line("The account could not be read: " + "x" * 300)
    assert len(shown) == SHORT_PROBLEM and shown.endswith("…")


def test_stored_text_in_a_tooltip_shows_as_typed() -> None:
    """A colleague's subject of <img width=3000> asked Qt for a tooltip 3000 px wide: every tooltip of stored
    text goes through one helper (the queue, the supervisor view, the panels, the palette)."""
    from PySide6 import QtGui
    from PySide6.QtGui import QTextDocument

    from app.views.labels import plain_tip

    hostile = '<img src="x" width=3000 height=2000><h1>Refund approved</h1>'
    tip = plain_tip(hostile)
    assert QtGui.Qt.mightBeRichText(tip)  # so Qt renders it, entities and all
    document = QTextDocument()
    document.setHtml(tip)
    assert document.toPlainText() == hostile
