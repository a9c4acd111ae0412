"""The demo's knowledge base, as `switchboard demo` leaves it on a fresh embedded database: a few dozen
articles in a category tree, mostly published, some internal, a few agents' drafts, one archived, one
with a second version; each demo login sees what the database lets it see."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.services.knowledge.demo_articles import ARTICLES
from tests.support.embedded_cli import demo_data_dir, leave_embedded_server, run, run_in_process

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data_dir = demo_data_dir(tmp_path_factory.mktemp("kb-demo"), tickets=40)
    yield data_dir
    leave_embedded_server(data_dir)


def kb(data_dir: Path, *args: str) -> Any:
    """What each login sees: the command's `main()` in this process (tests/support/embedded_cli.py)."""
    done = run_in_process(data_dir, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_demo_has_a_few_dozen_articles_in_a_tree(demo: Path) -> None:
    everything = kb(demo, "kb", "list", "--json")  # the demo's admin: an editor, sees every state
    assert len(everything) == len(ARTICLES) >= 30
    states = [a["state"] for a in everything]
    assert states.count("published") >= 28 and states.count("draft") == 3 and states.count("archived") == 1
    roots = {c["path"][0] for c in kb(demo, "kb", "categories", "--json")}
    assert {"Billing", "Accounts & Access", "Technical Support", "Network", "Shipping & Returns"} <= roots
    refunds = kb(demo, "kb", "list", "--category", "Billing/Refunds", "--json")
    assert sum("refund" in a["tags"] for a in refunds) >= 4
    again = run(demo, "demo", "--no-open")
    assert again.returncode == 0 and "knowledge base articles" not in again.stdout
    assert len(kb(demo, "kb", "list", "--json")) == len(ARTICLES)


def test_an_agent_sees_published_articles_and_their_own_draft_only(demo: Path) -> None:
    ben = kb(demo, "--user", "ben.okafor", "kb", "list", "--json")
    drafts = [a["title"] for a in ben if a["state"] != "published"]
    assert drafts == ["Refunds to a closed card"]  # his own; not grace's or emma's, not the archived one
    internal = [a for a in ben if a["visibility"] == "internal" and a["state"] == "published"]
    assert internal, "agents read internal articles too"


def test_the_refund_article_has_a_history_and_a_diff(demo: Path) -> None:
    found = [a for a in kb(demo, "kb", "list", "--json") if a["title"] == "How to refund a duplicate charge"]
    article = str(found[0]["id"])
    history = kb(demo, "--user", "ben.okafor", "kb", "history", article, "--json")
    assert [(v["version"], v["author_name"]) for v in history] == [
        (3, "Julia Rossi"),
        (2, "Amélie Durand"),
        (1, "Amélie Durand"),
    ]
    diff = kb(demo, "--user", "ben.okafor", "kb", "history", article, "--diff", "--json")["lines"]
    assert any(line.startswith("+") and "500 EUR" in line for line in diff)
