"""Hostile message bodies in the conversation view: the time to prepare (cap, sanitise, bound), lay out and
paint each, and the longest gap of a 5 ms GUI-thread watchdog around it. Offscreen; no database.

    python -m benchmarks.bench_hostile_html [--repeat 5]

Unbounded figures (the view before issue 9) are not measured here: 21 nested tables blocked the GUI thread for
32 s and 3,000 crashed the process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.services.platform.sanitize import display_html
from app.services.tickets.dto import MessageView
from app.views.conversation import ConversationView
from app.views.watchdog import Watchdog
from app.vocabulary import MessageKind
from benchmarks.common import print_table

WHEN = dt.datetime(2026, 11, 25, 13, 3, tzinfo=dt.UTC)


def nested(open_tags: str, close_tags: str, levels: int) -> str:
    return open_tags * levels + "x" + close_tags * levels


def customer(body_html: str | None, n: int = 1, text: str = "") -> MessageView:
    return MessageView(n, MessageKind.CUSTOMER_MESSAGE, "Mallory", text, body_html, WHEN)


CASES: dict[str, Callable[[], list[MessageView]]] = {
    "21 nested tables": lambda: [customer(nested("<table><tr><td>", "</td></tr></table>", 21))],
    "25 nested tables": lambda: [customer(nested("<table><tr><td>", "</td></tr></table>", 25))],
    "3,000 nested tables": lambda: [customer(nested("<table><tr><td>", "</td></tr></table>", 3_000))],
    "100,000 nested divs": lambda: [customer(nested("<div>", "</div>", 100_000))],
    "3,000 nested lists": lambda: [customer(nested("<ul><li>", "</li></ul>", 3_000))],
    "5 MB of paragraphs": lambda: [customer("<p>" + "hello world <b>bold</b> " * 220_000 + "</p>")],
    "5 MB plain text": lambda: [customer(None, text="line of text\n" * 400_000)],
    "5 MB of unclosed tags": lambda: [customer("<a " * 1_700_000)],
    "1 MB of <": lambda: [customer("<" * 1_000_000)],
    "1 MB unclosed comment": lambda: [customer("<!--" + "x" * 1_000_000)],
    "3,000 wide cells": lambda: [customer("<table><tr>" + '<td colspan="100000">c</td>' * 3_000 + "</tr></table>")],
    "40 heavy bodies": lambda: [
        customer(nested("<table><tr><td>", "</td></tr></table>", 12) + "<p><i>x</i></p>" * 400, n) for n in range(40)
    ],
    "500 small messages": lambda: [customer(f"<p>Reply <b>number {n}</b></p>", n) for n in range(500)],
}


def measure(view: ConversationView, messages: list[MessageView]) -> tuple[float, float, int]:
    """(ms preparing the bodies alone, ms for show_messages + layout + paint of the end, longest stall ms)."""
    started = time.perf_counter()
    for message in messages:
        if message.body_html:
            display_html(message.body_html)
    prepare = (time.perf_counter() - started) * 1000
    dog = Watchdog()
    dog.start()
    QTest.qWait(20)
    started = time.perf_counter()
    view.show_messages(messages)
    view.viewport().repaint()
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    view.viewport().repaint()
    render = (time.perf_counter() - started) * 1000
    QTest.qWait(30)
    dog.timer.stop()
    return prepare, render, dog.longest_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert app is not None
    view = ConversationView(local_zone=dt.UTC)
    view.resize(800, 600)
    view.show()
    QTest.qWaitForWindowExposed(view)
    rows = []
    for name, build in CASES.items():
        messages = build()
        runs = [measure(view, messages) for _ in range(args.repeat)]
        rows.append(
            [
                name,
                f"{sum(len(m.body_html or m.body_text) for m in messages):,}",
                f"{sorted(r[0] for r in runs)[len(runs) // 2]:.1f}",
                f"{sorted(r[1] for r in runs)[len(runs) // 2]:.1f}",
                f"{max(r[2] for r in runs)}",
            ]
        )
    print_table(["body", "stored chars", "prepare ms (median)", "render ms (median)", "longest stall ms"], rows)


if __name__ == "__main__":
    main()
