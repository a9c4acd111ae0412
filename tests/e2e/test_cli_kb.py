"""`switchboard kb …` signed in as each person's own login, on both servers: the command's own `main()` in
this process (tests/support/cli_in_process.py); tests/e2e/test_cli.py keeps the real processes.

People (tests/support/world.py): alice works Billing, dave works Technical Support, carol is a supervisor
(a knowledge base editor by her role)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_cli import as_, on_test_db
from tests.support.cli_in_process import switchboard_in_process as switchboard

pytestmark = pytest.mark.slow
__all__ = ["on_test_db"]  # the fixture, imported for this module's tests


def kb(db: list[str], person: str, *args: str, stdin: str | None = None, code: int = 0) -> Any:
    done = switchboard(*db, *as_(db, person), "kb", *args, stdin=stdin)
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout) if "--json" in args and code == 0 else done


def test_an_agent_drafts_an_editor_publishes_and_everyone_reads(on_test_db: list[str]) -> None:
    db = on_test_db
    added = kb(db, "alice", "add", "--title", "Refund a duplicate charge", "--tag", "refund", "--json",
               stdin="Open the invoice.\nRefund the second charge.\n")  # fmt: skip
    article = str(added["id"])
    assert added["state"] == "draft" and added["version"] == 1 and added["tags"] == ["refund"]
    assert added["body"] == "Open the invoice.\nRefund the second charge."
    assert article not in {str(a["id"]) for a in kb(db, "dave", "list", "--json")}
    kb(db, "dave", "show", article, code=3)  # another's draft does not exist for dave
    refused = kb(db, "alice", "publish", article, code=5)
    assert "editors" in refused.stderr
    published = kb(db, "carol", "publish", article, "--if-version", "1", "--json")
    assert published["state"] == "published" and published["version"] == 2
    assert [a["title"] for a in kb(db, "dave", "list", "--state", "published", "--json")] == [
        "Refund a duplicate charge"
    ]
    shown = kb(db, "dave", "show", article)
    assert "Refund a duplicate charge" in shown.stdout and "Refund the second charge." in shown.stdout

    stale = kb(db, "carol", "edit", article, "--title", "Old idea", "--if-version", "1", code=9)
    assert "was changed by Carol Chen" in stale.stderr and "nothing was saved" in stale.stderr
    kb(db, "carol", "edit", article, "--body", "Open the invoice.\nRefund the duplicate, not the first.",
       "--category", "Billing/Refunds", "--public", "--if-version", "2")  # fmt: skip
    history = kb(db, "dave", "history", article, "--json")
    assert [(v["version"], v["author_name"], v["state"]) for v in history] == [
        (3, "Carol Chen", "published"),
        (2, "Carol Chen", "published"),
        (1, "Alice Archer", "draft"),
    ]
    diff = kb(db, "dave", "history", article, "--diff").stdout.splitlines()
    assert "-Refund the second charge." in diff and "+Refund the duplicate, not the first." in diff
    assert "+Category: Billing ▸ Refunds" in diff and "+Visibility: public" in diff
    first = kb(db, "dave", "history", article, "--diff", "1:2", "--json")["lines"]
    assert "-State: draft" in first and "+State: published" in first
    assert [c["path"] for c in kb(db, "alice", "categories", "--json")] == [["Billing"], ["Billing", "Refunds"]]

    kb(db, "dave", "archive", article, code=5)
    assert kb(db, "carol", "archive", article, "--json")["state"] == "archived"
    assert kb(db, "dave", "list", "--json") == []


def test_a_resolved_ticket_becomes_a_draft_without_the_customer(on_test_db: list[str]) -> None:
    db = on_test_db
    created = switchboard(
        *db, *as_(db, "alice"), "ticket", "create", "--subject", "Charged twice in March", "--customer",
        "jane@customer.test", "--queue", "billing", "--json",
        stdin="Hello,\nI was charged twice in March. Call me on +44 20 7946 0958.\n\nThanks,\nJane Doe",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    number = str(json.loads(created.stdout)["ticket"]["number"])
    kb(db, "alice", "from-ticket", number, code=2)  # not resolved yet
    answer = "Hi Jane,\nThe duplicate is refunded; allow 5 business days.\nAlice"
    replied = switchboard(*db, *as_(db, "alice"), "ticket", "reply", number, "--body", answer, "--status", "resolved")
    assert replied.returncode == 0, replied.stderr
    draft = kb(db, "alice", "from-ticket", number, "--json")
    assert draft["state"] == "draft" and draft["author_name"] == "Alice Archer"
    assert "I was charged twice in March." in draft["body"]
    assert "The duplicate is refunded; allow 5 business days." in draft["body"]
    for secret in ("Jane", "Doe", "7946", "jane@customer.test"):
        assert secret not in draft["body"] + draft["title"], secret
    assert "1 phone number" in draft["removed"]
    kb(db, "dave", "from-ticket", number, code=3)  # a Billing ticket is not dave's to see


def test_files_attach_once_by_their_hash(on_test_db: list[str], tmp_path: Path) -> None:
    db = on_test_db
    article = str(kb(db, "carol", "add", "--title", "Where invoices live", "--body", "See the picture.",
                     "--json")["id"])  # fmt: skip
    picture = tmp_path / "invoice.png"
    picture.write_bytes(b"\x89PNG not really")
    attached = kb(db, "carol", "attach", article, str(picture), "--type", "image/png", "--json")
    assert attached["filename"] == "invoice.png" and len(attached["sha256"]) == 64
    shown = kb(db, "carol", "show", article, "--json")
    assert [(f["filename"], f["media_type"]) for f in shown["attachments"]] == [("invoice.png", "image/png")]
    kb(db, "dave", "attach", article, str(picture), code=3)  # carol's draft: not dave's to see


def test_only_an_admin_names_an_editor(on_test_db: list[str]) -> None:
    db = on_test_db
    refused = kb(db, "carol", "editor", as_(db, "alice")[1], code=5)
    assert "admin" in refused.stderr


def test_html_whose_pasted_images_would_be_dropped_is_refused_and_nothing_is_saved(on_test_db: list[str]) -> None:
    db = on_test_db
    html = '<p>The error looks like this:</p><img src="data:image/png;base64,iVBORw0KGgo=" alt="the error">'
    refused = kb(db, "alice", "add", "--title", "Printer error 42", "--html", stdin=html, code=2)
    assert "1 with a data: address" in refused.stderr and "https://" in refused.stderr
    assert "Printer error 42" not in {a["title"] for a in kb(db, "alice", "list", "--json")}
    linked = html.replace("data:image/png;base64,iVBORw0KGgo=", "https://intranet.example/error42.png")
    added = kb(db, "alice", "add", "--title", "Printer error 42", "--html", "--json", stdin=linked)
    assert added["body"] == "The error looks like this:" and "error42.png" in added["body_html"]
